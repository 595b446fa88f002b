// Escape sequences from servers and models never reach the terminal raw (issue 10, item 3): every
// text view makes them visible, and --json keeps them exact.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { fixtureServer, setupExec, type ExecHarness } from "../agent/exec-harness.ts";
import { expectOk, makeHome, runTether, type RunResult } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { HOSTILE_TEXT } from "../support/fixture-tools.ts";
import { sseStep } from "../support/mock-responses.ts";
import { completed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";

const EVIL_TOOL = `evil${HOSTILE_TEXT}`;
/** What HOSTILE_TEXT looks like once made visible. */
const VISIBLE = "^[]52;c;cHduZWQ=^G^[[2J^[]8;;https://evil.example/^Glink^[]8;;^G^[]0;title^G^G";

/** No ESC, BEL, CSI or other control character but newline (and tab) reached the output. */
function expectClean(result: RunResult): void {
  for (const [stream, text] of [["stdout", result.stdout], ["stderr", result.stderr]] as const) {
    const control = text.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    if (control) throw new Error(`${stream} holds control character ${JSON.stringify(control[0])}:\n${text}`);
  }
}

describe("mcp commands", () => {
  let home: ReturnType<typeof makeHome>;
  const tether = (args: string[]) => runTether(args, { home: home.home });
  beforeEach(() => {
    home = makeHome();
    writeConfig(home.configPath, {
      servers: {
        evil: stdioFixture(["--tools", "echo", "--hostile-text"]),
        broken: stdioFixture(["--hostile-text", "--exit-on-start", "1"]),
      },
    });
  });
  afterEach(() => home.cleanup());

  test("mcp tools shows names and descriptions with escapes made visible; --json keeps them exact", async () => {
    const text = expectOk(await tether(["mcp", "tools", "evil"]));
    expectClean(text);
    expect(text.stdout).toContain(`evil${VISIBLE}\tLooks harmless.${VISIBLE}\t-`);
    const json = JSON.parse(expectOk(await tether(["mcp", "tools", "evil", "--json"])).stdout);
    expect(json.tools.map((t: { name: string }) => t.name)).toContain(EVIL_TOOL);
  });

  test("mcp call prints the result as text, escapes visible, lines kept", async () => {
    const text = expectOk(await tether(["mcp", "call", "evil", EVIL_TOOL]));
    expectClean(text);
    expect(text.stdout).toBe(`result${VISIBLE}\nsecond line\n`);
    const echoed = expectOk(await tether(["mcp", "call", "evil", "echo", "--arg", "text=a\u001b]52;c;eA==\u0007b\rc"]));
    expect(echoed.stdout).toBe("a^[]52;c;eA==^Gbc\n");
    const json = JSON.parse(expectOk(await tether(["mcp", "call", "evil", EVIL_TOOL, "--json"])).stdout);
    expect(json.content[0].text).toBe(`result${HOSTILE_TEXT}\nsecond line`);
  });

  test("mcp doctor shows serverInfo and a failed server's stderr with escapes visible", async () => {
    const result = await tether(["mcp", "doctor"]);
    expect(result.code).toBe(1);
    expectClean(result);
    expect(result.stdout).toContain(`server:    fixture${VISIBLE} 1.0.0`);
    expect(result.stdout).toContain(`    fixture: ${VISIBLE}`);
    const json = JSON.parse((await tether(["mcp", "doctor", "--json"])).stdout);
    expect(json.servers[0].server_info.name).toBe(`fixture${HOSTILE_TEXT}`);
  });

  test("a failure block quotes the server's stderr with escapes visible", async () => {
    const result = await tether(["mcp", "tools", "broken"]);
    expect(result.code).toBe(1);
    expectClean(result);
    expect(result.stderr).toContain(`  fixture: ${VISIBLE}\n`);
  });
});

describe("exec", () => {
  let harness: ExecHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  test("model text, tool-call names and tool results reach the terminal with escapes visible", async () => {
    const badName = `mcp__nope\u001b[2J\u0007`;
    harness = setupExec(
      [
        sseStep(sse([responseCreated("r1"), functionCall("c1", badName, {}), functionCall("c2", "mcp__fixture__echo", { text: "out\u001b]0;t\u0007" }), completed("r1")])),
        sseStep(sse(textTurn("r2", ["hi\u001b]52;c;cHduZWQ=\u0007", " there\u001b[2J\r\n", "bye"]))),
      ],
      { tables: [fixtureServer({ tools: ["echo"], flags: ["--hostile-text"] })] },
    );
    const result = expectOk(await harness.run(["--yes", "go"]));
    expectClean(result);
    expect(result.stdout).toBe("hi^[]52;c;cHduZWQ=^G there^[[2J\nbye\n");
    expect(result.stderr).toContain("→ mcp__nope^[[2J^G {}");
    expect(result.stderr).toContain("← out^[]0;t^G\n");
  });
});
