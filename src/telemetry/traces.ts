// The run's tracer, on the main thread and free of OpenTelemetry: a span is two random ids, a start
// time and a few attributes; when it ends it becomes one compact tuple, batched to the telemetry
// worker as log records are (./span-worker-sink.ts), where the OTLP exporter turns it into a span
// (./otel-spans.ts). The active span follows the async call chain (AsyncLocalStorage), so an MCP
// request made deep inside the SDK still knows the tool call it belongs to.
//
// Three modes: exporting (`[otel] trace_exporter` set, and the inherited trace, if any, sampled);
// propagating only (no exporter, but TRACEPARENT came from the environment, or the command relays
// its clients' requests, as serve and the keep-alive daemon do: outgoing requests carry the context
// in force unchanged, as OpenTelemetry's non-recording spans do, so the servers' spans hang under
// the caller's and not under spans nobody exported); and off (NOOP_TRACER, nothing wrapped at all).
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
  /** Outgoing requests may carry trace context (exporting, a trace was inherited, or serve relays its clients'). */
  readonly propagating: boolean;
  start(name: string, options?: StartSpanOptions): Span;
  /** Runs `fn` with `span` active: spans started and requests sent inside are its children. */
  within<T>(span: Span, fn: () => T): T;
  /** The active context, for an outgoing request's `_meta` or headers; undefined when there is none. */
  outgoing(): { traceparent: string; tracestate?: string } | undefined;
  /** The active span's trace and span ids, for a log record. */
  activeIds(): readonly [traceId: string, spanId: string] | undefined;
  /** Attributes of the run's root span (the model, the prompt when `log_user_prompt` allows it). */
  annotate(attributes: SpanAttributes): void;
  /** The run failed (the command threw this): its root span says so. */
  fail(error: unknown): void;
  /** Ends the root span and flushes; run once, at exit. */
  shutdown(): Promise<void>;
}

/** What a span passes on: its ids, whether the trace is recorded, the caller's tracestate. */
interface Carried {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly traceState?: string;
}

/** A span that records nothing but carries a context: an unsampled trace's, or any trace while tether's are off. */
class CarrierSpan implements Span {
  constructor(readonly context: Carried) {}
  get traceId(): string {
    return this.context.traceId;
  }
  get spanId(): string {
    return this.context.spanId;
  }
  set(): void {}
  fail(): void {}
  end(): void {}
}

const NOOP_SPAN: Span = { traceId: "", spanId: "", set() {}, fail() {}, end() {} };

/** The run's tracing, as the Context holds it (ctx.tracing; made by ./run-tracing.ts). */
export interface RunTracing {
  /** The run's tracer, made on first call; NOOP_TRACER when traces are off and no trace was inherited. */
  tracer(): Promise<Tracer>;
  /** Names the run's root span from its command (`tether mcp call` → `tether.mcp.call`); set by runCli. */
  command(names: () => Promise<string[]>): void;
  /** The command failed: the root span's status says so. */
  fail(error: unknown): void;
  /**
   * The command relays other parties' requests (`mcp serve`): a downstream request's trace context
   * reaches the upstreams even when tether's own traces are off. Called before tracer().
   */
  relay(): void;
}

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

/**
 * Records nothing; outgoing requests carry the context in force as it came: the inherited one
 * (TRACEPARENT), or, inside serve's handling of a downstream request, that request's.
 */
