// Elicitation through `mcp call` (and during `mcp prompt` / `mcp read`) in both eras (2025 elicitation/create, 2026 input_required): piped
// (decline with what was asked, --input, --input-defaults, a bad --input) and on a real terminal.
// In the 2026-07-28 era the `fx` server is one HTTP fixture the tests share (each request carries
// its answers), where a stdio fixture per command was about 20 process starts; the 2025 era, whose
// questions need the session, and `exec` keep a stdio fixture each.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { fixtureServer, runInTerminal, setupExec } from "../agent/exec-harness.ts";
import { sseStep } from "../support/mock-responses.ts";
import { completed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";
import { baseEnv, expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { screenText } from "../support/shell-pty.ts";
import { createTestContext } from "../support/context.ts";
import { answerServerRequests } from "../../src/cli/server-requests.ts";
import type { ServerConfig } from "../../src/config/types.ts";

let home: ReturnType<typeof makeHome>;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => home.cleanup());

const DECLINED = [
  'server "fx" asked for input, and there is no terminal to ask on; declined:',
  "  Tell the fixture about yourself.",
  "  - name (string, required): What to call you",
  "  - count (integer, 1..10, default 3, required)",
  "  - color (one of red, green, blue, default green)",
  "  - extras (any of a, b, c, default a)",
  "  - subscribe (boolean, default false)",
  "  answer with: --input name=… --input count=… (or --input-defaults)",
  "",
].join("\n");

let modern: FixtureHandle | undefined;
beforeAll(async () => {
  modern = await startHttpFixture(["--features", "--era", "modern"]);
});
afterAll(() => modern?.stop());

for (const era of ["legacy", "modern"] as const) {
  const fx = () => (era === "modern" ? { url: modern!.url } : stdioFixture(["--features", "--era", era], { startup_timeout_sec: 60 }));

  describe(`${era} era, piped`, () => {
    const tether = (args: string[]) => runTether(["mcp", "call", "fx", ...args], { home: home.home });
    beforeEach(() => writeConfig(home.configPath, { servers: { fx: fx() } }));

    test("no terminal and no --input: declined, and stderr says what was asked and how to answer", async () => {
      const result = expectOk(await tether(["ask"]));
      expect(result.stdout).toBe("decline\n");
      expect(result.stderr).toBe(DECLINED);
    });

    test("a form asked during mcp prompt or mcp read (not a call) is answered from --input the same way", async () => {
      writeConfig(home.configPath, { servers: { fx: stdioFixture(["--features", "--ask-in-reads", "--name", "fx", "--era", era], { startup_timeout_sec: 60 }) } });
      const prompt = expectOk(await runTether(["mcp", "prompt", "fx", "ask_prompt", "--input", "name=Ada", "--input", "count=2"], { home: home.home }));
      expect(prompt.stdout).toBe('[user]\naccept {"name":"Ada","count":2}\n');
      expect(prompt.stderr).toBe('server "fx" asked: Tell the fixture about yourself. — answered from --input\n');
      const read = expectOk(await runTether(["mcp", "read", "fx", "fx://asked", "--input", "name=Bo", "--input-defaults"], { home: home.home }));
      expect(read.stdout).toBe('accept {"name":"Bo","count":3,"color":"green","extras":["a"],"subscribe":false}\n');
    });

    test("--input-defaults fills the rest from the schema; --input values are coerced by it", async () => {
      const defaults = expectOk(await tether(["ask", "--input", "name=Ann", "--input-defaults"]));
      expect(defaults.stdout).toBe('accept {"name":"Ann","count":3,"color":"green","extras":["a"],"subscribe":false}\n');
      expect(defaults.stderr).toBe('server "fx" asked: Tell the fixture about yourself. — answered from --input and --input-defaults\n');
      const typed = expectOk(
        await tether(["ask", "--input", "name=Bo", "--input", "count=2", "--input", "color=Blue", "--input", "extras=b,c", "--input", "subscribe=yes", "--json"]),
      );
      expect(JSON.parse(typed.stdout).content[0].text).toBe('accept {"name":"Bo","count":2,"color":"blue","extras":["b","c"],"subscribe":true}');
    });

    test("an --input the schema rejects is one usage error (exit 2), the result is not shown", async () => {
      const result = await tether(["ask", "--input", "name=Ann", "--input", "count=99"]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe("error: --input count: must be at most 10, got 99\nhint: fix the value, or answer on a terminal\n");
      const choice = await tether(["ask", "--input", "name=Ann", "--input", "count=1", "--input", "color=pink"]);
      expect([choice.code, choice.stderr.split("\n")[0]]).toEqual([2, 'error: --input color: "pink" is not one of red, green, blue']);
    });

    test("URL mode without a terminal: the URL and its purpose are shown, nothing is opened, declined", async () => {
      const result = expectOk(await tether(["ask_url"]));
      expect(result.stdout).toBe("decline\n");
      expect(result.stderr).toBe(
        'server "fx" asks you to open a page: Confirm in the browser.\n  https://127.0.0.1:9/confirm?id=1\n' +
          "  declined: there is no terminal to ask on; open the URL yourself if you trust it, then run the command again\n",
      );
    });
  });

  describe(`${era} era, on a terminal`, () => {
    const FILL = "fill in the form (y) / decline / cancel: ";
    // What the user reads: a carriage return starts its line over (the spinner's frames vanish).
    const terminal = async (args: string[], steps: { expect: string; send: string }[]) => {
      const result = await runInTerminal(["mcp", "call", "fx", ...args], steps, baseEnv(home.home), home.home);
      const lines = result.output.split("\n").map((line) => line.slice(line.lastIndexOf("\r") + 1));
      return { code: result.code, output: screenText(lines.join("\n")) };
    };
    beforeEach(() => writeConfig(home.configPath, { servers: { fx: fx() } }));

    test("each field is asked with its title, type, default and choices; a bad answer is asked again", async () => {
      const { output, code } = await terminal(["ask"], [
        { expect: FILL, send: "y\r" },
        { expect: "Your name — What to call you (string, required): ", send: "\r" },
        { expect: "    required\n", send: "Ann\r" },
        { expect: "How many (integer, 1..10, default 3, required): ", send: "11\r" },
        { expect: "    count: must be at most 10, got 11\n", send: "\r" },
        { expect: "    3. blue\n", send: "" },
        { expect: "Favourite colour (one of red, green, blue, default green): ", send: "3\r" },
        { expect: "Extras (any of a, b, c, default a): ", send: "a,c\r" },
        { expect: "Subscribe (boolean, default false): ", send: "y\r" },
      ]);
      expect(code).toBe(0);
      expect(output).toContain('server "fx" asks: Tell the fixture about yourself.\n');
      expect(output).toContain('accept {"name":"Ann","count":3,"color":"blue","extras":["a","c"],"subscribe":true}\n');
    });

    test("d declines; --input answers are not asked again", async () => {
      const declined = await terminal(["ask"], [{ expect: FILL, send: "d\r" }]);
      expect([declined.code, declined.output.trimEnd().split("\n").at(-1)]).toEqual([0, "decline"]);
      const partial = await terminal(["ask", "--input", "name=Zed", "--input", "count=4"], [
        { expect: FILL, send: "y\r" },
        { expect: "Favourite colour (one of red, green, blue, default green): ", send: "\r" },
        { expect: "Extras (any of a, b, c, default a): ", send: "\r" },
        { expect: "Subscribe (boolean, default false): ", send: "\r" },
      ]);
      expect(partial.code).toBe(0);
      expect(partial.output).not.toContain("Your name");
      expect(partial.output).toContain('accept {"name":"Zed","count":4,"color":"green","extras":["a"],"subscribe":false}\n');
    });

    test("URL mode asks before opening a browser; n declines", async () => {
      const { output, code } = await terminal(["ask_url"], [{ expect: "open it in your browser? yes / no / cancel: ", send: "n\r" }]);
      expect(code).toBe(0);
      expect(output).toContain("https://127.0.0.1:9/confirm?id=1\n");
      expect(output.trimEnd().split("\n").at(-1)).toBe("decline");
    });
  });
}

describe("exec", () => {
  const outputs = (body: any) => body.input.filter((item: any) => item.type === "function_call_output").map((item: any) => item.output);

  for (const era of ["legacy", "modern"] as const) {
    test(`${era}: --yes approves the call but never answers the form; --input-defaults does`, async () => {
      const script = () => [
        sseStep(sse([responseCreated("resp_1"), functionCall("call_1", "mcp__fixture__ask", {}), completed("resp_1")])),
        sseStep(sse(textTurn("resp_2", ["done"]))),
      ];
      const h = setupExec(script(), { tables: [fixtureServer({ tools: ["add"], flags: ["--features", "--era", era] })] });
      try {
        const declined = expectOk(await h.run(["--yes", "ask me"]));
        expect(declined.stderr).toContain('server "fixture" asked for input, and there is no terminal to ask on; declined:\n');
        expect(outputs(h.bodies()[1])).toEqual(["decline"]);
      } finally {
        await h.cleanup();
      }
      const h2 = setupExec(script(), { tables: [fixtureServer({ tools: ["add"], flags: ["--features", "--era", era] })] });
      try {
        expectOk(await h2.run(["--yes", "--input", "name=Ann", "--input-defaults", "ask me"]));
        expect(outputs(h2.bodies()[1])).toEqual(['accept {"name":"Ann","count":3,"color":"green","extras":["a"],"subscribe":false}']);
      } finally {
        await h2.cleanup();
      }
    });
  }
});

describe("URL mode, on the twin's terminal", () => {
  // The answerer as a command registers it, asked on a terminal whose user types "y".
  const answerUrlWithYes = async (url: string) => {
    const opened: string[] = [];
    const ctx = createTestContext({
      env: baseEnv(home.home),
      cwd: home.home,
      stdin: "y\n",
      stdinTTY: true,
      stderrTTY: true,
      openUrl: async (u) => void opened.push(u),
    });
    answerServerRequests(ctx, {}, []);
    const server = { name: "fx" } as ServerConfig;
    const result = await ctx.serverRequests.elicit(server, { mode: "url", elicitationId: "e1", message: "Confirm.", url });
    await ctx.runCleanups(1_000);
    return { result, opened, stderr: ctx.stderr() };
  };

  test("an http URL to another host is not offered: declined without asking, nothing opened", async () => {
    const { result, opened, stderr } = await answerUrlWithYes("http://evil.example/confirm");
    expect(result).toEqual({ action: "decline" });
    expect(opened).toEqual([]);
    // (The terminal's line is cleared first, for the spinner.)
    expect(stderr).toEndWith(
      'server "fx" asks you to open a page: Confirm.\n  http://evil.example/confirm\n  declined: only https URLs (or http to this machine) are opened\n',
    );
    expect(stderr).not.toContain("open it in your browser?");
  });

  test("http to this machine is asked about, and y opens it", async () => {
    const { result, opened, stderr } = await answerUrlWithYes("http://127.0.0.1:9/confirm");
    expect(result).toEqual({ action: "accept" });
    expect(opened).toEqual(["http://127.0.0.1:9/confirm"]);
    expect(stderr).toContain("open it in your browser? yes / no / cancel: ");
  });
});
