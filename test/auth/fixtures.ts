// Shared builders for the credential store tests: a temp home, sample credentials, a fake keyring.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredCredentials } from "../../src/auth/store/credentials.ts";

// The fake keyring lives in test/support (the test context uses it too); the store tests take it from here.
export { FakeKeyring } from "../support/keyring.ts";

export const ACCESS_TOKEN = "at-SECRET-access-0123456789";
export const REFRESH_TOKEN = "rt-SECRET-refresh-0123456789";
export const CLIENT_SECRET = "cs-SECRET-client-0123456789";

/** A fresh $TETHER_HOME that does not exist yet, inside a temp dir removed by `cleanup`. */
export function tempHome(): { home: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "tether-auth-"));
  return { home: join(root, "home"), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function sampleCredentials(serverName = "docs", overrides: Partial<StoredCredentials> = {}): StoredCredentials {
  return {
    serverName,
    serverUrl: `https://${serverName}.example.com/mcp`,
    resourceUrl: `https://${serverName}.example.com/mcp`,
    clientInformation: {
      client_id: `client-${serverName}`,
      client_secret: CLIENT_SECRET,
      redirect_uris: ["http://127.0.0.1:33418/callback"],
    },
    tokens: { access_token: ACCESS_TOKEN, token_type: "Bearer", refresh_token: REFRESH_TOKEN, scope: "read" },
    expiresAt: 1_900_000_000_000,
    scopes: ["read"],
    savedAt: 1_800_000_000_000,
    ...overrides,
  };
}
