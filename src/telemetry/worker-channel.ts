// The run's one telemetry worker (./otel-worker.ts), shared by what exports through it (log
// records: ./worker-sink.ts; spans: ./span-worker-sink.ts): one thread, one OpenTelemetry and gRPC
// load, one exit flush, whatever is on. Started by the first message; closed when the last user
// has released it: the worker flushes everything queued, then says it is done, within the exit budget.
import { WORKER_WAIT_MS } from "./exit-budget.ts";
import { withTimeout } from "../timers.ts";
import type { FromWorker, ToWorker } from "./worker-protocol.ts";

declare global {
  /** Set by build.ts: where the compiled executable embeds ./otel-worker.ts. */
  const TETHER_OTEL_WORKER: string | undefined;
}

function workerUrl(): string {
  return typeof TETHER_OTEL_WORKER === "string" ? TETHER_OTEL_WORKER : new URL("./otel-worker.ts", import.meta.url).href;
}

export interface WorkerChannel {
  /** Queues a message for the worker, starting it if need be; dropped once the worker is closing. */
  post(message: ToWorker): void;
  /**
   * One more part of the run exports through the worker. Its warnings go to `warn` (the first
   * user's, for the worker's own). `release()` once its last message is posted: the last release
   * closes the worker, and resolves when the flush is over (or was given up on).
   */
  attach(warn: (message: string) => void): { release(): Promise<void> };
}

export function workerChannel(): WorkerChannel {
  let worker: Worker | undefined;
  let warn: (message: string) => void = () => {};
  let warned = false;
  let users = 0;
  let closing: Promise<void> | undefined;
  let closed: () => void = () => {};
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));

  const start = (): Worker => {
    const started = new Worker(workerUrl());
    // The worker must never keep tether running; main exits once its cleanups are done. (Bun's
    // Worker has unref(); the DOM typing does not know it.)
    (started as Worker & { unref(): void }).unref();
    started.onmessage = (event: MessageEvent<FromWorker>) => {
      if (event.data.type === "warning") {
        warned = true;
        warn(event.data.message);
      } else closed();
    };
    started.onerror = (event) => {
      if (!warned) warn(`telemetry: the exporter stopped: ${event.message}`);
      warned = true;
      closed();
    };
    return started;
  };

  const close = async (): Promise<void> => {
    if (!worker) return;
    worker.postMessage({ type: "shutdown" } satisfies ToWorker);
    const gaveUp = await withTimeout(whenClosed.then(() => false), WORKER_WAIT_MS, () => new Error("worker did not close")).catch(() => true);
    if (gaveUp && !warned) warn(`telemetry: export did not finish within ${WORKER_WAIT_MS / 1000}s at exit; pending records dropped`);
    worker.terminate();
  };

  return {
    post(message) {
      if (closing) return;
      worker ??= start();
      worker.postMessage(message);
    },
    attach(userWarn) {
      if (users++ === 0) warn = userWarn;
      let released = false;
      return {
        release() {
          if (!released) {
            released = true;
            if (--users === 0) closing ??= close();
          }
          // The last user's release waits for the flush; runCli waits for every exit cleanup, that one included.
          return users === 0 && closing ? closing : Promise.resolve();
        },
      };
    },
  };
}
