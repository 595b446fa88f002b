// The OS keyring credential store: one keyring entry per server, behind a KeyringBackend we own.
import { AuthError, type ErrorOptions } from "../../errors.ts";
import {
  type CredentialStore,
  isStoredCredentials,
  redactSecrets,
  serverNameOfKey,
  type StoredCredentials,
} from "./credentials.ts";

export const KEYRING_SERVICE = "tether-mcp-credentials";

/** The few keyring operations tether needs. Any failure is thrown; "no entry" is not a failure. */
export interface KeyringBackend {
  /** The stored secret, or undefined/null when there is none. */
  get(service: string, account: string): Promise<string | undefined | null>;
  set(service: string, account: string, secret: string): Promise<void>;
  /** True if an entry existed and was deleted. */
  delete(service: string, account: string): Promise<boolean>;
}

export const KEYRING_FILE_HINT = 'set mcp_oauth_credentials_store = "file" in config.toml';

/** The OS keyring cannot be used (no Secret Service or D-Bus, locked, denied, value too long, ...). */
export class KeyringUnavailableError extends AuthError {
  /** Why, in the keyring's own words (never holding a secret). */
  readonly reason: string;

  constructor(reason: string, options: ErrorOptions = {}) {
    super(`the OS keyring is unavailable: ${reason}`, { hint: KEYRING_FILE_HINT, ...options });
    this.reason = reason;
  }
}

export class KeyringCredentialStore implements CredentialStore {
  readonly kind = "keyring";

  constructor(private readonly backend: KeyringBackend) {}

  async load(key: string): Promise<StoredCredentials | undefined> {
    const secret = await this.call(() => this.backend.get(KEYRING_SERVICE, key));
    if (secret === undefined || secret === null) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(secret);
    } catch {
      parsed = undefined; // the parse error quotes the secret: drop it
    }
    if (!isStoredCredentials(parsed)) {
      const name = serverNameOfKey(key);
      throw new AuthError(`the OS keyring entry for ${name} (service ${KEYRING_SERVICE}, account ${key}) is malformed`, {
        hint: `run: tether mcp logout ${name}, then tether mcp login ${name}`,
      });
    }
    return parsed;
  }

  async save(key: string, credentials: StoredCredentials): Promise<void> {
    await this.call(() => this.backend.set(KEYRING_SERVICE, key, JSON.stringify(credentials)), credentials);
  }

  async delete(key: string): Promise<boolean> {
    return this.call(() => this.backend.delete(KEYRING_SERVICE, key));
  }

  /** Runs a backend call, turning any failure into KeyringUnavailableError with secrets scrubbed. */
  private async call<T>(operation: () => Promise<T>, credentials?: StoredCredentials): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof KeyringUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const reason = credentials ? redactSecrets(message, credentials) : message;
      // No cause: a native error chain is not ours to vouch for; the reason carries what matters.
      throw new KeyringUnavailableError(reason || "unknown keyring error");
    }
  }
}
