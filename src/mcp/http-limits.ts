// Bounds what an MCP HTTP server can make tether hold: one SSE event, or one JSON body, of at most
// MAX_MCP_HTTP_MESSAGE_BYTES. The SDK reads bodies whole (`response.json()`) and buffers an SSE
// event until its blank line, so the bound has to sit in the `fetch` it is given.

/** The largest SSE event or JSON response body tether reads from an MCP server over HTTP. */
import { ByteLimitError } from "../net/byte-limit.ts";

export const MAX_MCP_HTTP_MESSAGE_BYTES = 16 * 1024 * 1024;


/**
 * `fetchFn` whose response bodies fail once they pass `limit`: per event for `text/event-stream`
 * (a long-lived stream may carry any number of events), in all for anything else.
 * `onOversize` runs when that happens, before the reader sees the error.
 */
export function boundedFetch(fetchFn: typeof fetch, onOversize: (error: ByteLimitError) => void, limit = MAX_MCP_HTTP_MESSAGE_BYTES): typeof fetch {
  const bounded = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const response = await fetchFn(input, init);
    if (!response.body) return response;
    const sse = (response.headers.get("content-type") ?? "").toLowerCase().includes("text/event-stream");
    const counter = sse ? eventCounter(limit) : totalCounter(limit);
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (counter(chunk)) {
            const error = new ByteLimitError(sse ? "event" : "body", limit);
            onOversize(error);
            controller.error(error);
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    // The SDK resolves relative endpoints against response.url; a new Response has none.
    Object.defineProperty(wrapped, "url", { value: response.url });
    return wrapped;
  };
  return bounded as typeof fetch;
}

/** Counts all bytes; true once past `limit`. */
function totalCounter(limit: number): (chunk: Uint8Array) => boolean {
  let total = 0;
  return (chunk) => (total += chunk.length) > limit;
}

/**
 * Counts the bytes of the current SSE event (an event ends at an empty line, LF or CRLF);
 * true once one event is past `limit`.
 */
export function eventCounter(limit: number): (chunk: Uint8Array) => boolean {
  let event = 0;
  /** Bytes of the current line so far, a trailing CR included. */
  let line = 0;
  /** Whether the last byte seen was a CR (a CRLF split across chunks). */
  let lastCr = false;
  return (chunk) => {
    let start = 0;
    for (let lf = chunk.indexOf(10); lf >= 0; lf = chunk.indexOf(10, start)) {
      const length = line + (lf - start);
      const endsWithCr = lf > start ? chunk[lf - 1] === 13 : lastCr;
      if (length === 0 || (length === 1 && endsWithCr)) event = 0;
      else event += length + 1;
      line = 0;
      lastCr = false;
      start = lf + 1;
      if (event > limit) return true;
    }
    if (start < chunk.length) {
      line += chunk.length - start;
      lastCr = chunk[chunk.length - 1] === 13;
    }
    return event + line > limit;
  };
}
