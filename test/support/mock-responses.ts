// A scripted Responses-API server on 127.0.0.1: serves SSE bodies in order, fails on cue, records requests.

export interface SseStep {
  /** The body, usually `sse([...])` from ./sse.ts. */
  sse: string;
  /** Split the body into chunks of this many bytes (default: one chunk). */
  chunkSize?: number;
  /** Wait this long before each chunk. */
  delayMs?: number;
  /** Send only this many bytes of the body, then end the response. */
  cutAfterBytes?: number;
  /** With `cutAfterBytes`: "eof" ends the body cleanly (default), "reset" breaks the connection. */
  cutMode?: "eof" | "reset";
  headers?: Record<string, string>;
  /**
   * A hostile stream instead of `sse` (after the body's first chunk, if any): "endless-deltas"
   * sends text deltas forever, "silence" sends headers and then nothing, "unterminated-event"
   * sends one `data:` line that never ends. `delayMs` paces the endless ones.
   */
  hostile?: HostileMode;
}

export type HostileMode = "endless-deltas" | "silence" | "unterminated-event";

/** A hostile stream step; `sse` (e.g. `response.created`) goes first. */
export function hostileStep(mode: HostileMode, options: { sse?: string; delayMs?: number } = {}): SseStep {
  return { sse: options.sse ?? "", hostile: mode, delayMs: options.delayMs };
}

export interface FailStep {
  status: number;
  /** Sent as an OpenAI-style `{"error": {"message": ...}}` body. */
  error?: string;
  /** `Retry-After` header value (seconds or an HTTP date). */
  retryAfter?: string;
  headers?: Record<string, string>;
}

export type MockStep = SseStep | FailStep;

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/responses?api-version=1`. */
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export interface MockResponses {
  /** A `base_url`, ending in `/v1`. */
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export function sseStep(body: string, options: Omit<SseStep, "sse"> = {}): SseStep {
  return { sse: body, ...options };
}

export function failStep(status: number, options: Omit<FailStep, "status"> = {}): FailStep {
  return { status, ...options };
}

/** `count` identical failures, e.g. `...failTimes(2, 500)`. */
export function failTimes(count: number, status: number, options: Omit<FailStep, "status"> = {}): FailStep[] {
  return Array.from({ length: count }, () => failStep(status, options));
}

const encoder = new TextEncoder();

function chunksOf(bytes: Uint8Array, size: number | undefined): Uint8Array[] {
  if (!size || size >= bytes.length) return [bytes];
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

/** What the hostile modes repeat: 64 KiB per pull, so the flood is fast. */
function hostileChunk(mode: HostileMode): Uint8Array | undefined {
  if (mode === "silence") return undefined;
  if (mode === "unterminated-event") return encoder.encode("x".repeat(64 * 1024));
  const event = `event: response.output_text.delta\ndata: ${JSON.stringify({ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: "flood " })}\n\n`;
  return encoder.encode(event.repeat(Math.ceil((64 * 1024) / event.length)));
}

function hostileBody(step: SseStep & { hostile: HostileMode }): ReadableStream<Uint8Array> {
  const first = encoder.encode(step.sse + (step.hostile === "unterminated-event" ? "event: response.output_text.delta\ndata: " : ""));
  const chunk = hostileChunk(step.hostile);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        if (first.length > 0) return controller.enqueue(first);
      }
      if (!chunk) return new Promise<void>(() => {}); // silence: never another byte, never the end
      if (step.delayMs) await Bun.sleep(step.delayMs);
      controller.enqueue(chunk);
    },
  });
}

function streamBody(step: SseStep): ReadableStream<Uint8Array> {
  if (step.hostile) return hostileBody(step as SseStep & { hostile: HostileMode });
  const full = encoder.encode(step.sse);
  const cut = step.cutAfterBytes !== undefined;
  const chunks = chunksOf(cut ? full.subarray(0, step.cutAfterBytes) : full, step.chunkSize);
  let index = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step.delayMs) await Bun.sleep(step.delayMs);
      const chunk = chunks[index++];
      if (chunk && chunk.length > 0) controller.enqueue(chunk);
      if (index < chunks.length) return;
      if (cut && step.cutMode === "reset") {
        // Let the last chunk reach the socket, then break the connection. Bun resets the
        // socket when a response stream errors; with no reason it also logs nothing.
        await Bun.sleep(20);
        controller.error();
      } else {
        controller.close();
      }
    },
  });
}

function respond(step: MockStep | undefined, requestNumber: number): Response {
  const requestId = { "x-request-id": `req_${requestNumber}` };
  if (step === undefined) {
    const error = { message: `mock responses script exhausted at request ${requestNumber}` };
    return Response.json({ error }, { status: 500, headers: requestId });
  }
  if ("sse" in step) {
    return new Response(streamBody(step), {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache", ...requestId, ...step.headers },
    });
  }
  const headers: Record<string, string> = { ...requestId, ...step.headers };
  if (step.retryAfter !== undefined) headers["retry-after"] = step.retryAfter;
  const error = { message: step.error ?? `mock failure ${step.status}`, type: "mock_error", code: null };
  return Response.json({ error }, { status: step.status, headers });
}

/** Starts the server; each POST to `/v1/responses` takes the next step of `script`. */
export function startMockResponses(script: MockStep[]): MockResponses {
  const requests: RecordedRequest[] = [];
  let next = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const text = await request.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      requests.push({
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        body,
      });
      if (request.method !== "POST" || url.pathname !== "/v1/responses") {
        return Response.json({ error: { message: `no route for ${request.method} ${url.pathname}` } }, { status: 404 });
      }
      const step = script[next++];
      return respond(step, requests.length);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    requests,
    stop: () => server.stop(true),
  };
}
