// A SharedState for tests (src/serve/state/types.ts) over a private redis-server (./redis.ts): two
// Bun clients, one for commands and one for pub/sub, re-subscribing when Redis comes back. A
// stand-in until serve's own connection (src/serve/state/connection.ts) can be used directly.
import { RedisClient } from "bun";
import type { SharedState } from "../../src/serve/state/types.ts";

export async function testSharedState(url: string, prefix = "tether:"): Promise<SharedState> {
  // Fail fast while Redis is away (the default queues commands until it is back): a request that needs
  // state gets a clear error instead of hanging.
  const redis = new RedisClient(url, { enableOfflineQueue: false });
  const sub = new RedisClient(url);
  await redis.connect();
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
    prefix,
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
