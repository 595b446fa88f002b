// The per-session event store behind SSE resumption in `tether mcp serve --http`: replays one
// stream's messages after an id, and stays within its bounds.
import { expect, test } from "bun:test";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { SessionEventStore } from "../../src/serve/event-store.ts";

const note = (n: number): JSONRPCMessage => ({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: n } });

async function replay(store: SessionEventStore, after: string) {
  const sent: [string, JSONRPCMessage][] = [];
  const stream = await store.replayEventsAfter(after, { send: async (id, message) => void sent.push([id, message]) });
  return { stream, sent };
}

test("replays the messages of the same stream stored after the id, in order, without priming events", async () => {
  const store = new SessionEventStore();
  const priming = await store.storeEvent("a", {} as JSONRPCMessage);
  const one = await store.storeEvent("a", note(1));
  await store.storeEvent("b", note(99));
  const two = await store.storeEvent("a", note(2));
  expect(await store.getStreamIdForEventId(priming)).toBe("a");
  const { stream, sent } = await replay(store, priming);
  expect(stream).toBe("a");
  expect(sent).toEqual([
    [one, note(1)],
    [two, note(2)],
  ]);
  expect((await replay(store, one)).sent).toEqual([[two, note(2)]]);
});

test("an unknown or expired id is refused", async () => {
  const store = new SessionEventStore();
  expect(await store.getStreamIdForEventId("nope")).toBeUndefined();
  await expect(replay(store, "nope")).rejects.toThrow("unknown or expired event id nope");
});

test("keeps at most its event count and byte size, dropping the oldest first", async () => {
  const byCount = new SessionEventStore(3, 1_000_000);
  const ids = [];
  for (let n = 0; n < 5; n++) ids.push(await byCount.storeEvent("a", note(n)));
  expect(byCount.size).toBe(3);
  expect(await byCount.getStreamIdForEventId(ids[1]!)).toBeUndefined();
  expect((await replay(byCount, ids[2]!)).sent.map(([, m]) => m)).toEqual([note(3), note(4)]);

  const size = JSON.stringify(note(0)).length;
  const bySize = new SessionEventStore(1_000, size * 2);
  for (let n = 0; n < 4; n++) await bySize.storeEvent("a", note(n));
  expect(bySize.size).toBe(2);
  // One message larger than the whole bound is still kept, alone: it may be a call's result.
  const big: JSONRPCMessage = { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "x".repeat(size * 4) }] } };
  const bigId = await bySize.storeEvent("a", big);
  expect(bySize.size).toBe(1);
  expect(await bySize.getStreamIdForEventId(bigId)).toBe("a");
});
