// Traces (issue 23): HTTP requests (model requests, streamable HTTP to MCP servers) carry the
// active span's `traceparent` / `tracestate` headers while tracing propagates. Never `baggage`.
import type { Tracer } from "./traces.ts";

/** `fetchFn` adding the trace headers of the span active at each call; itself when tracing is off. */
export function tracedFetch(fetchFn: typeof fetch, tracer: Tracer): typeof fetch {
  if (!tracer.propagating) return fetchFn;
  const traced = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const fields = tracer.outgoing();
    if (!fields) return fetchFn(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set("traceparent", fields.traceparent);
    if (fields.tracestate) headers.set("tracestate", fields.tracestate);
    else headers.delete("tracestate");
    headers.delete("baggage");
    return fetchFn(input, { ...init, headers });
  };
  return traced as typeof fetch;
}
