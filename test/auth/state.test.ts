// The AUTH column comes from the login index: every save and delete keeps it in step, and
// reading it never opens the credential store.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeAuthAll } from "../../src/auth/state.ts";
import { credentialStoreKey, type CredentialStore, type StoredCredentials } from "../../src/auth/store/credentials.ts";
import { indexedStore, LOGIN_INDEX_FILE, readLoginIndex } from "../../src/auth/store/login-index.ts";
import type { Context } from "../../src/context.ts";
import { normalizeServer } from "../../src/config/normalize.ts";

const NOW = 1_800_000_000_000;
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "tether-state-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function context(): Context {
  return { paths: { home, config: join(home, "config.toml") }, env: {}, now: () => NOW, debug: false } as unknown as Context;
}

/** A store whose reads fail: the AUTH column must not need them. */
function writeOnlyStore(): CredentialStore {
  return {
    kind: "keyring",
    load: () => Promise.reject(new Error("the keyring must not be opened to show the AUTH column")),
    save: async () => {},
    delete: async () => true,
  };
}

function login(url: string, expiresIn: number, refresh = true): StoredCredentials {
  return {
    serverName: "x",
    serverUrl: url,
    tokens: { access_token: "at-secret", token_type: "Bearer", ...(refresh ? { refresh_token: "rt-secret" } : {}) },
    expiresAt: NOW + expiresIn * 1000,
    savedAt: NOW - 1000,
  };
}

test("logged in, expired, not logged in and none, without reading the store", async () => {
  const store = indexedStore(writeOnlyStore(), home);
  const servers = {
    live: normalizeServer("live", { url: "https://live.example/mcp" }),
    stale: normalizeServer("stale", { url: "https://stale.example/mcp" }),
    configured: normalizeServer("configured", { url: "https://c.example/mcp", oauth_client_id: "abc" }),
    plain: normalizeServer("plain", { url: "https://plain.example/mcp" }),
    bearer: normalizeServer("bearer", { url: "https://b.example/mcp", bearer_token_env_var: "T" }),
  };
  await store.save(credentialStoreKey("live", "https://live.example/mcp"), login("https://live.example/mcp", 3600));
  await store.save(credentialStoreKey("stale", "https://stale.example/mcp"), login("https://stale.example/mcp", -10, false));

  expect(describeAuthAll(context(), Object.values(servers))).toEqual([
    { type: "oauth", state: "logged_in", refreshable: true },
    { type: "oauth", state: "expired", refreshable: false },
    { type: "oauth", state: "not_logged_in" },
    { type: "none" },
    { type: "bearer", env_var: "T" },
  ]);
  expect(readFileSync(join(home, LOGIN_INDEX_FILE), "utf8")).not.toContain("secret");
  expect(statSync(join(home, LOGIN_INDEX_FILE)).mode & 0o777).toBe(0o600);

  await store.delete(credentialStoreKey("live", "https://live.example/mcp"));
  expect(describeAuthAll(context(), [servers.live])).toEqual([{ type: "none" }]);
  expect(Object.keys(readLoginIndex(home))).toEqual([credentialStoreKey("stale", "https://stale.example/mcp")]);
});
