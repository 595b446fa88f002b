// Messages between the main thread (./worker-sink.ts) and the telemetry worker (./otel-worker.ts).
import type { TelemetryAttributes, TraceIds } from "./sink.ts";
import type { OtelSinkSettings } from "./otel.ts";
import type { RunMetadata } from "./run-metadata.ts";
import type { MetricsSnapshot } from "./metrics.ts";
import type { QueuedSpan } from "./traces.ts";

/** One record as emitted: event name, attributes, time in ms since the epoch. */
export type QueuedRecord = [name: string, attributes: TelemetryAttributes, timestampMs: number | undefined, trace?: TraceIds];

/** What completes every record of the run, applied in the worker (./run-records.ts). */
export interface RunRecordSettings {
  metadata: RunMetadata;
  secrets: readonly string[];
}

export type ToWorker =
  /** `settings` (the log exporter's) is absent when only other signals are exported. */
  | { type: "start"; settings?: OtelSinkSettings; records?: RunRecordSettings; metrics?: OtelSinkSettings }
  | { type: "records"; records: QueuedRecord[] }
  | { type: "shutdown" }
  // Metrics (issue 23): the run's totals so far (./metrics.ts), exported as they are.
  | { type: "metrics"; snapshot: MetricsSnapshot }
  // Traces (issue 23): a worker that exports spans, and the ended spans, in batches (./span-worker-sink.ts).
  | { type: "start-traces"; settings: OtelSinkSettings; secrets: readonly string[] }
  | { type: "spans"; spans: QueuedSpan[] };

export type FromWorker =
  | { type: "warning"; message: string }
  /** The exit flush is over (or gave up); the worker may be dropped. */
  | { type: "closed" };
