// The requestState relay between replicas (src/serve/state/exchange-relay.ts) over a real Redis:
// the owner's turn, its log lines and errors come back; a cancel reaches the owner; a gone owner is a refusal.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { INVALID_PARAMS, ProtocolError } from "@modelcontextprotocol/server";
import type { LoggingMessageNotificationParams } from "@modelcontextprotocol/client";
import type { RemoteRetry, Turn } from "../../../src/serve/forwarding.ts";
import { ExchangeRelay, type ResumeHere } from "../../../src/serve/state/exchange-relay.ts";
import type { SharedState } from "../../../src/serve/state/types.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../../support/redis.ts";
import { testSharedState } from "../../support/shared-state.ts";

if (!hasRedisServer) console.warn("exchange-relay.test.ts: redis-server is not installed; skipped");

let redis: PrivateRedis | undefined;
const states: SharedState[] = [];
const relays: ExchangeRelay[] = [];
beforeAll(async () => {
  if (hasRedisServer) redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await Promise.all(states.map((s) => s.close()));
  await redis?.close();
});

const RETRY: RemoteRetry = { requestState: "owner.exchange/1", request: "digest", inputResponses: { q: { action: "accept" } } };

/** A replica's relay, resuming its exchanges with `resume`. */
const KEY = new TextEncoder().encode("r".repeat(48));

async function replica(resume: ResumeHere, key = KEY, ackTimeoutMs?: number): Promise<{ state: SharedState; relay: ExchangeRelay }> {
  const state = await testSharedState(redis!.url, "relay:");
  states.push(state);
  const relay = new ExchangeRelay(state, key, resume, ackTimeoutMs);
  relays.push(relay);
  await relay.start();
  return { state, relay };
}

const never: ResumeHere = () => new Promise(() => {});

describe.if(hasRedisServer)("ExchangeRelay", () => {
  test("the owner resumes the retry it was sent and its turn comes back, with the log lines sent meanwhile", async () => {
    const seen: RemoteRetry[] = [];
    const owner = await replica(async (retry, _signal, log) => {
      seen.push(retry);
      log({ level: "info", data: "working" });
      return { done: false, inputRequests: { next: { method: "roots/list" } }, state: "owner.exchange/2" } as Turn<unknown>;
    });
    const other = await replica(never);
    const lines: LoggingMessageNotificationParams[] = [];
    const turn = await other.relay.resume(owner.state.replicaId, RETRY, new AbortController().signal, (p) => lines.push(p));
    expect(turn).toEqual({ done: false, inputRequests: { next: { method: "roots/list" } }, state: "owner.exchange/2" } as Turn<unknown>);
    expect(seen).toEqual([RETRY]);
    expect(lines).toEqual([{ level: "info", data: "working" }]);
  });

  test("the owner's refusal comes back as the same protocol error", async () => {
    const owner = await replica(async () => {
      throw new ProtocolError(INVALID_PARAMS, "Invalid or expired requestState");
    });
    const other = await replica(never);
    const error = await other.relay.resume(owner.state.replicaId, RETRY, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(INVALID_PARAMS);
    expect((error as Error).message).toBe("Invalid or expired requestState");
  });

  test("cancelling the retry cancels it on the owner", async () => {
    let cancelled!: (reason: unknown) => void;
    const ownerSaw = new Promise((resolve) => (cancelled = resolve));
    const owner = await replica(
      (_retry, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            cancelled(signal.reason);
            reject(signal.reason as Error);
          }),
        ),
    );
    const other = await replica(never);
    const controller = new AbortController();
    const pending = other.relay.resume(owner.state.replicaId, RETRY, controller.signal);
    await Bun.sleep(100);
    controller.abort(new Error("client cancelled"));
    expect(String(await ownerSaw)).toContain("cancelled");
    await expect(pending).rejects.toThrow(/cancelled/);
  });

  test("a retry for a replica that is gone is refused as an expired state", async () => {
    const other = await replica(never);
    const error = await other.relay.resume(crypto.randomUUID(), RETRY, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(INVALID_PARAMS);
    expect((error as Error).message).toMatch(/Invalid or expired requestState.*gone/);
  });

  test("a message not signed with the state key is ignored: a Redis client without the key cannot answer a question", async () => {
    const seen: RemoteRetry[] = [];
    const owner = await replica(async (retry) => {
      seen.push(retry);
      return { done: true, value: {} };
    });
    const forged = JSON.stringify({ type: "resume", relay: "r1", from: "x", retry: RETRY });
    expect(Number(await owner.state.redis.publish(`relay:exchange:${owner.state.replicaId}`, forged))).toBe(1);
    expect(Number(await owner.state.redis.publish(`relay:exchange:${owner.state.replicaId}`, JSON.stringify({ body: forged, mac: "AAAA" })))).toBe(1);
    // A replica under another key is no better placed: its relay times out waiting for an answer that
    // never comes (after 1 s here, not the product's 5 s: an owner that took the message would have
    // called its resume, which `seen` would show, well within that even on a loaded machine).
    const stranger = await replica(never, new TextEncoder().encode("x".repeat(48)), 1_000);
    const error = await stranger.relay.resume(owner.state.replicaId, RETRY, new AbortController().signal).catch((e: unknown) => e);
    expect(String(error)).toMatch(/did not take the answer/);
    expect(seen).toEqual([]);
  }, 20_000);
});
