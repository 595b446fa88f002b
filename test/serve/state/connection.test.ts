// serve's link to Redis (src/serve/state/connection.ts) against a private redis-server: the URL and
// key checks, pub/sub on the dedicated connection, and what happens when Redis goes and comes back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, UsageError } from "../../../src/errors.ts";
import { connectState, parseStateUrl, readStateKey, replicaAlive, withTimeout } from "../../../src/serve/state/connection.ts";
import { freePort, hasRedisServer, type PrivateRedis, startRedis } from "../../support/redis.ts";
import { LOOSE_WAIT_MS, waitUntil } from "../../support/wait.ts";

describe("parseStateUrl", () => {
  test("redis and rediss URLs, with user, password and database", () => {
    expect(parseStateUrl("redis://127.0.0.1:6380")).toMatchObject({ tls: false, host: "127.0.0.1", port: 6380, db: 0 });
    expect(parseStateUrl("rediss://u:p@cache.internal:6379/3")).toMatchObject({ tls: true, host: "cache.internal", port: 6379, db: 3 });
    expect(parseStateUrl("redis://[::1]:6379")).toMatchObject({ port: 6379 });
    expect(parseStateUrl("redis://cache")).toMatchObject({ port: 6379 });
  });

  test("a mistake is a usage error that names the part, never the value", () => {
    for (const [value, part] of [
      ["http://u:s3cretpw@h:1", "scheme"],
      ["redis://u:s3cretpw@h:99999", "URL"],
      ["redis://u:s3cretpw@h:6379/zero", "database"],
      ["redis://u:s3cretpw@h:6379/0?x=1", "query"],
      ["not a url s3cretpw", "not a URL"],
    ] as const) {
      const error = (() => {
        try {
          parseStateUrl(value);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(UsageError);
      expect(error!.message).toContain(part);
      expect(error!.message).not.toContain("s3cretpw");
    }
  });
});

describe("readStateKey", () => {
  test("hex or base64, at least 32 bytes", () => {
    expect(readStateKey({ K: "ab".repeat(32) }, "K")).toHaveLength(32);
    expect(readStateKey({ K: Buffer.alloc(48, 7).toString("base64") }, "K")).toHaveLength(48);
    expect(readStateKey({ K: Buffer.alloc(32, 250).toString("base64url") }, "K")).toHaveLength(32);
    expect(() => readStateKey({ K: "ab".repeat(31) }, "K")).toThrow(ConfigError);
    expect(() => readStateKey({}, "K")).toThrow("not set");
    expect(() => readStateKey({ K: "not base64 at all!" }, "K")).toThrow("neither hex nor base64");
  });
});

describe.skipIf(!hasRedisServer)("connectState", () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.close());

  test("commands, pub/sub between two replicas, and each other's heartbeat; closing reports no outage", async () => {
    const changes: boolean[] = [];
    const [one, two] = await Promise.all([
      connectState(parseStateUrl(redis.url), { onReadyChange: (ready) => changes.push(ready) }),
      connectState(parseStateUrl(redis.url)),
    ]);
    try {
      expect(one.replicaId).not.toBe(two.replicaId);
      expect(one.ready()).toBe(true);
      expect(await replicaAlive(one, two.replicaId)).toBe(true);
      expect(await replicaAlive(one, "never-started")).toBe(false);
      const heard: string[] = [];
      const stop = await two.subscribe("tether:test:ch", (m) => heard.push(m));
      await one.publish("tether:test:ch", "hello");
      await waitUntil(() => heard.length === 1);
      await stop();
      await one.publish("tether:test:ch", "unheard");
      await Bun.sleep(100);
      expect(heard).toEqual(["hello"]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
    // serve closes its connection when it stops: that must not read as "shared state unreachable".
    await Bun.sleep(100);
    expect(changes).toEqual([]);
  });

  test("Redis not there at start: serve's connection comes up not ready, without waiting out Bun's reconnect attempts", async () => {
    const changes: boolean[] = [];
    const started = performance.now();
    const state = await connectState(parseStateUrl(`redis://127.0.0.1:${await freePort()}`), { onReadyChange: (ready) => changes.push(ready) });
    try {
      // A loose bound: Bun alone retries for about 30 s before its connect() gives up.
      expect(performance.now() - started).toBeLessThan(15_000);
      expect([state.ready(), changes]).toEqual([false, [false]]);
    } finally {
      await state.close();
    }
  }, 30_000);

  test("Redis stopped: not ready, commands fail at once; back: ready, and each subscription delivers exactly once", async () => {
    const changes: boolean[] = [];
    const state = await connectState(parseStateUrl(redis.url), { heartbeatMs: 200, onReadyChange: (ready) => changes.push(ready) });
    const publisher = await connectState(parseStateUrl(redis.url), { heartbeatMs: 200 });
    try {
      const heard: string[] = [];
      await state.subscribe("tether:test:bus", (m) => heard.push(m));
      await redis.stop();
      await waitUntil(() => !state.ready());
      // "At once": the command's own failure, not its timer (given 10 minutes here, so waiting it out
      // would read as "hung"), whatever the machine's speed.
      const failed = await Promise.race([
        withTimeout(state.redis.send("GET", ["x"]), 600_000).then(() => "answered", (error: unknown) => String(error)),
        Bun.sleep(LOOSE_WAIT_MS).then(() => "hung"),
      ]);
      expect(failed).toContain("unreachable");
      await redis.start();
      await waitUntil(() => state.ready() && publisher.ready(), "both connections ready again");
      // A short outage may pass between two heartbeats: what is reported last is that Redis is back.
      expect(changes.at(-1) ?? true).toBe(true);
      await waitUntil(async () => {
        await publisher.publish("tether:test:bus", "after");
        return heard.length > 0;
      });
      await Bun.sleep(200);
      expect(new Set(heard)).toEqual(new Set(["after"]));
      const count = heard.length;
      await publisher.publish("tether:test:bus", "once");
      await waitUntil(() => heard.length > count);
      await Bun.sleep(200);
      expect(heard.filter((m) => m === "once")).toHaveLength(1);
    } finally {
      await Promise.all([state.close(), publisher.close()]);
    }
  }, 30_000);
});

