// The least any tether can spend exporting records, with the libraries the design card fixes: a
// process that reads records (as tether sent them) from a JSON file and hands them to tether's
// OTLP sink (src/telemetry/otel.ts: the OpenTelemetry exporter over @grpc/grpc-js), on the main
// thread, no worker, no agent. With FLOOR_EXPORT=0 it only reads the file. bench/otel.ts runs both,
// compiled like tether, and reports the difference per record as the floor under its goal.
//
//   FLOOR_RECORDS=records.json FLOOR_ENDPOINT=http://127.0.0.1:PORT [FLOOR_EXPORT=0] ./otel-floor
import { startOtelSink } from "../src/telemetry/otel.ts";

export interface FloorRecord {
  name: string;
  attributes: Record<string, string | number | boolean>;
  timestampMs: number;
}

// compileExecutable starts executables with the JIT held back (build.ts); tether's exec gets the
// normal policy back after 100 ms, and so does this.
Bun.unsafe.setJITPolicy(1);
const records = (await Bun.file(process.env.FLOOR_RECORDS!).json()) as FloorRecord[];
if (process.env.FLOOR_EXPORT !== "0") {
  const sink = await startOtelSink({
    exporter: { kind: "otlp-grpc", url: process.env.FLOOR_ENDPOINT!, headers: { "x-bench": "1" }, secure: false },
    version: "floor",
    environment: "bench",
    debug: false,
    warn: (message) => console.error(message),
  });
  for (const r of records) sink.emit(r.name, r.attributes, r.timestampMs);
  await sink.shutdown();
}
console.log(records.length);
