// The main thread's side of the telemetry worker (./otel-worker.ts) for log records: emit() only
// queues the record; batches cross to the worker, which owns OpenTelemetry and exports each batch
// as it arrives. Shutdown sends what is left and lets go of the run's worker (./worker-channel.ts),
// which flushes once everything that shares it is done, within the exit budget.
import type { TelemetrySink } from "./sink.ts";
import type { OtelSinkSettings } from "./otel.ts";
import type { WorkerChannel } from "./worker-channel.ts";
import type { QueuedRecord, RunRecordSettings, ToWorker } from "./worker-protocol.ts";

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
  /** The run's telemetry worker, shared with its spans (./worker-channel.ts). */
  channel: WorkerChannel;
}

export function startWorkerSink(options: WorkerSinkOptions): TelemetrySink {
  const { channel } = options;
  const user = channel.attach(options.warn);
  const send = (message: ToWorker) => channel.post(message);
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
        await user.release();
      })();
      return shutdown;
    },
  };
}
