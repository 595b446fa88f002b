// Roots, sampling, server log lines and progress through `mcp call` and `exec`, in both eras
// (2025 requests pushed by the server, 2026-07-28 input_required results): piped and as seen on
// a terminal (the twin context's TTY flags; the real terminal is in mcp-sampling-pty.test.ts).
// In the 2026-07-28 era `mcp call` reaches one HTTP fixture its tests share (a request carries all
// it needs: roots, log level, answers), where a stdio fixture per command was about 25 process
// starts; the 2025 era, whose requests need the session, and `exec` keep a stdio fixture each.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { fixtureServer, setupExec } from "../agent/exec-harness.ts";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { type MockResponses, sseStep, startMockResponses } from "../support/mock-responses.ts";
import { completed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";

const each = homePerTest();
let mock: MockResponses | undefined;
afterEach(async () => {
  await mock?.stop();
  mock = undefined;
});

const TTY = { stdin: true, stdout: true, stderr: true };

let modern: FixtureHandle | undefined;
beforeAll(async () => {
  modern = await startHttpFixture(["--features", "--era", "modern"]);
});
afterAll(() => modern?.stop());

for (const era of ["legacy", "modern"] as const) {
  const fixture = (extra: Record<string, unknown> = {}) =>
    era === "modern" ? { url: modern!.url, ...extra } : stdioFixture(["--features", "--era", era], { startup_timeout_sec: 60, ...extra });
  const call = (args: string[], options: { tty?: typeof TTY; stdin?: string; cwd?: string } = {}) =>
    runTether(["mcp", "call", "fx", ...args], { home: each.home.home, env: { MOCK_KEY: "test-key" }, ...options });

  describe(`${era} era: roots`, () => {
    test("the current directory by default", async () => {
      writeConfig(each.home.configPath, { servers: { fx: fixture() } });
      expect(expectOk(await call(["roots"], { cwd: each.home.tetherHome })).stdout).toBe(`roots: ["file://${each.home.tetherHome}"]\n`);
    });

    test("config roots: ~ is the home directory, relative paths are relative to the config file; per server wins", async () => {
      writeConfig(each.home.configPath, { top: { roots: ["~/src", "notes"] }, servers: { fx: fixture(), own: fixture({ roots: ["/srv/data"] }) } });
      expect(expectOk(await call(["roots"])).stdout).toBe(`roots: ["file://${each.home.home}/src","file://${each.home.tetherHome}/notes"]\n`);
      const own = expectOk(await runTether(["mcp", "call", "own", "roots"], { home: each.home.home }));
      expect(own.stdout).toBe('roots: ["file:///srv/data"]\n');
    });

    test("--root (repeatable) wins over config, relative to the current directory", async () => {
      writeConfig(each.home.configPath, { top: { roots: ["/srv"] }, servers: { fx: fixture() } });
      const result = expectOk(await call(["roots", "--root", "a", "--root", "/b"], { cwd: each.home.tetherHome }));
      expect(result.stdout).toBe(`roots: ["file://${join(each.home.tetherHome, "a")}","file:///b"]\n`);
    });
  });

  describe(`${era} era: sampling`, () => {
    const OFF_NOTE =
      'server "fx" asked to use the model (sampling); declined: sampling is off\n' +
      '  allow it with sampling = "ask" (or "auto") under [mcp_servers.fx] or at the top of config.toml\n';
    const withModel = (top: Record<string, unknown>, server: Record<string, unknown> = {}) => {
      mock = startMockResponses([sseStep(sse(textTurn("resp_1", ["hello ", "fixture"])))]);
      writeConfig(each.home.configPath, {
        top: { model: "gpt-test", model_provider: "mock", model_providers: { mock: { base_url: mock.url, env_key: "MOCK_KEY" } }, ...top },
        servers: { fx: fixture(server) },
      });
    };

    test("off by default: declined, the server hears why, stderr says how to allow it", async () => {
      withModel({});
      const result = await call(["sample"]);
      expect(result.code).toBe(1);
      if (era === "legacy") {
        // A 2025 server gets the refusal as the request's error, and decides what to do with it.
        expect(result.stdout).toBe("sampling refused: MCP error -32603: tether declined the sampling request: sampling is off\n");
        expect(result.stderr).toBe(`${OFF_NOTE}error: tool "sample" on server "fx" returned an error\n`);
      } else {
        // 2026-07-28 has no error answer inside input_required: the refused call fails here.
        expect(result.stdout).toBe("");
        expect(result.stderr).toStartWith(`${OFF_NOTE}error: tether declined the sampling request: sampling is off`);
      }
      expect(mock!.requests).toHaveLength(0);
    });

    test('"ask" without a terminal declines with a note', async () => {
      withModel({ sampling: "ask" });
      const result = await call(["sample"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toStartWith(
        'server "fx" asked to use the model (sampling); declined: there is no terminal to ask on\n' +
          '  to allow it without asking, set sampling = "auto" under [mcp_servers.fx]\n',
      );
      expect(mock!.requests).toHaveLength(0);
    });

    test('"auto" sends it to the configured model, max tokens capped; the answer goes back as a CreateMessageResult', async () => {
      withModel({ sampling: "auto" });
      const result = expectOk(await call(["sample", "--arg", "prompt=What is 2+2?"]));
      expect(result.stdout).toBe("sampled [gpt-test, endTurn]: hello fixture\n");
      expect(result.stderr).toBe("");
      const body = mock!.requests[0]!.body as any;
      expect(body.model).toBe("gpt-test");
      expect(body.instructions).toBe("You are the fixture's helper.");
      expect(body.max_output_tokens).toBe(4096);
      expect(body.input).toEqual([{ type: "message", role: "user", content: [{ type: "input_text", text: "What is 2+2?" }] }]);
      expect(mock!.requests[0]!.headers.authorization).toBe("Bearer test-key");
    });

    test("the server's setting wins over the top level", async () => {
      withModel({ sampling: "auto" }, { sampling: "off" });
      const result = await call(["sample"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toStartWith(OFF_NOTE);
      expect(mock!.requests).toHaveLength(0);
    });

    test('"ask" on a terminal shows the request; an empty answer is no', async () => {
      withModel({ sampling: "ask" });
      const result = await call(["sample"], { tty: TTY, stdin: "\n" });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('server "fx" asks to use the model (sampling):\n  system: You are the fixture\'s helper.\n  user: Say hi to the fixture.\n');
      expect(result.stderr).toContain("  max tokens: 4096 (the server asked for 100000)\n  send it to the model? yes / No: ");
      expect(result.stderr).toContain('server "fx" asked to use the model (sampling); declined: the user said no\n');
      expect(mock!.requests).toHaveLength(0);
    });
  });

  describe(`${era} era: log lines and progress`, () => {
    beforeEach(() => writeConfig(each.home.configPath, { servers: { fx: fixture() } }));
    const WARNING = 'server "fx" [warning] fixture: disk almost full\n';
    const ERROR = 'server "fx" [error] fixture: one part failed\n';

    test("piped: warning and above by default, one line each; no progress", async () => {
      const result = expectOk(await call(["chatty"]));
      expect(result.stdout).toBe("chatty done\n");
      expect(result.stderr).toBe(WARNING + ERROR);
    });

    test("--log-level picks the threshold; a wrong level is a usage error", async () => {
      expect(expectOk(await call(["chatty", "--log-level", "debug"])).stderr).toBe(
        'server "fx" [debug] fixture: a debug detail\nserver "fx" [info] fixture: starting the job\n' + WARNING + ERROR,
      );
      expect(expectOk(await call(["chatty", "--log-level", "error"])).stderr).toBe(ERROR);
      const wrong = await call(["chatty", "--log-level", "loud"]);
      expect([wrong.code, wrong.stderr.split("\n")[0]]).toEqual([
        2,
        'error: --log-level wants one of debug, info, notice, warning, error, critical, alert, emergency, got "loud"',
      ]);
    });

    test("on a terminal: progress with a percentage in the spinner line; log lines clear it first", async () => {
      const result = expectOk(await call(["chatty"], { tty: TTY }));
      expect(result.stdout).toBe("chatty done\n");
      expect(result.stderr).toContain("chatty: 100% step 4");
      expect(result.stderr).toContain(`\r\u001b[2K${WARNING}`);
      expect(result.stderr).not.toContain("debug detail");
    });
  });

  describe(`${era} era: exec`, () => {
    const outputs = (body: any) => body.input.filter((item: any) => item.type === "function_call_output").map((item: any) => item.output);
    const script = (tool: string, extra: ReturnType<typeof sseStep>[] = []) => [
      sseStep(sse([responseCreated("resp_1"), functionCall("call_1", `mcp__fixture__${tool}`, {}), completed("resp_1")])),
      ...extra,
      sseStep(sse(textTurn("resp_2", ["done"]))),
    ];
    const tables = (lines: string[] = []) => [[fixtureServer({ tools: ["add"], flags: ["--features", "--era", era] }), ...lines].join("\n")];

    test("sampling = auto: the server's request is one more model request; its answer reaches the tool", async () => {
      const h = setupExec(script("sample", [sseStep(sse(textTurn("resp_s", ["sampled words"])))]), { top: ['sampling = "auto"'], tables: tables() });
      try {
        expectOk(await h.run(["--yes", "sample something"]));
        const [, sampling, last] = h.bodies();
        expect(sampling.max_output_tokens).toBe(4096);
        expect(sampling.tools).toBeUndefined();
        expect(outputs(last)).toEqual(["sampled [gpt-test, endTurn]: sampled words"]);
      } finally {
        await h.cleanup();
      }
    });

    test("--root reaches the server; log lines go to stderr", async () => {
      const h = setupExec(script("roots"), { tables: tables() });
      try {
        expectOk(await h.run(["--yes", "--root", "/data", "list roots"]));
        expect(outputs(h.bodies()[1])).toEqual(['roots: ["file:///data"]']);
      } finally {
        await h.cleanup();
      }
      const h2 = setupExec(script("chatty"), { tables: tables() });
      try {
        const result = expectOk(await h2.run(["--yes", "chat"]));
        expect(result.stderr).toContain('server "fixture" [warning] fixture: disk almost full\nserver "fixture" [error] fixture: one part failed\n');
        expect(result.stderr).not.toContain("%");
      } finally {
        await h2.cleanup();
      }
    });

    test("progress on a terminal: one redrawn line, gone before the next line", async () => {
      const h = setupExec(script("chatty"), { tables: tables() });
      try {
        const result = expectOk(await runTether(["exec", "--yes", "chat"], { home: h.home.home, env: { MOCK_KEY: "test-key" }, tty: TTY }));
        expect(result.stderr).toContain("  … mcp__fixture__chatty 100% step 4\r\u001b[2K");
      } finally {
        await h.cleanup();
      }
    });
  });
}

describe("mcp read and prompt", () => {
  test("take --root and --log-level like call; a wrong level is a usage error before connecting", async () => {
    writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--features"], { startup_timeout_sec: 60 }) } });
    const read = expectOk(await runTether(["mcp", "read", "fx", "fixture://docs/readme", "--root", "/x", "--log-level", "debug"], { home: each.home.home }));
    expect(read.stdout).toBe("# Fixture\nhello from a resource\n");
    const prompt = expectOk(await runTether(["mcp", "prompt", "fx", "greet", "--root", "/x", "--log-level", "info"], { home: each.home.home }));
    expect(prompt.stdout).toContain("Say hello to the fixture.");
    const wrong = await runTether(["mcp", "prompt", "fx", "greet", "--log-level", "verbose"], { home: each.home.home });
    expect(wrong.code).toBe(2);
  });
});
