// The OpenTelemetry adapter: records become the SDK's ReadableLogRecord and go to one OTLP exporter.
// Loaded only when an exporter is configured and the build has telemetry (./index.ts), in the
// telemetry worker (./otel-worker.ts).
//
// No LoggerProvider or BatchLogRecordProcessor: main already batches (./worker-sink.ts), so a
// second batcher with its own timer and timeout would only hold records back until exit. Each
// message from main is exported as it arrives; while one export is in flight, what arrives waits
// and goes in the next. Building the record directly also skips the SDK's per-attribute
// validation: the attributes are already flat strings, numbers and booleans (./sink.ts).
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableLogRecord } from "@opentelemetry/sdk-logs";
import type { ExporterSettings } from "./exporter-settings.ts";
import { createLogExporter } from "./exporters.ts";
import { ExportFailureReporter, reportingExporter } from "./export-failures.ts";
import { FLUSH_LIMIT_MS } from "./exit-budget.ts";
import { withTimeout } from "../timers.ts";
import type { TelemetrySink } from "./sink.ts";

export const SERVICE_NAME = "tether-cli";
/** Instrumentation scope of every record. */
const LOGGER_NAME = "tether";
const SEVERITY_INFO = 9;
/** Records waiting while the collector is slow; beyond this, new ones are dropped (memory stays bounded). */
const MAX_QUEUED = 16_384;
/** Records per export request. */
const MAX_EXPORT_RECORDS = 512;
/**
 * The JIT policy of the thread that runs the exporters (./otel-worker.ts; bench/otel-floor.ts the
 * same): JavaScriptCore's tier-up thresholds times this. A worker is a VM of its own, and a short
 * run's exporter code (grpc-js, the first export of each signal) runs a few hundred times at most:
 * compiling it on the JIT threads cost more than it saved (~7 ms of a ~60 ms fixed cost, issue 23).
 * The per-attribute serializer loops of a long run still reach the thresholds and are compiled;
 * 100 (the start-up policy, build.ts) left them interpreted too long (more CPU than it saved).
 */
export const EXPORTER_JIT_POLICY = 10;

/** What the sink needs; plain data, so it can cross to the telemetry worker. */
export interface OtelSinkSettings {
  exporter: ExporterSettings;
  version: string;
  /** `[otel] environment`, the resource's `env`. */
  environment: string;
  debug: boolean;
}

export interface OtelSinkOptions extends OtelSinkSettings {
  warn(message: string): void;
}

export async function startOtelSink(options: OtelSinkOptions): Promise<TelemetrySink> {
  const reporter = new ExportFailureReporter({
    destination: destination(options.exporter),
    warn: options.warn,
    debug: options.debug,
  });
  const queue = new ExportQueue<ReadableLogRecord>(reportingExporter(await createLogExporter(options.exporter), reporter));
  // Shared by every record: the serializer groups records by these objects' identity.
  const resource = telemetryResource(options);
  const instrumentationScope = { name: LOGGER_NAME, version: options.version };
  let shutdown: Promise<void> | undefined;
  return {
    emit(name, attributes, timestampMs, trace) {
      if (shutdown) return;
      const observed = hrTime(Date.now());
      queue.add({
        // Traces (issue 23): the record names the span it happened in.
        ...(trace ? { spanContext: { traceId: trace[0], spanId: trace[1], traceFlags: 1 } } : {}),
        hrTime: timestampMs === undefined ? observed : hrTime(timestampMs),
        hrTimeObserved: observed,
        severityNumber: SEVERITY_INFO,
        severityText: "INFO",
        eventName: name,
        resource,
        instrumentationScope,
        attributes,
        droppedAttributesCount: 0,
      });
    },
    shutdown() {
      shutdown ??= boundedFlush(queue, reporter);
      return shutdown;
    },
  };
}

/** The resource of every record and span: tether, its version and `[otel] environment`. */
export function telemetryResource(options: Pick<OtelSinkSettings, "version" | "environment">) {
  return resourceFromAttributes({
    "service.name": SERVICE_NAME,
    "service.version": options.version,
    env: options.environment,
  });
}

/** What ExportQueue drives: an OpenTelemetry exporter of records or spans. */
export interface QueueExporter<T> {
  export(items: T[], done: (result: unknown) => void): void;
  shutdown(): Promise<void>;
}

/** One export at a time; records (or spans) queue behind it and leave together in the next. */
export class ExportQueue<T> {
  private queued: T[] = [];
  private inFlight: Promise<void> | undefined;
  private scheduled = false;

  constructor(private readonly exporter: QueueExporter<T>) {}

  add(record: T): void {
    if (this.queued.length >= MAX_QUEUED) return;
    this.queued.push(record);
    // Records of one message arrive in one synchronous loop: they leave as one export.
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.next();
      });
    }
  }

  /** Everything queued, exported (or failed); then the exporter is shut down. */
  async flush(): Promise<void> {
    this.next();
    while (this.inFlight) await this.inFlight;
    await this.exporter.shutdown();
  }

  private next(): void {
    if (this.inFlight || this.queued.length === 0) return;
    const records = this.queued.splice(0, MAX_EXPORT_RECORDS);
    // The exporter always calls back: its own timeout (./exporters.ts) ends a stuck request.
    this.inFlight = new Promise<void>((resolve) => this.exporter.export(records, () => resolve())).then(() => {
      this.inFlight = undefined;
      this.next();
    });
  }
}

/** A flush to a collector that never answers must still end within the exit budget: race it. */
export async function boundedFlush(queue: ExportQueue<unknown>, reporter: ExportFailureReporter): Promise<void> {
  // A failed flush is reported here, so the only rejection left is the time limit's.
  const done = queue.flush().catch((error: unknown) => reporter.failed(undefined, error));
  await withTimeout(done, FLUSH_LIMIT_MS, () => new Error("flush timed out")).catch(() => reporter.timedOut(FLUSH_LIMIT_MS));
}

/** Milliseconds since the epoch as OpenTelemetry's [seconds, nanoseconds]. */
export function hrTime(ms: number): ReadableLogRecord["hrTime"] {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1_000_000)];
}

/** Scheme, host and path: safe to print (headers carry the secrets, never the URL we show). */
export function destination(exporter: ExporterSettings): string {
  const url = new URL(exporter.url);
  url.username = "";
  url.password = "";
  url.search = "";
  return url.href.replace(/\/$/, "");
}
