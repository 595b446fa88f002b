// Where `mcp login` puts credentials under each mcp_oauth_credentials_store mode, through the CLI.
// A machine without a keyring is simulated with a D-Bus address that cannot connect (Linux); the real
// Secret Service runs under test/auth/run-real-keyring.sh (TETHER_TEST_REAL_KEYRING=1).
// A fake failing keyring injected into the store is tested at the store level (test/auth/modes.test.ts),
// so the product reads no test-only switch. Every run is a real process: the keyring addon reads the
// process's own environment (DBUS_SESSION_BUS_ADDRESS), not the run's context.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { loginHeadless, readCredentialFile, writeConfig } from "./oauth-driver.ts";

const onLinux = process.platform === "linux";
const realKeyring = process.env.TETHER_TEST_REAL_KEYRING === "1";
if (!onLinux) {
  process.stderr.write(`skip: ${import.meta.file} (no-keyring cases) simulates a missing Secret Service through D-Bus, which only Linux uses\n`);
}
if (!realKeyring) {
  process.stderr.write(
    `skip: ${import.meta.file} (real keyring cases) need TETHER_TEST_REAL_KEYRING=1; run: test/auth/run-real-keyring.sh ./node_modules/.bin/bun test test/cli\n`,
  );
}

let home: ReturnType<typeof makeHome>;
let fx: FixtureHandle;
beforeEach(async () => {
  home = makeHome();
  fx = await startHttpFixture(["--oauth"]);
});
afterEach(async () => {
  await fx.stop();
  home.cleanup();
});

const credentialFile = () => join(home.tetherHome, ".credentials.json");
const noBus = () => ({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home.home, "no-such-bus")}` });
const realBus = () => ({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS });

function configure(mode: "auto" | "keyring"): void {
  writeConfig(home.tetherHome, `mcp_oauth_credentials_store = "${mode}"\n\n[mcp_servers.fx]\nurl = "${fx.url}"\n`);
}


describe.skipIf(!onLinux)("no OS keyring reachable", () => {
  test("auto falls back to the 0600 file, says so once, and the login works", async () => {
    configure("auto");
    const run = expectOk(await loginHeadless("fx", { home: home.home, via: "callback", env: noBus() }));
    const notices = run.stderr.split("\n").filter((line) => line.startsWith("note: no OS keyring available ("));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toEndWith(`); storing OAuth credentials in ${credentialFile()} (mode 0600)`);
    expect(run.stderr).toContain("Credentials stored in the credential file (mode 0600)");
    expect(statSync(credentialFile()).mode & 0o777).toBe(0o600);

    const tools = expectOk(await runTether(["mcp", "tools", "fx"], { home: home.home, env: noBus(), process: true }));
    expect(tools.stdout).toContain("echo");
    expect(tools.stderr).toBe("");
  });

  test("keyring mode is an error before the browser step, with a hint to use the file", async () => {
    configure("keyring");
    const run = await runTether(["mcp", "login", "fx", "--no-browser"], { home: home.home, env: noBus(), process: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toStartWith("error: the OS keyring is unavailable: ");
    expect(run.stderr).toEndWith(`hint: set mcp_oauth_credentials_store = "file" in config.toml\n`);
    expect(run.stderr).not.toContain("authorize?");
    expect(existsSync(credentialFile())).toBe(false);
    expect((await fx.stats()).registrations).toBe(0);

    // Listing still works: it shows what config knows.
    expect(expectOk(await runTether(["mcp", "list"], { home: home.home, env: noBus(), process: true })).stdout).toContain("\tnone\n");
  });
});

describe.skipIf(!realKeyring)("real OS keyring (Secret Service)", () => {
  for (const mode of ["keyring", "auto"] as const) {
    test(`${mode} mode: login stores in the keyring, tools use it, logout deletes it; no file`, async () => {
      configure(mode);
      const run = expectOk(await loginHeadless("fx", { home: home.home, via: "callback", env: realBus() }));
      expect(run.stderr).toContain("Credentials stored in the OS keyring");
      expect(run.stderr).not.toContain("no OS keyring available");
      expect(readCredentialFile(home.tetherHome)).toEqual({});

      const env = realBus();
      expect(expectOk(await runTether(["mcp", "tools", "fx"], { home: home.home, env, process: true })).stdout).toContain("echo");
      expect(expectOk(await runTether(["mcp", "list"], { home: home.home, env, process: true })).stdout).toContain("oauth: logged in");
      expect(expectOk(await runTether(["mcp", "logout", "fx"], { home: home.home, env, process: true })).stdout).toBe(
        `Logged out of "fx": deleted its stored OAuth credentials\n`,
      );
      expect(expectOk(await runTether(["mcp", "list"], { home: home.home, env, process: true })).stdout).toContain("\tnone\n");
      expect(existsSync(credentialFile())).toBe(false);
    });
  }
});
