// The least any tether can spend exporting what one run exports, with the libraries the design card
// fixes: a process that reads log records, spans and metrics snapshots (as tether sent them, decoded
// by bench/otel.ts's collector) from a JSON file and hands them to tether's own exporters, the same
// functions the telemetry worker uses (src/telemetry/otel.ts for records, ./otel-spans.ts for spans,
// ./metrics-export.ts for metrics: the OpenTelemetry OTLP exporters over @grpc/grpc-js), on the main
// thread, no worker, no agent. With FLOOR_EXPORT=0 it only reads the file. bench/otel.ts runs both,
// compiled like tether, and reports the difference per record (log records + spans) as the floor
// under its goal.
//
//   FLOOR_INPUT=input.json FLOOR_ENDPOINT=http://127.0.0.1:PORT [FLOOR_EXPORT=0] ./otel-floor
import { EXPORTER_JIT_POLICY, startOtelSink } from "../src/telemetry/otel.ts";
import { startSpanExport } from "../src/telemetry/otel-spans.ts";
import { startMetricsExport } from "../src/telemetry/metrics-export.ts";
import type { MetricsSnapshot } from "../src/telemetry/metrics.ts";
import type { QueuedSpan } from "../src/telemetry/traces.ts";

export interface FloorRecord {
  name: string;
  attributes: Record<string, string | number | boolean>;
  timestampMs: number;
  trace?: [traceId: string, spanId: string];
}

/** What one run exported, in the shapes tether's main thread hands its worker. */
export interface FloorInput {
  records: FloorRecord[];
  spans: QueuedSpan[];
  metrics: MetricsSnapshot[];
}

// compileExecutable starts executables with the JIT held back (build.ts); this thread runs the
// exporters, so it takes the policy of tether's exporter thread (src/telemetry/otel-worker.ts).
Bun.unsafe.setJITPolicy(EXPORTER_JIT_POLICY);
const input = (await Bun.file(process.env.FLOOR_INPUT!).json()) as FloorInput;
if (process.env.FLOOR_EXPORT !== "0") {
  const settings = {
    exporter: { kind: "otlp-grpc", url: process.env.FLOOR_ENDPOINT!, headers: { "x-bench": "1" }, secure: false },
    version: "floor",
    environment: "bench",
    debug: false,
    warn: (message: string) => console.error(message),
  } as const;
  const [sink, spans, metrics] = await Promise.all([
    startOtelSink(settings),
    startSpanExport({ ...settings, secrets: [] }),
    startMetricsExport({ ...settings, secrets: [] }),
  ]);
  for (const r of input.records) sink.emit(r.name, r.attributes, r.timestampMs, r.trace);
  // In batches as tether's main thread posts them (src/telemetry/span-worker-sink.ts).
  for (let i = 0; i < input.spans.length; i += 512) spans.add(input.spans.slice(i, i + 512));
  for (const snapshot of input.metrics) metrics.export(snapshot);
  await Promise.all([sink.shutdown(), spans.shutdown(), metrics.shutdown()]);
}
console.log(input.records.length + input.spans.length);
