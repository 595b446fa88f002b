// A small, non-secret summary of each stored login (expiry, refreshable), kept beside the real
// store. `mcp list`, `get` and `doctor` read only this: showing the AUTH column never opens the
// keyring (no keychain prompts, no D-Bus round trip) and never reads a token.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureHomeDir, withFileLock, writeFileAtomic } from "../../files/atomic.ts";
import type { CredentialStore, StoredCredentials } from "./credentials.ts";

export const LOGIN_INDEX_FILE = "logins.json";

export interface LoginSummary {
  /** Whether an access token is stored (a stub after invalid_grant has none). */
  hasTokens: boolean;
  refreshable: boolean;
  expiresAt?: number;
  savedAt: number;
}

function indexPath(home: string): string {
  return join(home, LOGIN_INDEX_FILE);
}

/** Every summary by store key; a missing or damaged index reads as empty (it is only a cache). */
export function readLoginIndex(home: string): Record<string, LoginSummary> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(indexPath(home), "utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, LoginSummary>) : {};
  } catch {
    return {};
  }
}

export function summarizeLogin(credentials: StoredCredentials): LoginSummary {
  return {
    hasTokens: Boolean(credentials.tokens),
    refreshable: Boolean(credentials.tokens?.refresh_token),
    expiresAt: credentials.expiresAt,
    savedAt: credentials.savedAt,
  };
}

async function updateLoginIndex(home: string, key: string, summary: LoginSummary | undefined): Promise<void> {
  ensureHomeDir(home);
  await withFileLock(`${indexPath(home)}.lock`, () => {
    const index = readLoginIndex(home);
    if (summary) index[key] = summary;
    else delete index[key];
    writeFileAtomic(indexPath(home), `${JSON.stringify(index, null, 2)}\n`, 0o600);
  });
}

/**
 * Remembers that a server asked for an OAuth login (its 401 at `mcp add` or on a connection), so the
 * AUTH column says `oauth: not logged in` rather than `none`. An existing entry is left alone.
 */
export async function noteLoginWanted(home: string, key: string, now: number): Promise<void> {
  if (readLoginIndex(home)[key]) return;
  await withFileLock(`${indexPath(home)}.lock`, () => {
    const index = readLoginIndex(home);
    index[key] ??= { hasTokens: false, refreshable: false, savedAt: now };
    writeFileAtomic(indexPath(home), `${JSON.stringify(index, null, 2)}\n`, 0o600);
  });
}

/** The store, keeping the index in step with every save and delete. */
export function indexedStore(store: CredentialStore, home: string): CredentialStore {
  return {
    get kind() {
      return store.kind;
    },
    load: (key) => store.load(key),
    async save(key, credentials) {
      await store.save(key, credentials);
      await updateLoginIndex(home, key, summarizeLogin(credentials));
    },
    async delete(key) {
      const existed = await store.delete(key);
      await updateLoginIndex(home, key, undefined);
      return existed;
    },
  };
}
