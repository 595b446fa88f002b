// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` / `tracestate` pair
// tether reads from its environment and from a downstream request's `_meta` (serve), and writes into
// every MCP request's `params._meta` (SEP-414, MCP 2026-07-28) and every HTTP request's headers.
// Pure and free of OpenTelemetry: propagation works in every build, `--no-otel` included.

export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** The caller records this trace (flag 01); an unsampled parent's children are not exported either. */
  sampled: boolean;
  /** Vendor entries, passed on as received (at most MAX_TRACESTATE_CHARS). */
  traceState?: string;
  /** Came from outside tether (environment, a downstream request): OTLP's parent-is-remote flag. */
  remote?: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
/** The spec's bound: 32 list members of at most 256 characters, plus commas. */
const MAX_TRACESTATE_CHARS = 8_224;

/** A valid `traceparent`, else undefined (the W3C rule: an invalid one is ignored, not an error). */
export function parseTraceparent(value: unknown, traceState?: unknown): TraceParent | undefined {
  if (typeof value !== "string" || value.length > 512) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version ff is invalid; version 00 has nothing after the flags; later versions may (and are read as 00).
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  const state = typeof traceState === "string" && traceState.length <= MAX_TRACESTATE_CHARS ? traceState.trim() : "";
  return { traceId: traceId!, spanId: spanId!, sampled: (parseInt(flags!, 16) & 1) === 1, remote: true, ...(state ? { traceState: state } : {}) };
}

export function formatTraceparent(parent: Pick<TraceParent, "traceId" | "spanId" | "sampled">): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.sampled ? "01" : "00"}`;
}

/** `TRACEPARENT` / `TRACESTATE` (the CI-job and script convention): the run continues the caller's trace. */
export function inheritedTraceContext(env: { readonly TRACEPARENT?: string; readonly TRACESTATE?: string }): TraceParent | undefined {
  return parseTraceparent(env.TRACEPARENT, env.TRACESTATE);
}

/** What goes into an outgoing request: `params._meta` keys and HTTP header names alike. Never `baggage`. */
export function traceFields(parent: TraceParent): { traceparent: string; tracestate?: string } {
  return parent.traceState ? { traceparent: formatTraceparent(parent), tracestate: parent.traceState } : { traceparent: formatTraceparent(parent) };
}

export function newTraceId(): string {
  return randomHex(16);
}

export function newSpanId(): string {
  return randomHex(8);
}

function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  // All zero is invalid; 2^-64 at worst, but cheap to rule out.
  if (buffer.every((byte) => byte === 0)) buffer[0] = 1;
  return Buffer.from(buffer).toString("hex");
}
