// 2025 sessions' event stores in Redis (src/serve/state/event-store.ts) against a private
// redis-server: what one replica stores another replays, scoped to its session, and bounded by one
// byte budget with the in-memory store's order of eviction.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { connectState, parseStateUrl } from "../../../src/serve/state/connection.ts";
import { RedisEventStore, removeSessionEvents } from "../../../src/serve/state/event-store.ts";
import { eventBytesKey } from "../../../src/serve/state/keys.ts";
import type { SharedState } from "../../../src/serve/state/types.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../../support/redis.ts";

const note = (n: number): JSONRPCMessage => ({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: `n${n}`.padEnd(200, ".") } });
const result = (id: number, size = 200): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "r".repeat(size) }] } });
const TTL = { ttlMs: 60_000 };

async function replay(store: RedisEventStore, after: string): Promise<JSONRPCMessage[]> {
  const sent: JSONRPCMessage[] = [];
  await store.replayEventsAfter(after, { send: async (_id, message) => void sent.push(message) });
  return sent;
}

describe.skipIf(!hasRedisServer)("RedisEventStore", () => {
  let redis: PrivateRedis;
  let one: SharedState;
  let two: SharedState;
  beforeAll(async () => {
    redis = await startRedis();
    [one, two] = await Promise.all([connectState(parseStateUrl(redis.url)), connectState(parseStateUrl(redis.url))]);
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await redis?.close();
  });

  test("what one replica stores, another replays after Last-Event-ID; other sessions' ids do not resolve", async () => {
    const here = new RedisEventStore(one, "s1", () => false, TTL);
    const there = new RedisEventStore(two, "s1", () => false, TTL);
    const priming = await here.storeEvent("stream-a", {} as JSONRPCMessage);
    await here.storeEvent("stream-b", note(0));
    await here.storeEvent("stream-a", note(1));
    await here.storeEvent("stream-a", result(7));
    expect(await there.getStreamIdForEventId(priming)).toBe("stream-a");
    expect(await replay(there, priming)).toEqual([note(1), result(7)]);
    const elsewhere = new RedisEventStore(two, "s2", () => false, TTL);
    expect(replay(elsewhere, priming)).rejects.toThrow("unknown or expired event id");
    await removeSessionEvents(one, "s1");
    expect(replay(there, priming)).rejects.toThrow("unknown or expired event id");
  });

  test("over budget: delivered events go first, then undelivered notifications; an undelivered result stays", async () => {
    await one.redis.send("FLUSHDB", []);
    let live = true;
    const store = new RedisEventStore(one, "s3", () => live, { ...TTL, maxBytes: 1_200 });
    const start = await store.storeEvent("st", {} as JSONRPCMessage);
    await store.storeEvent("st", note(1)); // delivered
    live = false;
    await store.storeEvent("st", note(2)); // undelivered
    await store.storeEvent("st", result(3)); // undelivered result
    await store.storeEvent("st", note(4));
    // Full now: the next one evicts the delivered note(1) first, then the oldest undelivered note.
    await store.storeEvent("st", note(5));
    expect(await replay(store, start)).toEqual([note(2), result(3), note(4), note(5)]);
    await store.storeEvent("st", note(6));
    expect(await replay(store, start)).toEqual([result(3), note(4), note(5), note(6)]);
    // A result too large for the budget is kept as an error naming its size.
    await store.storeEvent("st", result(9, 2_000));
    const last = (await replay(store, start)).at(-1) as { id: number; error: { message: string } };
    expect(last.id).toBe(9);
    expect(last.error.message).toContain("--event-store-bytes 1200");
  });

  test("the budget is given back when a session ends: its bytes are reclaimed as room is needed", async () => {
    await one.redis.send("FLUSHDB", []);
    const ended = new RedisEventStore(one, "gone", () => false, { ...TTL, maxBytes: 1_000 });
    for (let i = 0; i < 3; i++) await ended.storeEvent("st", result(i));
    await removeSessionEvents(one, "gone");
    const next = new RedisEventStore(two, "next", () => false, { ...TTL, maxBytes: 1_000 });
    const start = await next.storeEvent("st", {} as JSONRPCMessage);
    for (let i = 0; i < 3; i++) await next.storeEvent("st", result(10 + i));
    expect(await replay(next, start)).toEqual([result(10), result(11), result(12)]);
    expect(Number(await one.redis.send("GET", [eventBytesKey(one.prefix)]))).toBeLessThanOrEqual(1_000);
  });
});
