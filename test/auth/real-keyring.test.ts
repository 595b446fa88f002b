// Exercises the real @napi-rs/keyring backend. Runs only under test/auth/run-real-keyring.sh
// (TETHER_TEST_REAL_KEYRING=1); there, a keyring that does not work fails the test.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createCredentialStore, credentialStoreKey } from "../../src/auth/store/index.ts";
import { sampleCredentials, tempHome } from "./fixtures.ts";

const enabled = process.env.TETHER_TEST_REAL_KEYRING === "1";
if (!enabled) {
  process.stderr.write(
    "skip: real OS keyring tests (test/auth/real-keyring.test.ts) need TETHER_TEST_REAL_KEYRING=1; " +
      "run them with: test/auth/run-real-keyring.sh ./node_modules/.bin/bun test test/auth\n",
  );
}

describe.skipIf(!enabled)("real OS keyring (Secret Service)", () => {
  let home: string;
  let cleanup: () => void;
  let notices: string[];
  // Unique per run, so a leftover from a crashed run never decides the outcome.
  const serverName = `tether-test-${process.pid}-${Date.now()}`;
  const credentials = sampleCredentials(serverName);
  const key = credentialStoreKey(serverName, credentials.serverUrl);

  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    notices = [];
  });
  afterEach(() => cleanup());

  test("keyring mode stores, reads and deletes through @napi-rs/keyring, and nothing lands in the file", async () => {
    const store = createCredentialStore("keyring", { home, notice: (m) => notices.push(m) });

    await store.save(key, credentials);
    expect(await createCredentialStore("keyring", { home, notice: () => {} }).load(key)).toEqual(credentials);
    expect(existsSync(join(home, ".credentials.json"))).toBe(false);

    expect(await store.delete(key)).toBe(true);
    expect(await store.load(key)).toBeUndefined();
    expect(await store.delete(key)).toBe(false);
    expect(notices).toEqual([]);
  });

  test("auto mode uses the working keyring: no fallback file, no notice", async () => {
    const store = createCredentialStore("auto", { home, notice: (m) => notices.push(m) });

    await store.save(key, credentials);
    expect(store.kind).toBe("keyring");
    expect(await store.load(key)).toEqual(credentials);
    expect(await store.delete(key)).toBe(true);

    expect(existsSync(join(home, ".credentials.json"))).toBe(false);
    expect(notices).toEqual([]);
  });

  test("the entry is visible to other Secret Service clients as service tether-mcp-credentials", async () => {
    if (!Bun.which("secret-tool")) throw new Error("secret-tool not found: apt-get install -y libsecret-tools");
    const store = createCredentialStore("keyring", { home, notice: () => {} });
    await store.save(key, credentials);
    try {
      const lookup = Bun.spawnSync(["secret-tool", "lookup", "service", "tether-mcp-credentials", "username", key]);
      expect(lookup.exitCode).toBe(0);
      expect(JSON.parse(lookup.stdout.toString())).toEqual(credentials);
    } finally {
      await store.delete(key);
    }
  });
});