export function propagatingTracer(inherited?: TraceParent): Tracer {
  const active = new AsyncLocalStorage<Carried>();
  const current = () => active.getStore() ?? inherited;
  return {
    ...NOOP_TRACER,
    propagating: true,
    start(_name, options = {}) {
      const from = options.parent === undefined ? current() : options.parent;
      return from ? new CarrierSpan(from) : NOOP_SPAN;
    },
    within: (span, fn) => (span instanceof CarrierSpan ? active.run(span.context, fn) : fn()),
    outgoing() {
      const context = current();
      return context && traceFields(context);
    },
    activeIds() {
      const context = current();
      return context && ([context.traceId, context.spanId] as const);
    },
  };
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

/** A span being recorded. */
class LiveSpan implements Span {
  readonly context: Carried;
  private readonly attributes: Record<string, string | number | boolean> = {};
  private status: number = SpanStatus.UNSET;
  private statusMessage: string | undefined;
  private ended = false;

  constructor(
    private readonly name: string,
    private readonly kind: SpanKindValue,
    private readonly startMs: number,
    private readonly parent: (Carried & { remote: boolean }) | undefined,
    private readonly owner: { sink: SpanSink; now(): number; closed: boolean },
  ) {
    this.context = { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId(), sampled: true, traceState: parent?.traceState };
  }
  get traceId(): string {
    return this.context.traceId;
  }
  get spanId(): string {
    return this.context.spanId;
  }
  set(values: SpanAttributes): void {
    for (const key in values) if (values[key] !== undefined) this.attributes[key] = values[key];
  }
  fail(message: string): void {
    this.status = SpanStatus.ERROR;
    this.statusMessage = message;
  }
  end(): void {
    if (this.ended || this.owner.closed) return;
    this.ended = true;
    const { parent, context } = this;
    this.owner.sink.add([
      this.name,
      this.kind,
      context.traceId,
      context.spanId,
      parent?.spanId ?? "",
      parent?.remote ?? false,
      this.startMs,
      this.owner.now(),
      this.status,
      this.statusMessage,
      this.attributes,
      context.traceState,
    ]);
  }
}

export function exportingTracer(options: ExportingTracerOptions): Tracer {
  const owner = { sink: options.sink, now: options.now, closed: false };
  const active = new AsyncLocalStorage<Span>();
  let root: Span | undefined;
  let rootFailure: string | undefined;

  // An unsampled inherited trace never gets here (./trace-start.ts): the root records.
  const rootSpan = (): Span =>
    (root ??= new LiveSpan(options.rootName, SpanKind.INTERNAL, options.startedAt, options.inherited && { ...options.inherited, remote: true }, owner));
  const contextOf = (span: Span): Carried | undefined => (span instanceof LiveSpan || span instanceof CarrierSpan ? span.context : undefined);

  return {
    exporting: true,
    propagating: true,
    start(name, startOptions = {}) {
      const { parent } = startOptions;
      let from: (Carried & { remote: boolean }) | undefined;
      if (parent === null) from = undefined;
      else if (parent) from = { ...parent, remote: true };
      else from = { ...contextOf(active.getStore() ?? rootSpan())!, remote: false };
      // An unsampled caller asked not to record this trace: its context goes on, nothing is recorded.
      if (from && !from.sampled) return new CarrierSpan(from);
      const span = new LiveSpan(name, startOptions.kind ?? SpanKind.INTERNAL, options.now(), from, owner);
      if (startOptions.attributes) span.set(startOptions.attributes);
      return span;
    },
    within: (span, fn) => (contextOf(span) ? active.run(span, fn) : fn()),
    outgoing() {
      return traceFields(contextOf(active.getStore() ?? rootSpan())!);
    },
    activeIds() {
      const span = active.getStore() ?? root;
      return span ? [span.traceId, span.spanId] : undefined;
    },
    annotate(attributes) {
      rootSpan().set(attributes);
    },
    fail(error) {
      rootFailure = errorText(error);
    },
    async shutdown() {
      if (owner.closed) return;
      if (root || rootFailure !== undefined) {
        const span = rootSpan();
        if (rootFailure !== undefined) span.fail(rootFailure);
        span.end();
      }
      owner.closed = true;
      await options.sink.shutdown();
    },
  };
}

/**
 * Runs `fn` in a span that ends when it settles; a throw marks it failed (and is rethrown). The
 * common shape of every span tether makes around one piece of work.
 */
export async function inSpan<T>(tracer: Tracer, name: string, options: StartSpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!tracer.propagating) return fn(NOOP_SPAN);
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
