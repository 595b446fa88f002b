// SharedStates for tests (src/serve/state/types.ts): serve's own connection to a private
// redis-server (./redis.ts) started for the test file, each under a prefix of the test's choosing so
// tests sharing that Redis stay apart. Where redis-server is missing, the file says it skipped.
import { afterAll, beforeAll } from "bun:test";
import { connectState, parseStateUrl } from "../../src/serve/state/connection.ts";
import type { SharedState } from "../../src/serve/state/types.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "./redis.ts";

export function testSharedState(url: string, prefix = "tether:"): Promise<SharedState> {
  return connectState(parseStateUrl(url), { prefix });
}

/** One redis-server for the calling test file, and every state opened on it closed at the end. */
export function redisForFile(file: string, whatSkips = "skipped") {
  if (!hasRedisServer) console.warn(`${file}: redis-server is not installed; ${whatSkips}`);
  let redis: PrivateRedis | undefined;
  const states: SharedState[] = [];
  beforeAll(async () => {
    if (hasRedisServer) redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(states.map((s) => s.close()));
    await redis?.close();
  });
  return {
    /** The running server (stop and start it for "Redis went away" cases). */
    get redis(): PrivateRedis {
      return redis!;
    },
    /** One replica's connection, under `prefix`. */
    async open(prefix: string): Promise<SharedState> {
      const state = await testSharedState(redis!.url, prefix);
      states.push(state);
      return state;
    },
  };
}
