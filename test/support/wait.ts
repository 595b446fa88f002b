// Waiting for something a test cannot be told about (a process gone, a counter up, a heartbeat
// seen): poll until it holds, for as long as a loaded machine may need. The bound is loose on
// purpose and costs nothing when things are quick (the wait ends as soon as the check holds); a
// test never asserts how fast it was, only that it happened (issue 24 item 6).

/** How long a wait may take before it fails: far past any healthy delay, even on a busy 2-core box. */
export const LOOSE_WAIT_MS = 20_000;

export interface WaitOptions {
  /** Fail after this long (default LOOSE_WAIT_MS). */
  timeoutMs?: number;
  /** Time between checks (default 20 ms). */
  intervalMs?: number;
}

/** Resolves true as soon as `check` holds, false when it still does not after the bound. */
export async function eventually(check: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<boolean> {
  const until = performance.now() + (options.timeoutMs ?? LOOSE_WAIT_MS);
  for (;;) {
    if (await check()) return true;
    if (performance.now() > until) return false;
    await Bun.sleep(options.intervalMs ?? 20);
  }
}

/** As `eventually`, but throws `what` (or a generic line) when the bound passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what = "the condition", options: WaitOptions = {}): Promise<void> {
  if (!(await eventually(check, options))) throw new Error(`timed out after ${options.timeoutMs ?? LOOSE_WAIT_MS} ms waiting for ${what}`);
}
