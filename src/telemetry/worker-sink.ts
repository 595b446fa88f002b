// The main thread's side of the telemetry worker (./otel-worker.ts) for log records: emit() only
// queues the record; batches cross to the worker, which owns OpenTelemetry and exports each batch
// as it arrives. Shutdown sends what is left and lets go of the run's worker (./worker-channel.ts),
// which flushes once everything that shares it is done, within the exit budget.
import type { TelemetrySink } from "./sink.ts";
import type { OtelSinkSettings } from "./otel.ts";
import type { WorkerChannel } from "./worker-channel.ts";
import type { QueuedRecord, RunRecordSettings, ToWorker } from "./worker-protocol.ts";
import { MetricsAggregator } from "./metrics.ts";

/**
 * Records per message, and so per export request. Each request costs the worker milliseconds of
 * CPU whatever its size (a gRPC call through cold code), so batches are as large as one request
 * carries (./otel.ts).
 */
const BATCH_RECORDS = 512;
/** A partial batch leaves this long after its first record: long enough to fill up in a busy turn. */
const BATCH_DELAY_MS = 100;

export interface WorkerSinkOptions {
  /** The log exporter's; absent when logs are not exported. */
  settings?: OtelSinkSettings;
  records?: RunRecordSettings;
  warn(message: string): void;
  /** Metrics (issue 23): aggregated here, their totals posted every `intervalMs` and at shutdown. */
  metrics?: { settings: OtelSinkSettings; intervalMs: number; now(): number };
  /** The run's telemetry worker, shared with its spans (./worker-channel.ts). */
  channel: WorkerChannel;
}

export function startWorkerSink(options: WorkerSinkOptions): TelemetrySink {
  const { channel } = options;
  const user = channel.attach(options.warn);
  const send = (message: ToWorker) => channel.post(message);
  send({ type: "start", settings: options.settings, records: options.records, metrics: options.metrics?.settings });
  const metrics = options.metrics && startMetrics(options.metrics, send);

  const batch = batchForWorker<QueuedRecord>((records) => send({ type: "records", records }));

  let shutdown: Promise<void> | undefined;
  return {
    metrics: metrics?.recorder,
    emit(name, attributes, timestampMs, trace) {
      if (shutdown) return;
      batch.add(trace ? [name, attributes, timestampMs, trace] : [name, attributes, timestampMs]);
    },
    shutdown() {
      shutdown ??= (async () => {
        batch.flush();
        metrics?.stop();
        await user.release();
      })();
      return shutdown;
    },
  };
}

/**
 * Items (log records, spans) queued for the worker: one message per BATCH_RECORDS, or BATCH_DELAY_MS
 * after the first item of a partial batch; flush() sends what is left.
 */
export function batchForWorker<T>(post: (items: T[]) => void): { add(item: T): void; flush(): void } {
  let batch: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    post(batch);
    batch = [];
  };
  return {
    add(item) {
      batch.push(item);
      if (batch.length >= BATCH_RECORDS) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, BATCH_DELAY_MS);
        timer.unref?.();
      }
    },
    flush,
  };
}

// ---- Metrics (issue 23) ----------------------------------------------------------------------

/** The run's aggregator, and the timer that posts its totals; stop() posts the last ones. */
function startMetrics(options: NonNullable<WorkerSinkOptions["metrics"]>, send: (message: ToWorker) => void): { recorder: MetricsAggregator; stop(): void } {
  const recorder = new MetricsAggregator(options.now());
  const post = () => {
    if (!recorder.empty) send({ type: "metrics", snapshot: recorder.snapshot(options.now()) });
  };
  // A long run (mcp serve, a long exec) reports as it goes; the timer never holds the process.
  const timer = setInterval(post, options.intervalMs);
  timer.unref?.();
  return {
    recorder,
    stop() {
      clearInterval(timer);
      post();
    },
  };
}
