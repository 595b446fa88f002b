// Upstream OAuth credentials that serve refreshes, kept in Redis for every replica (`--state`):
// a refresh token rotated by one replica is the one all others use next, and the refresh itself
// runs under a Redis lock, so two replicas never spend the same refresh token.
//
// Entries are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the state key, which
// lives in the replicas' environment, never in Redis: someone who reads Redis sees no token. The
// store key is the GCM associated data, so an entry moved to another server's key fails to open.
//
// Layout: `<prefix>cred:<store key>` the sealed entry (base64 of nonce | ciphertext | tag), no
// expiry; `<prefix>cred-lock:<store key>` the refresh lock (a random token, PX-bounded).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { Context } from "../../context.ts";
import { TetherError } from "../../errors.ts";
import { type CredentialStore, isStoredCredentials, serverNameOfKey, type StoredCredentials } from "../../auth/store/credentials.ts";
import type { SharedState, StateKey } from "./types.ts";

/** How long a replica may hold a refresh lock before it lapses (a refresh is two 10 s requests at most). */
export const CREDENTIAL_LOCK_TTL_MS = 30_000;
/** How long a replica waits for another's refresh before giving up (as the file lock, ../../auth/refresh-lock.ts). */
export const CREDENTIAL_LOCK_WAIT_MS = 25_000;
const LOCK_POLL_MS = 50;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Deletes the lock only if it still holds our token: a lapsed lock taken by another replica is left alone. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The credential key derived from the state key: the state key itself is never used for two purposes. */
export function credentialKey(stateKey: StateKey): Buffer {
  return Buffer.from(hkdfSync("sha256", stateKey, new Uint8Array(0), "tether serve upstream credentials v1", 32));
}

export function sealCredentials(key: Buffer, storeKey: string, credentials: StoredCredentials): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(storeKey));
  const body = Buffer.concat([cipher.update(JSON.stringify(credentials), "utf8"), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64");
}

/** Undefined when the entry does not open under `key` (another state key, or tampered). */
export function openCredentials(key: Buffer, storeKey: string, sealed: string): unknown {
  const bytes = Buffer.from(sealed, "base64");
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(storeKey));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString("utf8"));
  } catch {
    return undefined;
  }
}

export interface RedisCredentialStoreOptions {
  /**
   * Where a login comes from before any replica wrote it to Redis: the run's own store (keyring or
   * file, where `tether mcp login` put it). Read once per entry and copied into Redis; never written.
   */
  seed?: CredentialStore;
  /** Tells the operator (once per entry) that an entry in Redis does not open with this replica's key. */
  warn?(message: string): void;
}

export class RedisCredentialStore implements CredentialStore {
  readonly kind = "redis";
  private readonly key: Buffer;
  private readonly warned = new Set<string>();

  constructor(
    private readonly state: Pick<SharedState, "redis" | "prefix">,
    stateKey: StateKey,
    private readonly options: RedisCredentialStoreOptions = {},
  ) {
    this.key = credentialKey(stateKey);
  }

  private entryKey(key: string): string {
    return `${this.state.prefix}cred:${key}`;
  }

  load(key: string): Promise<StoredCredentials | undefined> {
    return this.reaching(key, () => this.loadShared(key));
  }

  private async loadShared(key: string): Promise<StoredCredentials | undefined> {
    const sealed = await this.state.redis.get(this.entryKey(key));
    if (sealed !== null) return this.opened(key, sealed);
    const seeded = await this.options.seed?.load(key);
    if (!seeded) return undefined;
    // NX: a replica that wrote (a rotated token) meanwhile wins over the seed.
    const written = await this.state.redis.send("SET", [this.entryKey(key), sealCredentials(this.key, key, seeded), "NX"]);
    if (written === "OK") return seeded;
    const current = await this.state.redis.get(this.entryKey(key));
    return current === null ? seeded : this.opened(key, current);
  }

  async save(key: string, credentials: StoredCredentials): Promise<void> {
    await this.reaching(key, () => this.state.redis.set(this.entryKey(key), sealCredentials(this.key, key, credentials)));
  }

  /** Removes the shared entry; the seed (the operator's own login) is left to `tether mcp logout`. */
  async delete(key: string): Promise<boolean> {
    return Number(await this.reaching(key, () => this.state.redis.del(this.entryKey(key)))) > 0;
  }

  /** Runs a Redis command for `key`'s entry; Redis unreachable is a TetherError naming the server, not the client's own error text. */
  private async reaching<T>(key: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (error instanceof TetherError) throw error;
      throw new TetherError(`server "${serverNameOfKey(key)}": its login is kept in the shared state (--state), which is unreachable`);
    }
  }

  /**
   * Runs `fn` holding the server's refresh lock across replicas (SET NX PX with a random token,
   * released only by its holder); failing to take it within CREDENTIAL_LOCK_WAIT_MS is a TetherError.
   */
  async withRefreshLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${this.state.prefix}cred-lock:${key}`;
    const token = crypto.randomUUID();
    const deadline = performance.now() + CREDENTIAL_LOCK_WAIT_MS;
    const take = () => this.reaching(key, () => this.state.redis.send("SET", [lock, token, "NX", "PX", String(CREDENTIAL_LOCK_TTL_MS)]));
    while ((await take()) !== "OK") {
      if (performance.now() > deadline) throw new TetherError(`server "${serverNameOfKey(key)}": another replica held the OAuth refresh lock too long`);
      await Bun.sleep(LOCK_POLL_MS);
    }
    try {
      return await fn();
    } finally {
      await this.state.redis.send("EVAL", [RELEASE, "1", lock, token]).catch(() => {});
    }
  }

  private opened(key: string, sealed: string): StoredCredentials | undefined {
    const entry = openCredentials(this.key, key, sealed);
    if (isStoredCredentials(entry)) return entry;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.options.warn?.(
        `server "${serverNameOfKey(key)}": its credentials in the shared state do not open with this replica's state key ` +
          "(every replica needs the same --state-key-env-var value); treated as not logged in",
      );
    }
    return undefined;
  }
}

/**
 * The context serve's upstream connections use with --state: their logins are loaded from, refreshed
 * into and locked in the shared store, seeded from this run's own store (keyring or file).
 */
export function withSharedCredentials<C extends Pick<Context, "credentialStore" | "log">>(ctx: C, state: SharedState, stateKey: StateKey): C {
  let store: Promise<CredentialStore> | undefined;
  const credentialStore = () =>
    (store ??= ctx.credentialStore().then((seed) => new RedisCredentialStore(state, stateKey, { seed, warn: (m) => ctx.log.warn(m) })));
  return { ...ctx, credentialStore };
}
