// The per-server refresh lock: a file under $TETHER_HOME, so tethers running in parallel take turns
// spending a refresh token instead of burning the same one twice.
import { join } from "node:path";
import { AuthError, TetherError } from "../errors.ts";
import { type LockOptions, withFileLock } from "../files/atomic.ts";
import type { CredentialStore } from "./store/credentials.ts";

/** A refresh is two requests of at most 10 s each; a waiting tether gives up a little after that. */
export const REFRESH_LOCK_OPTIONS: LockOptions = { timeoutMs: 25_000 };

/** `$TETHER_HOME/locks/refresh-<name>-<url hash>.lock`; the store key's parts are already file-name safe. */
export function refreshLockPath(home: string, key: string): string {
  return join(home, "locks", `refresh-${key.replace("|", "-")}.lock`);
}

/** Runs `fn` holding the server's refresh lock; failing to take the lock is an AuthError, `fn`'s errors pass through. */
export async function withRefreshLock<T>(home: string, key: string, fn: () => Promise<T>, options = REFRESH_LOCK_OPTIONS): Promise<T> {
  let entered = false;
  try {
    return await withFileLock(
      refreshLockPath(home, key),
      () => {
        entered = true;
        return fn();
      },
      options,
    );
  } catch (error) {
    if (entered || error instanceof TetherError) throw error;
    // The lock timed out or its directory is unwritable; neither message holds a secret.
    throw new AuthError(`cannot take the OAuth refresh lock: ${(error as Error).message}`);
  }
}

/** Runs `fn` holding `key`'s refresh lock in `store`: the store's own when it is shared beyond this machine (serve's Redis), else the file lock. */
export function withStoreRefreshLock<T>(home: string, store: CredentialStore | undefined, key: string, fn: () => Promise<T>, options = REFRESH_LOCK_OPTIONS): Promise<T> {
  return store?.withRefreshLock ? store.withRefreshLock(key, fn) : withRefreshLock(home, key, fn, options);
}

/**
 * Takes the lock and keeps it until the returned release is called. For a refresh the SDK drives
 * (its `auth()` after a 401), where taking and giving back happen in different provider callbacks.
 */
export async function holdRefreshLock(home: string, key: string, store?: CredentialStore, options = REFRESH_LOCK_OPTIONS): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let acquired!: () => void;
  const held = new Promise<void>((resolve) => (acquired = resolve));
  const finished = withStoreRefreshLock(home, store, key, () => {
    acquired();
    return released;
  }, options);
  await Promise.race([held, finished]);
  return release;
}
