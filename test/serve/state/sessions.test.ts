// 2025 sessions in Redis (src/serve/state/sessions.ts) against a private redis-server: records,
// re-homing when the home's heartbeat stops, and the bus that carries answers and ends.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { connectState, parseStateUrl } from "../../../src/serve/state/connection.ts";
import { heartbeatKey } from "../../../src/serve/state/keys.ts";
import { redisSessionDirectory } from "../../../src/serve/state/sessions.ts";
import type { SharedState } from "../../../src/serve/state/types.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../../support/redis.ts";
import { waitUntil } from "../../support/wait.ts";

const INIT = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } };

describe.skipIf(!hasRedisServer)("redisSessionDirectory", () => {
  let redis: PrivateRedis;
  let a: SharedState;
  let b: SharedState;
  beforeAll(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([connectState(parseStateUrl(redis.url)), connectState(parseStateUrl(redis.url))]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.close();
  });

  test("a session opened on A is found on B with its home; a dead home is replaced by the replica that found it", async () => {
    const onA = redisSessionDirectory(a, { idleMs: 60_000 });
    const onB = redisSessionDirectory(b, { idleMs: 60_000 });
    await onA.open("s1", INIT);
    expect(await onB.find("s1")).toEqual({ initialize: INIT, home: a.replicaId });
    expect(await onB.find("nope")).toBeUndefined();
    await a.redis.send("DEL", [heartbeatKey(a.prefix, a.replicaId)]);
    expect((await onB.find("s1"))?.home).toBe(b.replicaId);
    expect((await onA.find("s1"))?.home).toBe(b.replicaId);
    expect(await onA.touch("s1")).toBe(true);
    await onB.remove("s1");
    expect(await onA.touch("s1")).toBe(false);
    expect(await onA.find("s1")).toBeUndefined();
  });

  test("an answer reaches only the replica that asked, ids restored; cancellations reach every replica; DELETE ends it everywhere", async () => {
    const onA = redisSessionDirectory(a, { idleMs: 60_000 });
    const onB = redisSessionDirectory(b, { idleMs: 60_000 });
    await onA.open("s2", INIT);
    const heardA: JSONRPCMessage[] = [];
    const heardB: JSONRPCMessage[] = [];
    let endedA = false;
    await onA.listen("s2", { deliver: (m) => heardA.push(m), end: () => (endedA = true) });
    await onB.listen("s2", { deliver: (m) => heardB.push(m), end: () => {} });
    // A asks the client (its request id 0, tagged on the way out); the answer lands on B.
    const asked = onA.tagOutgoing({ jsonrpc: "2.0", id: 0, method: "elicitation/create", params: {} } as JSONRPCMessage) as { id: string };
    expect(typeof asked.id).toBe("string");
    const cancel = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 5 } } as JSONRPCMessage;
    const answer = { jsonrpc: "2.0", id: asked.id, result: { action: "decline" } } as JSONRPCMessage;
    expect(await onB.route("s2", [answer, cancel])).toEqual([cancel]);
    await waitUntil(() => heardA.length === 2);
    expect(heardA).toEqual([{ jsonrpc: "2.0", id: 0, result: { action: "decline" } } as JSONRPCMessage, cancel]);
    expect(heardB).toEqual([]);
    // The asker's own answer is handled where it lands, id restored.
    expect(await onA.route("s2", [answer])).toEqual([{ jsonrpc: "2.0", id: 0, result: { action: "decline" } } as JSONRPCMessage]);
    await onB.remove("s2");
    await waitUntil(() => endedA);
  });
});

