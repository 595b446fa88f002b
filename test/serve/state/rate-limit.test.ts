// Rate counters for `--rate-limit`: the same cases in memory and in a real Redis, and across two
// replicas' counters in Redis.
import { describe, expect, test } from "bun:test";
import { MemoryRateCounter, rateKey, RedisRateCounter } from "../../../src/serve/state/rate-limit.ts";
import type { RateCounter } from "../../../src/serve/state/types.ts";
import { hasRedisServer } from "../../support/redis.ts";
import { redisForFile } from "../../support/shared-state.ts";

const shared = redisForFile("rate-limit.test.ts", "the Redis cases are skipped");
const replica = (prefix: string) => shared.open(prefix);

let run = 0;
const kinds: [string, boolean, () => RateCounter | Promise<RateCounter>][] = [
  ["memory", true, () => new MemoryRateCounter()],
  ["redis", hasRedisServer, async () => new RedisRateCounter(await replica(`t${++run}:`))],
];

for (const [kind, available, make] of kinds) {
  describe.if(available)(`${kind} rate counter`, () => {
    test("admits `limit` hits in the window, refuses the next with a retry time within the window; subjects count apart", async () => {
      const counter = await make();
      for (let i = 0; i < 3; i++) expect((await counter.hit("alice", 3, 60_000)).allowed).toBe(true);
      const refused = await counter.hit("alice", 3, 60_000);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(await counter.hit("bob", 3, 60_000)).toEqual({ allowed: true, retryAfterMs: 0 });
    });

    test("hits leave the window: admitted again once it passed", async () => {
      const counter = await make();
      expect((await counter.hit("carol", 1, 300)).allowed).toBe(true);
      expect((await counter.hit("carol", 1, 300)).allowed).toBe(false);
      await Bun.sleep(450);
      expect((await counter.hit("carol", 1, 300)).allowed).toBe(true);
    });
  });
}

test("memory: the window slides (a hit counts until windowMs after it, not until a boundary)", async () => {
  let now = 1_000;
  const counter = new MemoryRateCounter(() => now);
  expect((await counter.hit("s", 2, 1_000)).allowed).toBe(true);
  now = 1_600;
  expect((await counter.hit("s", 2, 1_000)).allowed).toBe(true);
  now = 1_900;
  expect(await counter.hit("s", 2, 1_000)).toEqual({ allowed: false, retryAfterMs: 100 });
  now = 2_001;
  expect((await counter.hit("s", 2, 1_000)).allowed).toBe(true);
  expect((await counter.hit("s", 2, 1_000)).allowed).toBe(false);
});

describe.if(hasRedisServer)("redis rate counter across replicas", () => {
  test("two replicas' counters share one window: of 40 concurrent hits, exactly the limit is admitted", async () => {
    const a = new RedisRateCounter(await replica("shared:"));
    const b = new RedisRateCounter(await replica("shared:"));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit("dave", 10, 60_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect((await a.hit("dave", 10, 60_000)).allowed).toBe(false);
    expect((await b.hit("dave", 10, 60_000)).allowed).toBe(false);
  });

  test("the subject is not written to Redis as is", async () => {
    const state = await replica("keys:");
    await new RedisRateCounter(state).hit("Bearer secret-token-value", 5, 60_000);
    const keys = ((await state.redis.send("KEYS", ["keys:*"])) as string[]).filter((key) => !key.includes(":replica:")); // not the replicas' heartbeats
    expect(keys).toEqual([rateKey("keys:", "Bearer secret-token-value")]);
    expect(keys.join()).not.toContain("secret-token-value");
  });
});
