// Traces (issue 23): the run's tracer from `[otel] trace_exporter` and the environment's
// TRACEPARENT / TRACESTATE. Loaded by ./run-tracing.ts only when a command asks for its tracer.
import type { TetherConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { knownSecrets } from "./run-metadata.ts";
import { resolveExporterSettings, TRACES } from "./exporter-settings.ts";
import { inheritedTraceContext } from "./trace-context.ts";
import { exportingTracer, NOOP_TRACER, propagatingTracer, type SpanSink, type Tracer } from "./traces.ts";

export interface StartTracerOptions {
  startedAt: number;
  /** The command relays other parties' requests (serve): their trace context passes through even with traces off. */
  relay: boolean;
  rootName(): Promise<string>;
}

/** Throws ConfigError (exit 2) for a bad trace_exporter endpoint or an unset `${VAR}` in its headers. */
export async function startTracer(
  ctx: Pick<Context, "env" | "now" | "version" | "debug" | "atExit" | "log" | "telemetryWorker">,
  config: TetherConfig,
  options: StartTracerOptions,
): Promise<Tracer> {
  const exporter = resolveExporterSettings(config.otel.traceExporter, ctx.env, TRACES);
  const inherited = inheritedTraceContext(ctx.env);
  const fallback = inherited || options.relay ? propagatingTracer(inherited) : NOOP_TRACER;
  // An unsampled caller asked for its trace not to be recorded: its context is still passed on.
  if (!exporter || (inherited && !inherited.sampled)) return fallback;
  let sink: SpanSink | undefined;
  // Spelled out here for Bun's fold of the define (see ./index.ts): a --no-otel build drops the span worker.
  if (typeof TETHER_OTEL === "undefined" || TETHER_OTEL) {
    const [{ startSpanWorkerSink }, channel] = await Promise.all([import("./span-worker-sink.ts"), ctx.telemetryWorker()]);
    sink = startSpanWorkerSink({
      channel,
      settings: { exporter, version: ctx.version, environment: config.otel.environment, debug: ctx.debug },
      secrets: knownSecrets(ctx.env, config),
      warn: ctx.log.warn,
    });
  } else {
    ctx.log.warn(`telemetry: this tether was built without OpenTelemetry (--no-otel); [otel] trace_exporter ${exporter.kind} is ignored`);
    return fallback;
  }
  const tracer = exportingTracer({ rootName: await options.rootName(), startedAt: options.startedAt, inherited, now: ctx.now, sink });
  // runCli runs every atExit cleanup on every path (done, error, Ctrl-C) within the exit budget.
  ctx.atExit(() => tracer.shutdown());
  return tracer;
}
