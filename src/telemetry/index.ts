// Starts the telemetry sink for one run: OpenTelemetry when compiled in and configured, else a no-op.
// Nothing here imports OpenTelemetry: it loads only when an exporter is configured, and then in a
// worker thread (./worker-sink.ts → ./otel-worker.ts → ./otel.ts), off the agent loop's thread.
import type { Env } from "../context.ts";
import type { TelemetrySink } from "./sink.ts";
import type { RunRecordSettings } from "./worker-protocol.ts";
import type { WorkerChannel } from "./worker-channel.ts";
import type { OtelConfig } from "../config/types.ts";
import { METRICS, resolveExporterSettings } from "./exporter-settings.ts";

export interface StartTelemetryOptions {
  otel: OtelConfig;
  version: string;
  /** For `${VAR}` in header values. */
  env?: Env;
  /** One line for the user (stderr), without the `warning:` prefix. */
  warn?: (message: string) => void;
  /** TETHER_DEBUG=1: report every export failure, with its stack. */
  debug?: boolean;
  /** The run's metadata and secrets, added to and scrubbed from every record in the exporter's thread. */
  records?: RunRecordSettings;
  /** Metrics (issue 23): the clock of their start and end times (ctx.now). */
  now(): number;
  /** The run's telemetry worker, shared with its spans (ctx.telemetryWorker); else one of its own. */
  worker?: () => Promise<WorkerChannel>;
}

export const NOOP_TELEMETRY_SINK: TelemetrySink = {
  emit() {},
  async shutdown() {},
};

/** Throws ConfigError for a bad endpoint or an unset `${VAR}` in a header (exit 2), in every build. */
export async function startTelemetry(options: StartTelemetryOptions): Promise<TelemetrySink> {
  const exporter = resolveExporterSettings(options.otel.exporter, options.env ?? {});
  // Metrics (issue 23): their own exporter, which may be on while logs are off.
  const metricsExporter = resolveExporterSettings(options.otel.metricsExporter, options.env ?? {}, METRICS);
  if (!exporter && !metricsExporter) return NOOP_TELEMETRY_SINK;
  const warn = options.warn ?? (() => {});
  // The condition is spelled out here rather than imported from ./flags.ts: Bun folds the
  // TETHER_OTEL define only in the module that reads it, and that fold is what drops the
  // exporter (and OpenTelemetry, gRPC) from `build.ts --no-otel` bundles.
  if (typeof TETHER_OTEL === "undefined" || TETHER_OTEL) {
    // OpenTelemetry itself loads and runs in a worker thread (./otel-worker.ts).
    const [{ startWorkerSink }, channel] = await Promise.all([
      import("./worker-sink.ts"),
      options.worker ? options.worker() : import("./worker-channel.ts").then(({ workerChannel }) => workerChannel()),
    ]);
    const shared = { version: options.version, environment: options.otel.environment, debug: options.debug ?? false };
    const settings = exporter && { exporter, ...shared };
    const metrics = metricsExporter && {
      settings: { exporter: metricsExporter, ...shared },
      intervalMs: options.otel.metricsExportIntervalSec * 1000,
      now: options.now,
    };
    return startWorkerSink({ settings, warn, records: options.records, metrics, channel });
  }
  const ignored = [exporter && `exporter ${exporter.kind}`, metricsExporter && `metrics_exporter ${metricsExporter.kind}`].filter(Boolean);
  warn(`telemetry: this tether was built without OpenTelemetry (--no-otel); [otel] ${ignored.join(" and ")} ${ignored.length > 1 ? "are" : "is"} ignored`);
  return NOOP_TELEMETRY_SINK;
}

export type { TelemetryAttributes, TelemetrySink } from "./sink.ts";
