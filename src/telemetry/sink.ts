// The telemetry sink every part of telemetry/ writes to: types only, so nothing imports index.ts
// (which starts exporters) just to name them.

export type TelemetryAttributes = Readonly<Record<string, string | number | boolean>>;

export interface TelemetrySink {
  /** Queues one log record; never throws, never waits for the network. */
  emit(name: string, attributes: TelemetryAttributes, timestampMs?: number): void;
  /** Flushes pending records; bounded in time by the implementation (SPEC §7: 2 s). */
  shutdown(): Promise<void>;
}
