// Messages between the main thread (./worker-sink.ts) and the telemetry worker (./otel-worker.ts).
import type { TelemetryAttributes } from "./sink.ts";
import type { OtelSinkSettings } from "./otel.ts";

/** One record as emitted: event name, attributes, time in ms since the epoch. */
export type QueuedRecord = [name: string, attributes: TelemetryAttributes, timestampMs: number | undefined];

export type ToWorker =
  | { type: "start"; settings: OtelSinkSettings }
  | { type: "records"; records: QueuedRecord[] }
  | { type: "shutdown" };

export type FromWorker =
  | { type: "warning"; message: string }
  /** The exit flush is over (or gave up); the worker may be dropped. */
  | { type: "closed" };
