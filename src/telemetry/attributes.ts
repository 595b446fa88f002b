// A telemetry record's or measurement's attributes: a leaf, so the sink (./sink.ts) and the
// metrics (./metrics.ts) both name it without importing each other.
export type TelemetryAttributes = Readonly<Record<string, string | number | boolean>>;
