// Every read from an MCP server is bounded in bytes (issue 10, MCP part): stderr lines, stdout
// lines, SSE events and JSON bodies; past a bound the error names the server and the bound.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig, type ServerEntry } from "../support/config.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";

const each = homePerTest();
const tether = (args: string[]) => runTether(args, { home: each.home.home });
const configure = (servers: Record<string, ServerEntry>) => writeConfig(each.home.configPath, { servers });

describe("stdio", () => {
  test("30 MB of stderr without a newline: the server starts, and the line is kept cut at 64 KiB", async () => {
    configure({ fx: stdioFixture(["--stderr-bytes", String(30_000_000)]) });
    const doctor = JSON.parse(expectOk(await tether(["mcp", "doctor", "fx", "--json"])).stdout);
    const [server] = doctor.servers;
    expect(server.state).toBe("ok");
    expect(server.stderr).toHaveLength(2);
    expect(server.stderr[0]).toStartWith("fixture: started");
    expect(server.stderr[1]).toBe("e".repeat(64 * 1024) + " [line truncated]");
  });

  test("a stdout line over 10 MiB is reported as such, not as an exit", async () => {
    configure({ fx: stdioFixture() });
    const result = await tether(["mcp", "call", "fx", "big", "--arg", "bytes=11000000"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(
      `error: server "fx" sent a line longer than 10 MiB, the most tether reads from a stdio server; the connection was dropped\n`,
    );
  });

  test("a JSON-RPC error (code -32000) is reported with its code and message", async () => {
    configure({ fx: stdioFixture(["--rpc-error=-32000"]) });
    const result = await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: tool "echo" on server "fx" failed: fixture: upstream unavailable (code -32000)\n`);
  });
});

describe("streamable HTTP", () => {
  let endless: FixtureHandle;
  let json: FixtureHandle;
  let failing: FixtureHandle;
  beforeAll(async () => {
    [endless, json, failing] = await Promise.all([
      startHttpFixture(["--endless-event"]),
      startHttpFixture(["--json-response"]),
      startHttpFixture(["--rpc-error=-32001"]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([endless?.stop(), json?.stop(), failing?.stop()]);
  });

  test("an SSE event that never ends fails the call at 16 MiB, naming the server", async () => {
    configure({ fx: { url: endless.url, tool_timeout_sec: 120 } });
    const result = await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: server "fx" sent an SSE event larger than 16 MiB, the most tether reads from an MCP server; the connection was closed\n`,
    );
  });

  test("a JSON body over 16 MiB fails the call, naming the server", async () => {
    configure({ fx: { url: json.url, tool_timeout_sec: 120 } });
    const result = await tether(["mcp", "call", "fx", "big", "--arg", "bytes=17000000"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: server "fx" sent a response body larger than 16 MiB, the most tether reads from an MCP server; the connection was closed\n`,
    );
  });

  test("a JSON-RPC error (code -32001) is reported with its code and message", async () => {
    configure({ fx: { url: failing.url } });
    const result = await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: tool "echo" on server "fx" failed: fixture: upstream unavailable (code -32001)\n`);
  });
});

test("progress every 300 ms cannot keep a call alive past tool_max_total_timeout_sec", async () => {
  configure({ fx: stdioFixture([], { tool_timeout_sec: 1, tool_max_total_timeout_sec: 2 }) });
  const result = await tether(["mcp", "call", "fx", "progress", "--arg", "steps=40", "--arg", "ms=300"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    `error: tool "progress" on server "fx" was still running after 2s in all (tool_max_total_timeout_sec)\nhint: raise tool_max_total_timeout_sec for "fx" in config.toml\n`,
  );
});
