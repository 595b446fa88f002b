// Traces (issue 23), the main thread's side: ended spans queue here and cross to the telemetry
// worker (./otel-worker.ts → ./otel-spans.ts) in batches, as log records do (./worker-sink.ts), so
// a span costs the agent loop one tuple. Shutdown asks the worker to flush, within the exit budget.
import { WORKER_WAIT_MS } from "./exit-budget.ts";
import { withTimeout } from "../timers.ts";
import type { OtelSinkSettings } from "./otel.ts";
import type { QueuedSpan, SpanSink } from "./traces.ts";
import type { FromWorker, ToWorker } from "./worker-protocol.ts";
import { BATCH_DELAY_MS, BATCH_RECORDS, workerUrl } from "./worker-sink.ts";

export interface SpanWorkerOptions {
  settings: OtelSinkSettings;
  secrets: readonly string[];
  warn(message: string): void;
}

export function startSpanWorkerSink(options: SpanWorkerOptions): SpanSink {
  const worker = new Worker(workerUrl());
  (worker as Worker & { unref(): void }).unref();
  let warned = false;
  let closed: () => void = () => {};
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    if (event.data.type === "warning") {
      warned = true;
      options.warn(event.data.message);
    } else closed();
  };
  worker.onerror = (event) => {
    if (!warned) options.warn(`telemetry: the trace exporter stopped: ${event.message}`);
    warned = true;
    closed();
  };
  const send = (message: ToWorker) => worker.postMessage(message);
  send({ type: "start-traces", settings: options.settings, secrets: options.secrets });

  let batch: QueuedSpan[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sendBatch = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    send({ type: "spans", spans: batch });
    batch = [];
  };
  let shutdown: Promise<void> | undefined;
  return {
    add(span) {
      if (shutdown) return;
      batch.push(span);
      if (batch.length >= BATCH_RECORDS) sendBatch();
      else if (timer === undefined) {
        timer = setTimeout(sendBatch, BATCH_DELAY_MS);
        timer.unref?.();
      }
    },
    shutdown() {
      shutdown ??= (async () => {
        sendBatch();
        send({ type: "shutdown" });
        const gaveUp = await withTimeout(whenClosed.then(() => false), WORKER_WAIT_MS, () => new Error("worker did not close")).catch(() => true);
        if (gaveUp && !warned) options.warn(`telemetry: trace export did not finish within ${WORKER_WAIT_MS / 1000}s at exit; pending spans dropped`);
        worker.terminate();
      })();
      return shutdown;
    },
  };
}
