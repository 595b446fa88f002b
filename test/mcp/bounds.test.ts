// The pure parts of the MCP read bounds: SSE event sizes, the stderr ring, the notification budget.
import { expect, test } from "bun:test";
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { eventCounter } from "../../src/mcp/http-limits.ts";
import { LineRing } from "../../src/mcp/line-ring.ts";
import { guardNotifications } from "../../src/mcp/notification-budget.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

test("eventCounter resets at each empty line (LF or CRLF, split across chunks) and trips inside one event", () => {
  const over = eventCounter(20);
  expect(over(bytes("data: 0123456789\n\n"))).toBe(false);
  expect(over(bytes("data: 0123456789\r\n\r"))).toBe(false);
  expect(over(bytes("\ndata: 0123456789\n"))).toBe(false);
  expect(over(bytes("\n"))).toBe(false);
  const endless = eventCounter(20);
  expect(endless(bytes("data: 0123456789"))).toBe(false);
  expect(endless(bytes("0123456789"))).toBe(true);
  const manyLines = eventCounter(20);
  expect(manyLines(bytes("data: 1\ndata: 2\ndata: 3\n"))).toBe(true);
});

test("LineRing keeps the last lines and cuts a line without end at its cap", () => {
  const ring = new LineRing(2, 8);
  ring.push("one\r\ntwo\nthr");
  ring.push("ee\n");
  expect(ring.snapshot()).toEqual(["two", "three"]);
  ring.push("0123456789");
  ring.push("abcdef");
  expect(ring.snapshot()).toEqual(["two", "three", "01234567 [line truncated]"]);
  ring.push("xyz\nnext");
  expect(ring.snapshot()).toEqual(["three", "01234567 [line truncated]", "next"]);
});

function fakeTransport(): Transport & { sent: JSONRPCMessage[] } {
  const sent: JSONRPCMessage[] = [];
  return { sent, start: async () => {}, close: async () => {}, send: async (message) => void sent.push(message) };
}

test("the budget passes responses always, notifications up to the limit per second, and warns once", async () => {
  let now = 0;
  let warnings = 0;
  const transport = fakeTransport();
  guardNotifications(transport, { perSecond: 3, now: () => now, onFirstExcess: () => warnings++ });
  const seen: JSONRPCMessage[] = [];
  transport.onmessage = (message) => seen.push(message);
  const note = (i: number): JSONRPCMessage => ({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: i } });
  for (let i = 0; i < 10; i++) transport.onmessage!(note(i));
  transport.onmessage!({ jsonrpc: "2.0", id: 1, result: {} });
  now = 1000;
  transport.onmessage!(note(10));
  await new Promise((resolve) => setImmediate(resolve));
  expect(seen.map((m) => ("method" in m ? (m.params as { data: number }).data : "result"))).toEqual([0, 1, 2, "result", 10]);
  expect(warnings).toBe(1);
});

test("progress passes only for tokens tether sent, until their answer arrives", async () => {
  const transport = fakeTransport();
  guardNotifications(transport, { onFirstExcess: () => {} });
  const seen: unknown[] = [];
  transport.onmessage = (message) => seen.push("params" in message ? (message.params as { progressToken: unknown }).progressToken : "answer");
  // The SDK may wrap the handler it installed: each message still counts once and arrives once.
  const inner = transport.onmessage!;
  transport.onmessage = (message, extra) => inner(message, extra);
  const progress = (token: unknown): JSONRPCMessage => ({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: token as string, progress: 1 } });
  transport.onmessage!(progress(7));
  await transport.send({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "x", _meta: { progressToken: 7 } } });
  transport.onmessage!(progress(7));
  transport.onmessage!(progress("never-issued"));
  transport.onmessage!({ jsonrpc: "2.0", id: 7, result: {} });
  transport.onmessage!(progress(7));
  await new Promise((resolve) => setImmediate(resolve));
  expect(seen).toEqual([7, "answer"]);
});

test("a response read together with its progress reaches the SDK after the SDK has dispatched the progress", async () => {
  const transport = fakeTransport();
  guardNotifications(transport, { onFirstExcess: () => {} });
  // Like the SDK: notifications are handled on a microtask, responses at once.
  const handled: string[] = [];
  transport.onmessage = (message) => {
    if ("method" in message) queueMicrotask(() => handled.push(`progress ${(message.params as { progress: number }).progress}`));
    else handled.push("answer");
  };
  let closed = false;
  transport.onclose = () => (closed = true);
  await transport.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "x", _meta: { progressToken: 1 } } });
  const progress = (n: number): JSONRPCMessage => ({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: n } });
  // One chunk: both progress notifications, the answer, then another message, in one synchronous run.
  transport.onmessage!(progress(1));
  transport.onmessage!(progress(2));
  transport.onmessage!({ jsonrpc: "2.0", id: 1, result: {} });
  transport.onmessage!({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "after" } });
  transport.onclose!();
  expect(closed).toBe(false);
  for (let turn = 0; turn < 5 && !closed; turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(handled).toEqual(["progress 1", "progress 2", "answer", "progress undefined"]);
  expect(closed).toBe(true);
});
