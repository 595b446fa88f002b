// The telemetry sink every part of telemetry/ writes to: types only, so nothing imports index.ts
// (which starts exporters) just to name them.

export type TelemetryAttributes = Readonly<Record<string, string | number | boolean>>;

/** Traces (issue 23): the trace and span a log record happened in. */
export type TraceIds = readonly [traceId: string, spanId: string];

export interface TelemetrySink {
  /** Queues one log record; never throws, never waits for the network. */
  emit(name: string, attributes: TelemetryAttributes, timestampMs?: number, trace?: TraceIds): void;
  /** Flushes pending records; bounded in time by the implementation (SPEC §7: 2 s). */
  shutdown(): Promise<void>;
}
