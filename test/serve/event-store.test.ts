// The per-session event stores behind SSE resumption in `tether mcp serve --http`: replay one
// stream's messages after an id, and stay within their bounds, per session and all together.
import { expect, test } from "bun:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { EventStoreBudget, jsonBytes, MAX_DELIVERED_RESULT_BYTES, SessionEventStore } from "../../src/serve/event-store.ts";

const closed = () => false;
const store = (budget = new EventStoreBudget(), live: (stream: string) => boolean = closed, maxEvents?: number) =>
  new SessionEventStore(budget, live, maxEvents);
const result = (id: number, bytes: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "x".repeat(bytes) }] } });

const note = (n: number): JSONRPCMessage => ({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: n } });

async function replay(store: SessionEventStore, after: string) {
  const sent: [string, JSONRPCMessage][] = [];
  const stream = await store.replayEventsAfter(after, { send: async (id, message) => void sent.push([id, message]) });
  return { stream, sent };
}

test("replays the messages of the same stream stored after the id, in order, without priming events", async () => {
  const events = store();
  const priming = await events.storeEvent("a", {} as JSONRPCMessage);
  const one = await events.storeEvent("a", note(1));
  await events.storeEvent("b", note(99));
  const two = await events.storeEvent("a", note(2));
  expect(await events.getStreamIdForEventId(priming)).toBe("a");
  const { stream, sent } = await replay(events, priming);
  expect(stream).toBe("a");
  expect(sent).toEqual([
    [one, note(1)],
    [two, note(2)],
  ]);
  expect((await replay(events, one)).sent).toEqual([[two, note(2)]]);
});

test("an unknown or expired id is refused", async () => {
  const events = store();
  expect(await events.getStreamIdForEventId("nope")).toBeUndefined();
  await expect(replay(events, "nope")).rejects.toThrow("unknown or expired event id nope");
});

test("a session keeps at most its event count, dropping the oldest first", async () => {
  const byCount = store(new EventStoreBudget(), closed, 3);
  const ids = [];
  for (let n = 0; n < 5; n++) ids.push(await byCount.storeEvent("a", note(n)));
  expect(byCount.size).toBe(3);
  expect(await byCount.getStreamIdForEventId(ids[1]!)).toBeUndefined();
  expect((await replay(byCount, ids[2]!)).sent.map(([, m]) => m)).toEqual([note(3), note(4)]);
});

test("all sessions share one byte budget: delivered events go first, an undelivered result is never evicted", async () => {
  const budget = new EventStoreBudget(3_000);
  const open = new Set(["live"]);
  const a = store(budget, (stream) => open.has(stream));
  const b = store(budget, (stream) => open.has(stream));
  const delivered = await a.storeEvent("live", result(1, 1_000));
  const waiting = await a.storeEvent("gone", result(2, 1_000));
  // B's result does not fit beside both: A's delivered one makes room, A's undelivered one stays.
  const other = await b.storeEvent("gone", result(3, 1_000));
  expect(await a.getStreamIdForEventId(delivered)).toBeUndefined();
  expect(await a.getStreamIdForEventId(waiting)).toBe("gone");
  expect(await b.getStreamIdForEventId(other)).toBe("gone");
  expect(budget.bytes).toBeLessThanOrEqual(3_000);
});

test("a result that can be neither kept nor delivered is answered, on resumption, with an error naming its size", async () => {
  const budget = new EventStoreBudget(2_000);
  const events = store(budget);
  const priming = await events.storeEvent("a", {} as JSONRPCMessage);
  await events.storeEvent("a", result(7, 5_000));
  const { sent } = await replay(events, priming);
  expect(sent).toHaveLength(1);
  const answer = sent[0]![1] as { id: number; error: { message: string } };
  expect(answer.id).toBe(7);
  expect(answer.error.message).toContain(`(${JSON.stringify(result(7, 5_000)).length} bytes)`);
  expect(answer.error.message).toContain("--event-store-bytes 2000");
  expect(budget.bytes).toBeLessThan(2_000);

  // A closed session gives its bytes back.
  events.dispose();
  expect(budget.bytes).toBe(0);
});

test("a large result written on a live stream is kept only as the error that stands in for it", async () => {
  const budget = new EventStoreBudget();
  const events = store(budget, () => true);
  const priming = await events.storeEvent("a", {} as JSONRPCMessage);
  await events.storeEvent("a", result(9, MAX_DELIVERED_RESULT_BYTES));
  expect(budget.bytes).toBeLessThan(1_000);
  const { sent } = await replay(events, priming);
  expect((sent[0]![1] as { id: number; error: { message: string } }).error.message).toContain("bytes) was sent on a stream that was cut");
});

test("sizes are counted as JSON.stringify would write them, without writing them", () => {
  const values = [{}, [], "x".repeat(100), [null, 1.5, -3e21], { a: 1, b: [1, 2, { c: 'd"\n\u0001\\é😀' }], e: null, f: true, g: undefined }, note(3)];
  for (const value of values) expect(jsonBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
});
