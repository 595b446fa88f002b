// The telemetry sink every part of telemetry/ writes to: types only, so nothing imports index.ts
// (which starts exporters) just to name them.
import type { TelemetryAttributes } from "./attributes.ts";
import type { MetricsRecorder } from "./metrics.ts";

export type { TelemetryAttributes };

/** Traces (issue 23): the trace and span a log record happened in. */
export type TraceIds = readonly [traceId: string, spanId: string];

export interface TelemetrySink {
  /** Queues one log record; never throws, never waits for the network. */
  emit(name: string, attributes: TelemetryAttributes, timestampMs?: number, trace?: TraceIds): void;
  /** Flushes pending records; bounded in time by the implementation (SPEC §7: 2 s). */
  shutdown(): Promise<void>;
  /** Metrics (issue 23): present when `[otel] metrics_exporter` is set; exported at shutdown too. */
  metrics?: MetricsRecorder;
}
