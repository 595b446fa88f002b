import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createCredentialStore,
  credentialStoreKey,
  KeyringUnavailableError,
} from "../../src/auth/store/index.ts";
import { FileCredentialStore } from "../../src/auth/store/file-store.ts";
import type { CredentialsStoreMode } from "../../src/config/types.ts";
import { AuthError } from "../../src/errors.ts";
import { ACCESS_TOKEN, CLIENT_SECRET, FakeKeyring, REFRESH_TOKEN, sampleCredentials, tempHome } from "./fixtures.ts";

const NO_DBUS = "Platform failure: DBus error: no session bus";
const docs = sampleCredentials("docs");
const docsKey = credentialStoreKey("docs", docs.serverUrl);

let home: string;
let cleanup: () => void;
let file: string;
let notices: string[];
let debugLines: string[];

beforeEach(() => {
  ({ home, cleanup } = tempHome());
  file = join(home, ".credentials.json");
  notices = [];
  debugLines = [];
});
afterEach(() => cleanup());

function storeFor(mode: CredentialsStoreMode, keyring: FakeKeyring) {
  return createCredentialStore(mode, {
    home,
    keyring,
    notice: (message) => notices.push(message),
    debug: (message) => debugLines.push(message),
  });
}

async function failure(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

function expectNoSecret(text: string): void {
  for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET]) expect(text).not.toContain(secret);
}

describe("keyring mode", () => {
  test("stores in the keyring under service tether-mcp-credentials, not in the file", async () => {
    const keyring = new FakeKeyring();
    const store = storeFor("keyring", keyring);

    await store.save(docsKey, docs);

    expect(store.kind).toBe("keyring");
    expect([...keyring.entries.keys()]).toEqual([`tether-mcp-credentials/${docsKey}`]);
    expect(JSON.parse(keyring.entries.get(`tether-mcp-credentials/${docsKey}`) ?? "")).toEqual(docs);
    expect(existsSync(file)).toBe(false);
    expect(await storeFor("keyring", keyring).load(docsKey)).toEqual(docs);
    expect(notices).toEqual([]);
  });

  test("a keyring failure is an error with a hint to use the file store", async () => {
    const store = storeFor("keyring", new FakeKeyring({ failWith: NO_DBUS }));

    for (const attempt of [store.save(docsKey, docs), store.load(docsKey), store.delete(docsKey)]) {
      const error = await failure(attempt);
      expect(error).toBeInstanceOf(KeyringUnavailableError);
      expect(error.exitCode).toBe(1);
      expect(error.message).toBe(`the OS keyring is unavailable: ${NO_DBUS}`);
      expect(error.hint).toBe('set mcp_oauth_credentials_store = "file" in config.toml');
    }
    expect(existsSync(file)).toBe(false);
    expect(notices).toEqual([]);
  });

  test("a keyring error that quotes the secret is scrubbed", async () => {
    const keyring = new FakeKeyring({ failWith: `value too long: ${JSON.stringify(docs)}` });

    const error = await failure(storeFor("keyring", keyring).save(docsKey, docs));

    expectNoSecret(`${error.message}\n${error.hint}`);
    expect(error.message).toContain("[redacted]");
  });

  test("a malformed keyring entry is an AuthError that does not echo it", async () => {
    const keyring = new FakeKeyring();
    keyring.entries.set(`tether-mcp-credentials/${docsKey}`, `{"tokens":"${ACCESS_TOKEN}"`);

    const error = await failure(storeFor("keyring", keyring).load(docsKey));

    expect(error).not.toBeInstanceOf(KeyringUnavailableError);
    expect(error.message).toBe(
      `the OS keyring entry for docs (service tether-mcp-credentials, account ${docsKey}) is malformed`,
    );
    expect(error.hint).toBe("run: tether mcp logout docs, then tether mcp login docs");
    expectNoSecret(`${error.message}\n${error.hint}`);
  });

  test("delete removes the entry from the keyring and a leftover in the file", async () => {
    const keyring = new FakeKeyring();
    await storeFor("keyring", keyring).save(docsKey, docs);
    await new FileCredentialStore(file).save(docsKey, docs);

    expect(await storeFor("keyring", keyring).delete(docsKey)).toBe(true);

    expect(keyring.entries.size).toBe(0);
    expect(await new FileCredentialStore(file).load(docsKey)).toBeUndefined();
    expect(await storeFor("keyring", keyring).delete(docsKey)).toBe(false);
  });
});

