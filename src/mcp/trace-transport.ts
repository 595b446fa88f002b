// Traces (issue 23) at the one place every MCP request passes, whichever command or SDK path sent
// it (discovery, list pages, input_required retries, subscriptions): the transport. Each JSON-RPC
// request becomes a `tether.mcp_request` CLIENT span, child of whatever span is active where it was
// sent, ended by its response; and, while tracing propagates, its `params._meta` carries
// `traceparent` / `tracestate` (SEP-414, MCP 2026-07-28) naming that span. `baggage` never leaves.
// The SDK only offers `_meta` per call; here it reaches every request, the SDK's own included.
import { BAGGAGE_META_KEY, type JSONRPCMessage, TRACEPARENT_META_KEY, TRACESTATE_META_KEY, type Transport } from "@modelcontextprotocol/client";
import { errorText, type Span, SpanKind, type Tracer } from "../telemetry/traces.ts";

export interface TracedTransportInfo {
  /** The server's name in config.toml. */
  server: string;
  /** How tether reaches it. */
  transport: "stdio" | "http" | "sse";
  /** The negotiated era, once known (`modern` = 2026-07-28, `legacy` = 2025 `initialize`). */
  era(): "modern" | "legacy" | undefined;
  /** The negotiated protocol version, once known. */
  protocolVersion(): string | undefined;
}

/** At most this many requests awaiting a response are tracked; beyond it, spans end unanswered. */
const MAX_PENDING = 4_096;

/** `transport` with its requests traced and carrying trace context; itself when tracing is off. */
export function traceTransport<T extends Transport>(transport: T, tracer: Tracer, info: TracedTransportInfo): T {
  if (!tracer.propagating) return transport;
  const pending = new Map<string | number, Pending>();
  const send = transport.send.bind(transport);
  transport.send = ((message: JSONRPCMessage, options?: unknown) => {
    if (!("method" in message) || !("id" in message)) {
      // A request tether gave up on (timeout, Ctrl-C) gets no response: its span ends here.
      if ("method" in message && message.method === "notifications/cancelled") endCancelled(pending, (message.params as { requestId?: unknown } | undefined)?.requestId);
      return send(message, options as never);
    }
    const span = tracer.exporting ? tracer.start("tether.mcp_request", { kind: SpanKind.CLIENT, attributes: requestAttributes(message, info) }) : undefined;
    if (span) {
      if (pending.size >= MAX_PENDING) endAll(pending, "too many requests awaiting a response");
      pending.set(message.id, { span, method: message.method });
    }
    // Sent inside the span: an HTTP transport's POST carries its traceparent header too (./http.ts).
    const go = () => send(withTraceMeta(message, tracer.outgoing()), options as never);
    const sent = span ? tracer.within(span, go) : go();
    return sent.catch((error: unknown) => {
      if (span && pending.get(message.id)?.span === span) {
        pending.delete(message.id);
        span.fail(errorText(error));
        span.end();
      }
      throw error;
    });
  }) as T["send"];

  // The SDK sets onmessage and onclose after this wrapper exists, and may read them back to wrap
  // them again: each handler set is wrapped once, chained to an accessor already installed
  // (./notification-budget.ts, ./result-type.ts). A response seen twice ends its span once.
  const observe = (message: JSONRPCMessage) => {
    if (pending.size === 0 || !("id" in message) || "method" in message || message.id === undefined) return;
    const entry = pending.get(message.id);
    if (!entry) return;
    pending.delete(message.id);
    endWithResponse(entry, message, info);
  };
  chain(transport, "onmessage", (handler) => (message: JSONRPCMessage, extra?: unknown) => {
    observe(message);
    (handler as (m: JSONRPCMessage, e?: unknown) => void)(message, extra);
  });
  chain(transport, "onclose", (handler) => () => {
    endAll(pending, "connection closed");
    (handler as () => void)();
  });
  // The SDK probes a stdio server's era on a sibling built as `new transport.constructor(params)`
  // (./stdio.ts gives the transport an own constructor for its guards): the probe is traced too.
  const sibling = Object.getOwnPropertyDescriptor(transport, "constructor");
  if (sibling && typeof sibling.value === "function") {
    const make = sibling.value as (params: unknown) => Transport;
    function TracedSibling(params: unknown): Transport {
      return traceTransport(make(params), tracer, info);
    }
    Object.defineProperty(transport, "constructor", { value: TracedSibling, configurable: true, writable: true });
  }
  return transport;
}

