// INTERIM (issue 20, branch state-shared): a minimal `--state` connection so the shared pieces
// (requestState relay, notifications, credentials) can be run end to end before helper
// "state-core"'s ./connection.ts lands. On merge, delete this file and call theirs where serve.ts
// calls openInterimState; the SharedState contract (./types.ts) is the same.
import { RedisClient } from "bun";
import { ConfigError, TetherError, UsageError } from "../../errors.ts";
import type { SharedState, StateKey } from "./types.ts";

export const DEFAULT_STATE_PREFIX = "tether:";
/** The least a state key may hold: the SDK's requestState codec wants 32 bytes. */
export const MIN_STATE_KEY_BYTES = 32;

export async function openInterimState(url: string): Promise<SharedState> {
  if (!/^rediss?:\/\//.test(url)) throw new UsageError("--state wants redis://HOST:PORT or rediss://HOST:PORT");
  // Fail fast while Redis is away (the default queues commands until it is back): a request that needs
  // state gets a clear error instead of hanging.
  const redis = new RedisClient(url, { enableOfflineQueue: false });
  const sub = new RedisClient(url);
  // Not the client's error text: it may name the address (and the URL may hold a password).
  await redis.connect().catch(() => {
    throw new TetherError("--state: cannot reach the Redis server");
  });
  const listeners = new Map<string, Set<(message: string) => void>>();
  const dispatch = (message: string, channel: string) => {
    for (const listener of listeners.get(channel) ?? []) listener(message);
  };
  // Bun does not restore subscriptions after a reconnect, and keeps the old listener: unsubscribe
  // (drops it) and subscribe again, or each message arrives twice. Not on the first connect, which
  // the first subscribe itself makes.
  let connectedBefore = false;
  sub.onconnect = () => {
    if (!connectedBefore) return void (connectedBefore = true);
    for (const channel of listeners.keys()) {
      void (async () => {
        await sub.unsubscribe(channel).catch(() => {});
        await sub.subscribe(channel, dispatch);
      })().catch(() => {});
    }
  };
  return {
    replicaId: crypto.randomUUID(),
    redis,
    prefix: DEFAULT_STATE_PREFIX,
    async subscribe(channel, onMessage) {
      let set = listeners.get(channel);
      if (!set) {
        listeners.set(channel, (set = new Set()));
        await sub.subscribe(channel, dispatch);
      }
      set.add(onMessage);
      return async () => {
        set.delete(onMessage);
        if (set.size === 0 && listeners.get(channel) === set) {
          listeners.delete(channel);
          await sub.unsubscribe(channel).catch(() => {});
        }
      };
    },
    async publish(channel, message) {
      await redis.publish(channel, message);
    },
    ready: () => redis.connected,
    async close() {
      redis.close();
      sub.close();
    },
  };
}

/** `--state-key-env-var NAME`: the variable's value as bytes (at least MIN_STATE_KEY_BYTES); the value is never shown. */
export function stateKeyFromEnv(env: Record<string, string | undefined>, name: string): StateKey {
  const value = env[name];
  if (!value) throw new ConfigError(`--state-key-env-var ${name}: the variable is not set (or empty)`);
  const bytes = new TextEncoder().encode(value);
  if (bytes.length < MIN_STATE_KEY_BYTES) throw new ConfigError(`--state-key-env-var ${name}: the key must be at least ${MIN_STATE_KEY_BYTES} bytes (e.g. openssl rand -base64 48)`);
  return bytes;
}
