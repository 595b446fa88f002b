// The one way a command starts telemetry for its run (exec, serve, sampling of `mcp call|read|prompt`):
// the configured sink with the run's metadata and secrets handed to the exporter's thread, its
// flush registered at exit, and every record stamped with the time it happened on this thread.
import type { TetherConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { NOOP_TELEMETRY_SINK, startTelemetry } from "./index.ts";
import { knownSecrets, runMetadata } from "./run-metadata.ts";
import type { TelemetryAttributes } from "./sink.ts";
import type { MetricsRecorder } from "./metrics.ts";

export type RunTelemetryContext = Pick<Context, "env" | "version" | "debug" | "now" | "atExit" | "tracing" | "telemetryWorker">;

export interface RunTelemetryOptions {
  /** `--model`, when given. */
  model?: string;
  /** One warning line for the user (an export failure), without the `warning:` prefix. */
  warn?: (message: string) => void;
}

/** Queues one record of the run; the worker completes it (./run-records.ts). */
export type RecordEmitter = (name: string, attributes: TelemetryAttributes) => void;

/** What the run exports; a signal that is off is absent, and the caller builds nothing for it. */
export interface RunTelemetry {
  /** Log records; absent with `exporter = "none"`. */
  emit?: RecordEmitter;
  /** Metrics (issue 23); absent unless `metrics_exporter` is set. */
  metrics?: MetricsRecorder;
}

/**
 * Undefined when telemetry is off (every exporter "none", or a build without OpenTelemetry): then
 * the caller builds no records at all. Throws ConfigError (exit 2) for a bad `[otel]` endpoint or
 * an unset `${VAR}` in its headers.
 */
export async function startRunTelemetry(ctx: RunTelemetryContext, config: TetherConfig, options: RunTelemetryOptions = {}): Promise<RunTelemetry | undefined> {
  const telemetry = await startTelemetry({
    otel: config.otel,
    version: ctx.version,
    env: ctx.env,
    warn: options.warn,
    debug: ctx.debug,
    worker: () => ctx.telemetryWorker(),
    records: {
      metadata: runMetadata({ conversationId: crypto.randomUUID(), version: ctx.version, env: ctx.env, config, model: options.model }),
      secrets: knownSecrets(ctx.env, config),
    },
    now: () => ctx.now(),
  });
  if (telemetry === NOOP_TELEMETRY_SINK) return undefined;
  // runCli runs every atExit cleanup on every path (done, error, Ctrl-C) within the exit budget (./exit-budget.ts).
  ctx.atExit(() => telemetry.shutdown());
  // Traces (issue 23): each record carries the trace and span it happened in.
  const tracer = await ctx.tracing.tracer();
  // This thread only stamps the time and queues the record; the worker completes it.
  const emit: RecordEmitter = (name, attributes) => telemetry.emit(name, attributes, ctx.now(), tracer.activeIds());
  return { emit: config.otel.exporter.kind === "none" ? undefined : emit, metrics: telemetry.metrics };
}

