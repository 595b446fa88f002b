// The telemetry worker's side of metrics (issue 23): each snapshot of the run's totals
// (./metrics.ts) becomes one OTLP export. Loaded by ./otel-worker.ts only when
// `[otel] metrics_exporter` is set.
//
// No MeterProvider or metric reader: main already aggregates, and a snapshot is the whole state
// (cumulative), so the worker only shapes it as the SDK's ResourceMetrics for the exporter. One
// export at a time; a snapshot that arrives meanwhile replaces any still waiting, since it
// contains it.
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationTemporality, DataPointType, type MetricData, type PushMetricExporter, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { EXPORT_LIMIT_MS, FLUSH_LIMIT_MS } from "./exit-budget.ts";
import type { ExporterSettings } from "./exporter-settings.ts";
import { ExportFailureReporter } from "./export-failures.ts";
import { INSTRUMENTS, type InstrumentSpec, type MetricsSnapshot } from "./metrics.ts";
import { destination, type OtelSinkSettings, SERVICE_NAME } from "./otel.ts";
import { scrub } from "./run-records.ts";
import { withTimeout } from "../timers.ts";

/** @opentelemetry/api's ValueType, without loading the API for two numbers. */
const VALUE_TYPE = { INT: 0, DOUBLE: 1 } as const;

export interface MetricsExportOptions extends OtelSinkSettings {
  /** Replaced by `[REDACTED]` in attribute values, as in log records. */
  secrets: readonly string[];
  warn(message: string): void;
}

export interface MetricsExport {
  export(snapshot: MetricsSnapshot): void;
  /** The last snapshot exported (or given up on) within the exit budget; then the exporter closes. */
  shutdown(): Promise<void>;
}

export async function startMetricsExport(options: MetricsExportOptions): Promise<MetricsExport> {
  const reporter = new ExportFailureReporter({ destination: destination(options.exporter), warn: options.warn, debug: options.debug });
  const exporter = await createMetricExporter(options.exporter);
  const resource = resourceFromAttributes({ "service.name": SERVICE_NAME, "service.version": options.version, env: options.environment });
  const scope = { name: "tether", version: options.version };
  let waiting: MetricsSnapshot | undefined;
  let inFlight: Promise<void> | undefined;
  const next = (): void => {
    if (inFlight || !waiting) return;
    const metrics = toResourceMetrics(waiting, resource, scope, options.secrets);
    waiting = undefined;
    const points = metrics.scopeMetrics[0]!.metrics.reduce((n, m) => n + m.dataPoints.length, 0);
    // The exporter always calls back: its own timeout ends a stuck request.
    inFlight = new Promise<void>((resolve) =>
      exporter.export(metrics, (result) => {
        if (result.code !== 0) reporter.failed(points, result.error);
        resolve();
      }),
    ).then(() => {
      inFlight = undefined;
      next();
    });
  };
  let shutdown: Promise<void> | undefined;
  return {
    export(snapshot) {
      if (shutdown) return;
      waiting = snapshot;
      next();
    },
    shutdown() {
      shutdown ??= (async () => {
        const flushed = (async () => {
          next();
          while (inFlight) await inFlight;
          await exporter.shutdown();
        })().catch((error: unknown) => reporter.failed(undefined, error));
        await withTimeout(flushed, FLUSH_LIMIT_MS, () => new Error("flush timed out")).catch(() => reporter.timedOut(FLUSH_LIMIT_MS));
      })();
      return shutdown;
    },
  };
}

/** The snapshot as the SDK's ResourceMetrics: counters as monotonic sums, histograms with explicit buckets. */
export function toResourceMetrics(
  snapshot: MetricsSnapshot,
  resource: ResourceMetrics["resource"],
  scope: { name: string; version: string },
  secrets: readonly string[],
): ResourceMetrics {
  const startTime = hrTime(snapshot.startMs);
  const endTime = hrTime(snapshot.endMs);
  const metrics: MetricData[] = snapshot.metrics.map(({ instrument, series }): MetricData => {
    const spec: InstrumentSpec = INSTRUMENTS[instrument];
    const attributesOf = (attributes: Record<string, string | number | boolean>) => {
      if (secrets.length === 0) return attributes;
      const out: Record<string, string | number | boolean> = {};
      for (const key in attributes) out[key] = typeof attributes[key] === "string" ? scrub(attributes[key], secrets) : attributes[key]!;
      return out;
    };
    if (spec.kind === "counter") {
      return {
        descriptor: { name: spec.name, description: spec.description, unit: spec.unit, valueType: VALUE_TYPE.INT },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: series.map((s) => ({ startTime, endTime, attributes: attributesOf(s.attributes), value: s.sum })),
      };
    }
    return {
      descriptor: { name: spec.name, description: spec.description, unit: spec.unit, valueType: VALUE_TYPE.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: series.map((s) => ({
        startTime,
        endTime,
        attributes: attributesOf(s.attributes),
        value: { buckets: { boundaries: [...(spec.boundaries ?? [])], counts: s.bucketCounts ?? [s.count] }, sum: s.sum, count: s.count, min: s.min, max: s.max },
      })),
    };
  });
  return { resource, scopeMetrics: [{ scope, metrics }] };
}

/** The OTLP metric exporter for resolved settings, every option explicit as for logs (./exporters.ts). */
async function createMetricExporter(settings: ExporterSettings): Promise<PushMetricExporter> {
  const common = { timeoutMillis: EXPORT_LIMIT_MS, compression: "none" as never };
  if (settings.kind === "otlp-grpc") {
    const [{ OTLPMetricExporter }, grpc] = await Promise.all([import("@opentelemetry/exporter-metrics-otlp-grpc"), import("@grpc/grpc-js")]);
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(settings.headers)) metadata.set(key.toLowerCase(), value);
    const credentials = settings.secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    return new OTLPMetricExporter({ ...common, url: settings.url, metadata, credentials });
  }
  const { OTLPMetricExporter } =
    settings.protocol === "json" ? await import("@opentelemetry/exporter-metrics-otlp-http") : await import("@opentelemetry/exporter-metrics-otlp-proto");
  return new OTLPMetricExporter({ ...common, url: settings.url, headers: { ...settings.headers } });
}

/** Milliseconds since the epoch as OpenTelemetry's [seconds, nanoseconds]. */
function hrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1_000_000)];
}
