// Timeouts past the timer limit (2^31-1 ms) mean "no timeout" instead of firing at once (issue 10, item 7).
import { afterEach, beforeEach, expect, test } from "bun:test";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";

let home: ReturnType<typeof makeHome>;
const tether = (args: string[]) => runTether(args, { home: home.home });
beforeEach(() => (home = makeHome()));
afterEach(() => home.cleanup());

test("startup_timeout_sec = inf and tool_timeout_sec = 3000000 let a server start and a slow call finish", async () => {
  writeConfig(home.configPath, {
    servers: { fx: stdioFixture(["--tools", "slow"], { startup_timeout_sec: Infinity, tool_timeout_sec: 3_000_000 }) },
  });
  const tools = expectOk(await tether(["mcp", "tools", "fx"]));
  expect(tools.stdout).toContain("slow");
  const call = expectOk(await tether(["mcp", "call", "fx", "slow", "--arg", "ms=1200"]));
  expect(call.stdout).toBe("slept 1200\n");
  const json = JSON.parse(expectOk(await tether(["mcp", "get", "fx", "--json"])).stdout);
  expect(json.startup_timeout_sec).toBe(2147483);
  expect(json.tool_timeout_sec).toBe(2147483);
});
