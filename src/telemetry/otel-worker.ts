// The telemetry worker: completes records (./run-records.ts) and runs the OTLP exporter (./otel.ts)
// on its own thread, so loading OpenTelemetry, serializing records and talking to the collector
// never take time from the agent loop. Protocol: ./worker-protocol.ts; main side: ./worker-sink.ts.
// A separate entrypoint of the compiled executable (build.ts), present only in builds with telemetry.
import type { TelemetrySink } from "./sink.ts";
import { EXPORTER_JIT_POLICY, startOtelSink } from "./otel.ts";
import { runRecordSink } from "./run-records.ts";
import { type SpanExport, startSpanExport } from "./otel-spans.ts";
import type { FromWorker, ToWorker } from "./worker-protocol.ts";
import type { MetricsExport } from "./metrics-export.ts";

declare const self: Worker;

// Per VM: the main thread's policy (src/main.ts) is its own.
Bun.unsafe.setJITPolicy(EXPORTER_JIT_POLICY);

const post = (message: FromWorker): void => self.postMessage(message);
let sink: TelemetrySink | undefined;
// Metrics (issue 23): their exporter, loaded only when `[otel] metrics_exporter` is set.
let metrics: MetricsExport | undefined;
// Traces (issue 23): the span exporter, when this worker was started for traces.
let spans: SpanExport | undefined;
// Messages are handled strictly in order: records wait for the sink that `start` builds.
let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  queue = queue.then(() => handle(message));
};

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case "start":
      if (message.settings) {
        try {
          const otel = await startOtelSink({ ...message.settings, warn: (text) => post({ type: "warning", message: text }) });
          // Metadata, timestamps as text and secret scrubbing happen here, off the agent loop's thread.
          sink = message.records ? runRecordSink(otel, { ...message.records, now: () => Date.now() }) : otel;
        } catch (error) {
          post({ type: "warning", message: `telemetry: could not start the exporter: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
      // Metrics (issue 23).
      if (message.metrics) {
        try {
          const { startMetricsExport } = await import("./metrics-export.ts");
          metrics = await startMetricsExport({ ...message.metrics, secrets: message.records?.secrets ?? [], warn: (text) => post({ type: "warning", message: text }) });
        } catch (error) {
          post({ type: "warning", message: `telemetry: could not start the metrics exporter: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
      return;
    case "records":
      if (sink) for (const [name, attributes, timestampMs, trace] of message.records) sink.emit(name, attributes, timestampMs, trace);
      return;
    // Traces (issue 23).
    case "start-traces":
      try {
        spans = await startSpanExport({ ...message.settings, secrets: message.secrets, warn: (text) => post({ type: "warning", message: text }) });
      } catch (error) {
        post({ type: "warning", message: `telemetry: could not start the trace exporter: ${error instanceof Error ? error.message : String(error)}` });
      }
      return;
    case "spans":
      spans?.add(message.spans);
      return;
    case "metrics":
      metrics?.export(message.snapshot);
      return;
    case "shutdown":
      await Promise.all([sink?.shutdown(), spans?.shutdown(), metrics?.shutdown()]);
      post({ type: "closed" });
      return;
  }
}
