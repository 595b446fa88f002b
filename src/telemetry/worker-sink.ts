// The main thread's side of the telemetry worker (./otel-worker.ts): emit() only queues the record;
// batches cross to the worker, which owns OpenTelemetry and exports each batch as it arrives. This
// is telemetry's one batcher. Shutdown asks the worker to flush and waits for it, within the exit budget.
import { WORKER_WAIT_MS } from "./exit-budget.ts";
import { withTimeout } from "../timers.ts";
import type { TelemetrySink } from "./sink.ts";
import type { OtelSinkSettings } from "./otel.ts";
import type { FromWorker, QueuedRecord, RunRecordSettings, ToWorker } from "./worker-protocol.ts";

/**
 * Records per message, and so per export request. Each request costs the worker milliseconds of
 * CPU whatever its size (a gRPC call through cold code), so batches are as large as one request
 * carries (./otel.ts).
 */
export const BATCH_RECORDS = 512;
/** A partial batch leaves this long after its first record: long enough to fill up in a busy turn. */
export const BATCH_DELAY_MS = 100;

export interface WorkerSinkOptions {
  settings: OtelSinkSettings;
  records?: RunRecordSettings;
  warn(message: string): void;
}

declare global {
  /** Set by build.ts: where the compiled executable embeds ./otel-worker.ts. */
  const TETHER_OTEL_WORKER: string | undefined;
}

export function workerUrl(): string {
  return typeof TETHER_OTEL_WORKER === "string" ? TETHER_OTEL_WORKER : new URL("./otel-worker.ts", import.meta.url).href;
}

export function startWorkerSink(options: WorkerSinkOptions): TelemetrySink {
  const worker = new Worker(workerUrl());
  // The worker must never keep tether running; main exits once its cleanups are done. (Bun's
  // Worker has unref(); the DOM typing does not know it.)
  (worker as Worker & { unref(): void }).unref();
  let warned = false;
  let closed: () => void = () => {};
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    if (event.data.type === "warning") {
      warned = true;
      options.warn(event.data.message);
    } else {
      closed();
    }
  };
  worker.onerror = (event) => {
    if (!warned) options.warn(`telemetry: the exporter stopped: ${event.message}`);
    warned = true;
    closed();
  };
  const send = (message: ToWorker) => worker.postMessage(message);
  send({ type: "start", settings: options.settings, records: options.records });

  let batch: QueuedRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sendBatch = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    send({ type: "records", records: batch });
    batch = [];
  };

  let shutdown: Promise<void> | undefined;
  return {
    emit(name, attributes, timestampMs, trace) {
      if (shutdown) return;
      batch.push(trace ? [name, attributes, timestampMs, trace] : [name, attributes, timestampMs]);
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
        if (gaveUp && !warned) options.warn(`telemetry: export did not finish within ${WORKER_WAIT_MS / 1000}s at exit; pending records dropped`);
        worker.terminate();
      })();
      return shutdown;
    },
  };
}
