// Requests relayed to a session's home replica through Redis pub/sub (`--state`): request/reply
// where the reply is an HTTP response, streamed. The asking replica subscribes to a reply channel
// of its own before it publishes; the home answers the request as if it had arrived there and
// publishes the response's head, then its body as it is written (an SSE stream, chunk by chunk),
// then the end. Messages on one Redis channel from one connection arrive in order.
import { randomUUID } from "node:crypto";
import type { RelayedRequest } from "../session-directory.ts";
import { relayChannel, replyChannel } from "./keys.ts";
import type { SharedState } from "./types.ts";

/** How long the home has to start answering before the asking replica serves the request itself. */
export const RELAY_ANSWER_MS = 5_000;

/** Headers that describe one hop's framing, not the message: each side's HTTP stack sets its own. */
const HOP_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive"]);

type ReplyMessage = { status: number; headers: [string, string][] } | { chunk: string } | { end: true };

/** Sends `request` to `home` and resolves to its response, or undefined when the home did not start answering in time. */
export async function relayRequest(state: SharedState, home: string, request: RelayedRequest, answerMs = RELAY_ANSWER_MS): Promise<Response | undefined> {
  const channel = replyChannel(state.prefix, randomUUID());
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let finished = false;
  let stop: () => Promise<void> = async () => {};
  const finish = () => {
    if (finished) return;
    finished = true;
    void stop();
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: finish,
  });
  let answerHead!: (head: { status: number; headers: [string, string][] }) => void;
  const head = new Promise<{ status: number; headers: [string, string][] }>((resolve) => (answerHead = resolve));
  stop = await state.subscribe(channel, (raw) => {
    const message = JSON.parse(raw) as ReplyMessage;
    try {
      if ("status" in message) answerHead(message);
      else if ("chunk" in message) controller.enqueue(encoder.encode(message.chunk));
      else {
        controller.close();
        finish();
      }
    } catch {
      // The client went away: the rest of the answer has nowhere to go.
      finish();
    }
  });
  const headers = request.headers.filter(([name]) => !HOP_HEADERS.has(name.toLowerCase()));
  await state.publish(relayChannel(state.prefix, home), JSON.stringify({ reply: channel, ...request, headers }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answered = await Promise.race([head, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), answerMs)))]);
  clearTimeout(timer);
  if (!answered) {
    finish();
    return undefined;
  }
  return new Response(body, { status: answered.status, headers: answered.headers.filter(([name]) => !HOP_HEADERS.has(name.toLowerCase())) });
}

/** Answers the requests relayed to this replica with `handle`, streaming each response back. */
export async function serveRelayedRequests(state: SharedState, handle: (request: Request) => Promise<Response>): Promise<void> {
  await state.subscribe(relayChannel(state.prefix, state.replicaId), (raw) => {
    void (async () => {
      const relayed = JSON.parse(raw) as RelayedRequest & { reply: string };
      const reply = (message: ReplyMessage) => state.publish(relayed.reply, JSON.stringify(message));
      const response = await handle(new Request("http://relayed/mcp", { method: relayed.method, headers: relayed.headers, body: relayed.body }));
      await reply({ status: response.status, headers: [...response.headers] });
      if (response.body) {
        const decoder = new TextDecoder();
        const reader = response.body.getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) await reply({ chunk: decoder.decode(read.value, { stream: true }) });
      }
      await reply({ end: true });
    })().catch(() => {
      // Redis went away mid-answer: the asking replica's client sees its stream end, and resumes.
    });
  });
}
