// The credential store factory: picks the keyring, the 0600 file, or auto (keyring, falling back to the file).
import { join } from "node:path";
import { AutoCredentialStore } from "./auto-store.ts";
import type { CredentialStore } from "./credentials.ts";
import { FileCredentialStore } from "./file-store.ts";
import { indexedStore } from "./login-index.ts";
import { type KeyringBackend, KeyringCredentialStore } from "./keyring-store.ts";
import { loadNapiKeyringBackend } from "./napi-keyring.ts";

export { credentialStoreKey, type CredentialStore, type StoredCredentials, type StoredTokens } from "./credentials.ts";
export { type KeyringBackend, KeyringUnavailableError } from "./keyring-store.ts";

import type { CredentialsStoreMode } from "../../config/types.ts";

export interface CredentialStoreOptions {
  /** $TETHER_HOME; the fallback file lives here. */
  home: string;
  /** Shows a one-line user notice (no trailing newline), e.g. on stderr. */
  notice: (message: string) => void;
  /** Shows a debug line (TETHER_DEBUG); defaults to dropping it. */
  debug?: (message: string) => void;
  /** The OS keyring; defaults to `@napi-rs/keyring`, loaded on first use. Injected by tests. */
  keyring?: KeyringBackend;
}

export const CREDENTIALS_FILE_NAME = ".credentials.json";

/** Builds the store for `mcp_oauth_credentials_store`. Nothing is read and no addon is loaded until first use. */
export function createCredentialStore(mode: CredentialsStoreMode, options: CredentialStoreOptions): CredentialStore {
  return indexedStore(createBackend(mode, options), options.home);
}

function createBackend(mode: CredentialsStoreMode, options: CredentialStoreOptions): CredentialStore {
  const file = new FileCredentialStore(join(options.home, CREDENTIALS_FILE_NAME), { warn: options.notice });
  if (mode === "file") return file;
  const keyring = new KeyringCredentialStore(options.keyring ?? loadNapiKeyringBackend());
  if (mode === "keyring") return keyringOnly(keyring, file);
  return new AutoCredentialStore(keyring, file, { notice: options.notice, debug: options.debug });
}

/** Keyring mode: keyring failures are errors; delete also clears a leftover entry in the file. */
function keyringOnly(keyring: KeyringCredentialStore, file: FileCredentialStore): CredentialStore {
  return {
    kind: "keyring",
    load: (key) => keyring.load(key),
    save: (key, credentials) => keyring.save(key, credentials),
    async delete(key) {
      const inFile = await file.delete(key);
      const inKeyring = await keyring.delete(key);
      return inKeyring || inFile;
    },
  };
}
