// The compiled executable logs in and uses the login: the loopback listener, the stdin reader, the
// SDK's auth and (under test/auth/run-real-keyring.sh) the embedded keyring addon, all inside the binary.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ensureHostBinary } from "../support/binary.ts";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { loginHeadless, readCredentialFile, writeConfig } from "./oauth-driver.ts";

const realKeyring = process.env.TETHER_TEST_REAL_KEYRING === "1";
const store = realKeyring ? "keyring" : "file";
if (!realKeyring) {
  process.stderr.write(`note: ${import.meta.file} uses the file store; under test/auth/run-real-keyring.sh it uses the OS keyring\n`);
}

let binary: string;
let fx: FixtureHandle;
let home: ReturnType<typeof makeHome>;
beforeAll(async () => {
  [binary, fx] = await Promise.all([ensureHostBinary(), startHttpFixture(["--oauth", "--token-lifetime", "2"])]);
  home = makeHome();
  writeConfig(home.tetherHome, `mcp_oauth_credentials_store = "${store}"\n\n[mcp_servers.fx]\nurl = "${fx.url}"\n`);
});
afterAll(async () => {
  await runTether(["mcp", "logout", "fx"], { home: home.home, binary, env: { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } });
  await fx.stop();
  home.cleanup();
});


test(`login by pasted redirect, then tools and a refresh, in the compiled binary (${store} store)`, async () => {
  const env = { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
  const login = expectOk(await loginHeadless("fx", { home: home.home, binary, env, via: "paste" }));
  expect(login.stdout).toBe(`Logged in to "fx" (scopes: mcp:tools)\n`);
  expect(login.stderr).toContain(realKeyring ? "Credentials stored in the OS keyring" : "Credentials stored in the credential file (mode 0600)");
  if (realKeyring) expect(readCredentialFile(home.tetherHome)).toEqual({});

  expect(expectOk(await runTether(["mcp", "tools", "fx"], { home: home.home, binary, env })).stdout).toContain("echo");
  // Past the 2 s token's expiry (a wait, not a timing assertion): the next run must refresh it.
  await Bun.sleep(2_100);
  expect(expectOk(await runTether(["mcp", "call", "fx", "echo", "--arg", "text=ok"], { home: home.home, binary, env })).stdout).toBe("ok\n");
  const stats = await fx.stats();
  expect(stats.refreshes).toBeGreaterThanOrEqual(1);
  expect(stats.refreshFailures).toBe(0);
});
