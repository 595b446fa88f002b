// Traces (issue 23), the main thread's side: ended spans queue here and cross to the run's
// telemetry worker (./worker-channel.ts → ./otel-worker.ts → ./otel-spans.ts) in batches, as log
// records do (./worker-sink.ts), so a span costs the agent loop one tuple, and traces add no thread.
import type { OtelSinkSettings } from "./otel.ts";
import type { QueuedSpan, SpanSink } from "./traces.ts";
import type { WorkerChannel } from "./worker-channel.ts";
import { batchForWorker } from "./worker-sink.ts";

export interface SpanWorkerOptions {
  settings: OtelSinkSettings;
  secrets: readonly string[];
  warn(message: string): void;
  channel: WorkerChannel;
}

export function startSpanWorkerSink(options: SpanWorkerOptions): SpanSink {
  const { channel } = options;
  const user = channel.attach(options.warn);
  channel.post({ type: "start-traces", settings: options.settings, secrets: options.secrets });

  const batch = batchForWorker<QueuedSpan>((spans) => channel.post({ type: "spans", spans }));
  let shutdown: Promise<void> | undefined;
  return {
    add(span) {
      if (shutdown) return;
      batch.add(span);
    },
    shutdown() {
      shutdown ??= (async () => {
        batch.flush();
        await user.release();
      })();
      return shutdown;
    },
  };
}
