// The run's tracer, on the main thread and free of OpenTelemetry: a span is two random ids, a start
// time and a few attributes; when it ends it becomes one compact tuple, batched to the telemetry
// worker as log records are (./span-worker-sink.ts), where the OTLP exporter turns it into a span
// (./otel-spans.ts). The active span follows the async call chain (AsyncLocalStorage), so an MCP
// request made deep inside the SDK still knows the tool call it belongs to.
//
// Three modes: exporting (`[otel] trace_exporter` set, and the inherited trace, if any, sampled);
// propagating only (no exporter, but TRACEPARENT came from the environment: outgoing requests carry
// the caller's context unchanged, as OpenTelemetry's non-recording spans do, so the servers' spans
// hang under the caller's and not under spans nobody exported); and off (NOOP_TRACER).
import { AsyncLocalStorage } from "node:async_hooks";
import { newSpanId, newTraceId, type TraceParent, traceFields } from "./trace-context.ts";

export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** OpenTelemetry's SpanKind values (INTERNAL, SERVER, CLIENT). */
export const SpanKind = { INTERNAL: 0, SERVER: 1, CLIENT: 2 } as const;
export type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];

/** OpenTelemetry's SpanStatusCode values. */
export const SpanStatus = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** One ended span as it crosses to the worker: plain data, no objects per attribute. */
export type QueuedSpan = [
  name: string,
  kind: SpanKindValue,
  traceId: string,
  spanId: string,
  /** "" for a root. */
  parentSpanId: string,
  parentIsRemote: boolean,
  startMs: number,
  endMs: number,
  status: number,
  statusMessage: string | undefined,
  attributes: Record<string, string | number | boolean>,
  /** The caller's tracestate, kept on spans whose trace came from outside. */
  traceState: string | undefined,
];

export interface SpanSink {
  add(span: QueuedSpan): void;
  shutdown(): Promise<void>;
}

export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  /** Attributes; undefined values are left out. */
  set(attributes: SpanAttributes): void;
  /** Status ERROR with this description (the span still needs end()). */
  fail(message: string): void;
  end(): void;
}

export interface StartSpanOptions {
  kind?: SpanKindValue;
  attributes?: SpanAttributes;
  /** The parent: a remote context (serve's downstream `_meta`), or null for a new trace. Default: the active span, else the run's root. */
  parent?: TraceParent | null;
}

export interface Tracer {
  /** Spans are exported. */
  readonly exporting: boolean;
  /** Outgoing requests carry trace context (exporting, or a trace was inherited). */
  readonly propagating: boolean;
  start(name: string, options?: StartSpanOptions): Span;
  /** Runs `fn` with `span` active: spans started and requests sent inside are its children. */
  within<T>(span: Span, fn: () => T): T;
  /** The active span's context, for an outgoing request's `_meta` or headers; undefined when not propagating. */
  outgoing(): { traceparent: string; tracestate?: string } | undefined;
  /** The active span's trace and span ids, for a log record. */
  activeIds(): readonly [traceId: string, spanId: string] | undefined;
  /** Attributes of the run's root span (the model, the prompt when `log_user_prompt` allows it). */
  annotate(attributes: SpanAttributes): void;
  /** The run failed: its root span says so. */
  fail(message: string): void;
  /** Ends the root span and flushes; run once, at exit. */
  shutdown(): Promise<void>;
}

const NOOP_SPAN: Span = { traceId: "", spanId: "", set() {}, fail() {}, end() {} };

export const NOOP_TRACER: Tracer = {
  exporting: false,
  propagating: false,
  start: () => NOOP_SPAN,
  within: (_span, fn) => fn(),
  outgoing: () => undefined,
  activeIds: () => undefined,
  annotate() {},
  fail() {},
  shutdown: async () => {},
};

/** Outgoing requests carry the inherited context as it came; nothing is recorded. */
export function propagatingTracer(inherited: TraceParent): Tracer {
  const fields = traceFields(inherited);
  const ids = [inherited.traceId, inherited.spanId] as const;
  return { ...NOOP_TRACER, propagating: true, outgoing: () => fields, activeIds: () => ids };
}