describe("file mode", () => {
  test("never touches the keyring, not even to delete", async () => {
    const keyring = new FakeKeyring();
    const store = storeFor("file", keyring);

    await store.save(docsKey, docs);
    expect(await store.load(docsKey)).toEqual(docs);
    expect(await store.delete(docsKey)).toBe(true);

    expect(keyring.calls).toBe(0);
    expect(store.kind).toBe("file");
  });
});

describe("auto mode", () => {
  test("uses the keyring when it works: no file, no notice", async () => {
    const keyring = new FakeKeyring();
    const store = storeFor("auto", keyring);

    await store.save(docsKey, docs);

    expect(store.kind).toBe("keyring");
    expect(keyring.entries.size).toBe(1);
    expect(existsSync(file)).toBe(false);
    expect(await store.load(docsKey)).toEqual(docs);
    expect(notices).toEqual([]);
  });

  test("falls back to the 0600 file when the keyring is unavailable, with one notice for two saves", async () => {
    const keyring = new FakeKeyring({ failWith: NO_DBUS });
    const store = storeFor("auto", keyring);
    const github = sampleCredentials("github");
    const githubKey = credentialStoreKey("github", github.serverUrl);

    await store.save(docsKey, docs);
    await store.save(githubKey, github);

    expect(store.kind).toBe("file");
    expect(notices).toEqual([
      `note: no OS keyring available (${NO_DBUS}); storing OAuth credentials in ${file} (mode 0600)`,
    ]);
    expect(keyring.calls).toBe(1); // the keyring is not retried for the rest of the process
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8"))).sort()).toEqual([docsKey, githubKey].sort());
    expect(await store.load(docsKey)).toEqual(docs);
    expectNoSecret(notices.join("\n"));
  });

  test("a failing keyring on load falls back quietly; the notice waits for a save", async () => {
    await new FileCredentialStore(file).save(docsKey, docs);
    const store = storeFor("auto", new FakeKeyring({ failWith: NO_DBUS }));

    expect(await store.load(docsKey)).toEqual(docs);

    expect(notices).toEqual([]);
    expect(debugLines).toEqual([`keyring unavailable, using ${file}: ${NO_DBUS}`]);
  });

  test("load finds credentials an earlier fallback saved in the file, even when the keyring works now", async () => {
    await storeFor("auto", new FakeKeyring({ failWith: NO_DBUS })).save(docsKey, docs);

    expect(await storeFor("auto", new FakeKeyring()).load(docsKey)).toEqual(docs);
  });

  test("saving to a working keyring removes the stale fallback copy from the file", async () => {
    await storeFor("auto", new FakeKeyring({ failWith: NO_DBUS })).save(docsKey, docs);
    const keyring = new FakeKeyring();
    const refreshed = sampleCredentials("docs", { savedAt: docs.savedAt + 1 });

    await storeFor("auto", keyring).save(docsKey, refreshed);

    expect(JSON.parse(keyring.entries.get(`tether-mcp-credentials/${docsKey}`) ?? "")).toEqual(refreshed);
    expect(await new FileCredentialStore(file).load(docsKey)).toBeUndefined();
  });

  test("delete removes the entry from both stores", async () => {
    const keyring = new FakeKeyring();
    await storeFor("auto", keyring).save(docsKey, docs);
    await new FileCredentialStore(file).save(docsKey, docs);

    expect(await storeFor("auto", keyring).delete(docsKey)).toBe(true);

    expect(keyring.entries.size).toBe(0);
    expect(await new FileCredentialStore(file).load(docsKey)).toBeUndefined();
    expect(await storeFor("auto", keyring).delete(docsKey)).toBe(false);
  });

  test("delete with an unavailable keyring still clears the file; the keyring failure is only a debug line", async () => {
    await new FileCredentialStore(file).save(docsKey, docs);

    expect(await storeFor("auto", new FakeKeyring({ failWith: NO_DBUS })).delete(docsKey)).toBe(true);

    expect(await new FileCredentialStore(file).load(docsKey)).toBeUndefined();
    expect(notices).toEqual([]);
    expect(debugLines).toEqual([`keyring delete of ${docsKey} skipped: ${NO_DBUS}`]);
  });
});
