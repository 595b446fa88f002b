// Starts the telemetry sink for one run: OpenTelemetry when compiled in and configured, else a no-op.
// Initial stub: the OTLP exporter module does not exist yet, so every run gets the no-op sink.

export interface TelemetrySink {
  emit(name: string, attributes: Readonly<Record<string, unknown>>): void;
  /** Flushes pending records; bounded in time by the implementation (SPEC §7: 2 s). */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  /** The `[otel]` config table, once src/config models it. */
  otel?: unknown;
  version?: string;
}

export const NOOP_TELEMETRY_SINK: TelemetrySink = {
  emit() {},
  async shutdown() {},
};

export async function startTelemetry(_options: StartTelemetryOptions = {}): Promise<TelemetrySink> {
  // The condition is spelled out here rather than imported from ./flags.ts: Bun folds the
  // TETHER_OTEL define only in the module that reads it, and that fold is what drops the
  // exporter (and OpenTelemetry, gRPC) from `build.ts --no-otel` bundles.
  if (typeof TETHER_OTEL === "undefined" || TETHER_OTEL) {
    // const { startOtelSink } = await import("./otel.ts");
    // return startOtelSink(_options);
  }
  return NOOP_TELEMETRY_SINK;
}