function chain(transport: Transport, key: "onmessage" | "onclose", wrap: (handler: (...args: never[]) => void) => (...args: never[]) => void): void {
  const inner = Object.getOwnPropertyDescriptor(transport, key);
  let own = transport[key] as ((...args: never[]) => void) | undefined;
  Object.defineProperty(transport, key, {
    configurable: true,
    enumerable: true,
    get: () => (inner?.get ? inner.get.call(transport) : own),
    set: (handler: ((...args: never[]) => void) | undefined) => {
      const wrapped = handler && wrap(handler);
      if (inner?.set) inner.set.call(transport, wrapped);
      else own = wrapped;
    },
  });
}

function requestAttributes(message: JSONRPCMessage & { method: string; id: string | number }, info: TracedTransportInfo): Record<string, string | number | undefined> {
  const params = ("params" in message ? message.params : undefined) as Record<string, unknown> | undefined;
  return {
    // OpenTelemetry's MCP semantic conventions where they exist; the server's config name as tether's logs name it.
    "mcp.method.name": message.method,
    "mcp.server": info.server,
    "mcp.transport": info.transport,
    "network.transport": info.transport === "stdio" ? "pipe" : "tcp",
    "jsonrpc.request.id": String(message.id),
    "gen_ai.operation.name": message.method === "tools/call" ? "execute_tool" : undefined,
    "gen_ai.tool.name": message.method === "tools/call" && typeof params?.name === "string" ? params.name : undefined,
    "gen_ai.prompt.name": message.method === "prompts/get" && typeof params?.name === "string" ? params.name : undefined,
    "mcp.resource.uri": typeof params?.uri === "string" && message.method.startsWith("resources/") ? params.uri : undefined,
  };
}

/** A request awaiting its response. */
interface Pending {
  span: Span;
  method: string;
}

/** JSON-RPC's "method not found". */
const METHOD_NOT_FOUND = -32601;

function endWithResponse({ span, method }: Pending, message: JSONRPCMessage, info: TracedTransportInfo): void {
  span.set({ "mcp.era": info.era(), "mcp.protocol.version": info.protocolVersion() });
  if ("error" in message && message.error) {
    span.set({ "rpc.response.status_code": String(message.error.code) });
    // A 2025 server refusing the era probe is how the probe learns the era, not a failure.
    if (method === "server/discover" && message.error.code === METHOD_NOT_FOUND) return void span.end();
    span.set({ "error.type": String(message.error.code) });
    span.fail(String(message.error.message ?? "error"));
  } else if ("result" in message && (message.result as { isError?: unknown } | undefined)?.isError === true) {
    // A tool that ran and failed: the call succeeded as a request, the tool did not.
    span.set({ "error.type": "tool_error" });
    span.fail("the tool returned an error");
  }
  span.end();
}

function endCancelled(pending: Map<string | number, Pending>, id: unknown): void {
  if (typeof id !== "string" && typeof id !== "number") return;
  const span = pending.get(id)?.span;
  if (!span) return;
  pending.delete(id);
  span.fail("cancelled");
  span.end();
}

function endAll(pending: Map<string | number, Pending>, reason: string): void {
  for (const { span } of pending.values()) {
    span.fail(reason);
    span.end();
  }
  pending.clear();
}

/** The request with the trace fields in `params._meta`, and without `baggage`; a copy, never the caller's object. */
export function withTraceMeta<M extends JSONRPCMessage>(message: M, fields: { traceparent: string; tracestate?: string } | undefined): M {
  if (!fields || !("method" in message)) return message;
  const params = (("params" in message ? message.params : undefined) ?? {}) as Record<string, unknown>;
  const meta: Record<string, unknown> = { ...((params._meta as Record<string, unknown> | undefined) ?? {}) };
  delete meta[BAGGAGE_META_KEY];
  meta[TRACEPARENT_META_KEY] = fields.traceparent;
  if (fields.tracestate) meta[TRACESTATE_META_KEY] = fields.tracestate;
  else delete meta[TRACESTATE_META_KEY];
  return { ...message, params: { ...params, _meta: meta } };
}
