// The exit flush's one budget (SPEC §7: telemetry is flushed or given up on within 2 s of the
// command's end). Every bound on that path derives from it, each inner one ending before the one
// that waits for it, so the innermost gives up first and its warning still reaches the terminal.
// Types-free and dependency-free: src/cli/run.ts imports it on every start.

export const EXIT_FLUSH_BUDGET_MS = 2_000;

/** main's atExit cleanups, all of them together (src/cli/run.ts). */
export const CLEANUPS_LIMIT_MS = EXIT_FLUSH_BUDGET_MS;
/** How long main waits for the telemetry worker to say its flush is over (./worker-sink.ts). */
export const WORKER_WAIT_MS = EXIT_FLUSH_BUDGET_MS - 100;
/** The worker's flush of what is still queued, then the exporter's shutdown (./otel.ts). */
export const FLUSH_LIMIT_MS = WORKER_WAIT_MS - 200;
/**
 * One export, retries included (./exporters.ts). The HTTP exporters retry a refused or failing
 * collector with backoff until this runs out, and their timers would hold the process.
 */
export const EXPORT_LIMIT_MS = FLUSH_LIMIT_MS - 200;
