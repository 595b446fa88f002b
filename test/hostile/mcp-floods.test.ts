// A server that floods notifications (issue 10, MCP part): tether keeps its timers and signals,
// drops the excess with one warning naming the server, and other servers are unaffected.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { expectOk, makeHome, baseEnv, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig, type ServerEntry } from "../support/config.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { ensureHostBinary } from "../support/binary.ts";

let home: ReturnType<typeof makeHome>;
const tether = (args: string[]) => runTether(args, { home: home.home });
const configure = (servers: Record<string, ServerEntry>) => writeConfig(home.configPath, { servers });
beforeEach(() => (home = makeHome()));
afterEach(() => home.cleanup());

const WARNING = `warning: server "fx" sends more than 1000 notifications a second; tether drops the excess\n`;
const TIMED_OUT = `error: tool "slow" on server "fx" timed out after 1s\nhint: raise tool_timeout_sec for "fx" in config.toml\n`;
// Never answers within the test: only tool_timeout_sec can end the call.
const NEVER = ["slow", "--arg", "ms=600000"];

describe("stdio", () => {
  test("a plain notification flood: tool_timeout_sec still ends the call, with one warning", async () => {
    configure({ fx: stdioFixture(["--flood", "plain"], { tool_timeout_sec: 1 }) });
    const result = await tether(["mcp", "call", "fx", ...NEVER]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(WARNING + TIMED_OUT);
  });

  test("a logging flood is budgeted the same way", async () => {
    configure({ fx: stdioFixture(["--flood", "logging"], { tool_timeout_sec: 1 }) });
    const result = await tether(["mcp", "call", "fx", ...NEVER]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(WARNING + TIMED_OUT);
  });

  test("progress for tokens tether never issued is ignored: the call times out as usual", async () => {
    configure({ fx: stdioFixture(["--flood", "progress"], { tool_timeout_sec: 1 }) });
    const result = await tether(["mcp", "call", "fx", ...NEVER]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(TIMED_OUT);
  });

  test("a flooding server next to a healthy one: list --status shows both", async () => {
    configure({ fx: stdioFixture(["--flood", "plain"]), ok: stdioFixture() });
    const result = expectOk(await tether(["mcp", "list", "--status", "--json"]));
    const servers = JSON.parse(result.stdout).servers;
    expect(servers.map((s: { name: string; status: { state: string } }) => [s.name, s.status.state])).toEqual([
      ["fx", "ok"],
      ["ok", "ok"],
    ]);
    expect(result.stderr).toBe(WARNING);
  });

  test("Ctrl-C during a flood ends tether with 130", async () => {
    configure({ fx: stdioFixture(["--flood", "plain"], { tool_timeout_sec: 600 }) });
    const child = Bun.spawn([await ensureHostBinary(), "mcp", "call", "fx", ...NEVER], {
      cwd: home.home,
      env: baseEnv(home.home),
      stdout: "pipe",
      stderr: "pipe",
    });
    // The warning shows the flood has reached tether, mid-call.
    const reader = child.stderr.getReader();
    let stderr = "";
    while (!stderr.includes("warning:")) {
      const next = await reader.read();
      if (next.done) break;
      stderr += new TextDecoder().decode(next.value);
    }
    child.kill("SIGINT");
    expect(await child.exited).toBe(130);
  });
});

describe("streamable HTTP", () => {
  let flooding: FixtureHandle;
  beforeAll(async () => {
    flooding = await startHttpFixture(["--flood", "plain"]);
  });
  afterAll(async () => {
    await flooding?.stop();
  });

  test("a flood on the call's event stream is budgeted, with one warning; tool_timeout_sec ends the call", async () => {
    configure({ fx: { url: flooding.url, tool_timeout_sec: 1 } });
    const result = await tether(["mcp", "call", "fx", ...NEVER]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(WARNING + TIMED_OUT);
  });
});
