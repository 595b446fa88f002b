// Timeouts past the timer limit (2^31-1 ms) mean "no timeout" instead of firing at once (issue 10, item 7),
// the login wait included.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { AUTHORIZE_LINE, writeConfig as writeOAuthConfig } from "../cli/oauth-driver.ts";
import { baseEnv, expectOk, makeHome, runTether } from "../support/cli.ts";
import { startHttpFixture } from "../support/fixture.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { ensureHostBinary } from "../support/binary.ts";

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

test("TETHER_LOGIN_TIMEOUT_SEC past the timer limit waits for the login instead of giving up at once", async () => {
  const fx = await startHttpFixture(["--oauth"]);
  try {
    writeOAuthConfig(home.tetherHome, `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.o]\nurl = "${fx.url}"\n`);
    const child = Bun.spawn([await ensureHostBinary(), "mcp", "login", "o", "--no-browser"], {
      cwd: home.home,
      env: baseEnv(home.home, { TETHER_LOGIN_TIMEOUT_SEC: "10000000000" }),
      stdin: "pipe",
      stdout: "ignore",
      stderr: "pipe",
    });
    let stderr = "";
    const reader = child.stderr.getReader();
    while (!AUTHORIZE_LINE.test(stderr)) {
      const next = await reader.read();
      if (next.done) break;
      stderr += new TextDecoder().decode(next.value);
    }
    // Still waiting a moment later: an overflowed timer would have abandoned the login by now.
    await Bun.sleep(500);
    child.kill("SIGINT");
    expect(await child.exited).toBe(130);
    for (let next = await reader.read(); !next.done; next = await reader.read()) stderr += new TextDecoder().decode(next.value);
    expect(stderr).not.toContain("abandoned");
  } finally {
    await fx.stop();
  }
});