export interface ExportingTracerOptions {
  /** The run's root span: `tether.exec`, `tether.mcp.call`, … */
  rootName: string;
  /** When the run started (ms since the epoch): the root span's start. */
  startedAt: number;
  /** TRACEPARENT from the environment (sampled): the root's parent. */
  inherited?: TraceParent;
  now(): number;
  sink: SpanSink;
}

interface LiveSpan extends Span {
  readonly sampled: true;
  readonly traceState: string | undefined;
}

export function exportingTracer(options: ExportingTracerOptions): Tracer {
  const { sink, now } = options;
  const active = new AsyncLocalStorage<LiveSpan>();
  let root: LiveSpan | undefined;
  let rootFailure: string | undefined;
  let closed = false;

  const open = (name: string, kind: SpanKindValue, startMs: number, parent: { traceId: string; spanId: string; remote: boolean; traceState?: string } | undefined, initial?: SpanAttributes): LiveSpan => {
    const traceId = parent?.traceId ?? newTraceId();
    const spanId = newSpanId();
    const attributes: Record<string, string | number | boolean> = {};
    let status: number = SpanStatus.UNSET;
    let statusMessage: string | undefined;
    let ended = false;
    const span: LiveSpan = {
      traceId,
      spanId,
      sampled: true,
      traceState: parent?.traceState,
      set(values) {
        for (const key in values) if (values[key] !== undefined) attributes[key] = values[key];
      },
      fail(message) {
        status = SpanStatus.ERROR;
        statusMessage = message;
      },
      end() {
        if (ended || closed) return;
        ended = true;
        sink.add([name, kind, traceId, spanId, parent?.spanId ?? "", parent?.remote ?? false, startMs, now(), status, statusMessage, attributes, parent?.traceState]);
      },
    };
    if (initial) span.set(initial);
    return span;
  };

  const rootSpan = (): LiveSpan =>
    (root ??= open(options.rootName, SpanKind.INTERNAL, options.startedAt, options.inherited && { ...options.inherited, remote: true }));

  return {
    exporting: true,
    propagating: true,
    start(name, startOptions = {}) {
      const { parent } = startOptions;
      let from: { traceId: string; spanId: string; remote: boolean; traceState?: string } | undefined;
      if (parent === null) from = undefined;
      else if (parent) from = { ...parent, remote: true };
      else {
        const current = active.getStore() ?? rootSpan();
        from = { traceId: current.traceId, spanId: current.spanId, remote: false, traceState: current.traceState };
      }
      // An unsampled caller asked not to record this trace: pass its context on, record nothing.
      if (parent && !parent.sampled) return remoteOnly(parent);
      return open(name, startOptions.kind ?? SpanKind.INTERNAL, now(), from, startOptions.attributes);
    },
    within(span, fn) {
      if ("sampled" in span) return active.run(span as LiveSpan, fn);
      return fn();
    },
    outgoing() {
      const span = active.getStore() ?? rootSpan();
      return traceFields({ traceId: span.traceId, spanId: span.spanId, sampled: true, traceState: span.traceState });
    },
    activeIds() {
      const span = active.getStore() ?? root;
      return span ? [span.traceId, span.spanId] : undefined;
    },
    annotate(attributes) {
      rootSpan().set(attributes);
    },
    fail(message) {
      rootFailure = message;
    },
    async shutdown() {
      if (closed) return;
      if (root || rootFailure !== undefined) {
        const span = rootSpan();
        if (rootFailure !== undefined) span.fail(rootFailure);
        span.end();
      }
      closed = true;
      await sink.shutdown();
    },
  };
}

/** A span of an unsampled remote parent: nothing is recorded. */
function remoteOnly(parent: TraceParent): Span {
  return { ...NOOP_SPAN, traceId: parent.traceId, spanId: parent.spanId };
}

/**
 * Runs `fn` in a span that ends when it settles; a throw marks it failed (and is rethrown). The
 * common shape of every span tether makes around one piece of work.
 */
export async function inSpan<T>(tracer: Tracer, name: string, options: StartSpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!tracer.exporting) return fn(NOOP_SPAN);
  const span = tracer.start(name, options);
  try {
    return await tracer.within(span, () => fn(span));
  } catch (error) {
    span.fail(errorText(error));
    throw error;
  } finally {
    span.end();
  }
}

/** An error's one-line description for a span status (secrets are scrubbed in the worker). */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0]!.slice(0, 300);
}
