// Timers that survive huge delays. setTimeout stores its delay in 32 bits: anything above
// 2^31-1 ms (~24.8 days), Infinity included, fires after 1 ms instead. tether's rule: a timeout
// at or above that limit means "no timeout" (README, "Timeouts").

/** The longest delay setTimeout honours, in ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Config timeouts (seconds) are clamped to this: whole seconds, so `sec * 1000` stays under MAX_TIMER_MS. */
export const MAX_TIMEOUT_SEC = Math.floor(MAX_TIMER_MS / 1000);

/** A timeout in seconds as config holds it: values above the timer limit (and `inf`) become MAX_TIMEOUT_SEC. */
export function clampTimeoutSec(seconds: number): number {
  return seconds > MAX_TIMEOUT_SEC ? MAX_TIMEOUT_SEC : seconds;
}

/** Whether `ms` is a real timeout rather than "no timeout". */
export function isFiniteTimeout(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isFinite(ms) && ms < MAX_TIMER_MS;
}

export interface Timer {
  clear(): void;
}

const NEVER: Timer = { clear() {} };

/** Calls `fire` after `ms`; a delay at or above MAX_TIMER_MS (or Infinity, or undefined) never fires. */
export function startTimer(ms: number | undefined, fire: () => void): Timer {
  if (!isFiniteTimeout(ms)) return NEVER;
  const handle = setTimeout(fire, Math.max(0, ms));
  return { clear: () => clearTimeout(handle) };
}

/**
 * Resolves after `ms` of inactivity: call `touch()` whenever something arrives. For idle timeouts
 * on streams; `fire` runs at most once. A huge `ms` never fires.
 */
export function startIdleTimer(ms: number | undefined, fire: () => void): Timer & { touch(): void } {
  if (!isFiniteTimeout(ms)) return { clear() {}, touch() {} };
  let handle = setTimeout(fire, Math.max(0, ms));
  return {
    touch() {
      clearTimeout(handle);
      handle = setTimeout(fire, Math.max(0, ms));
    },
    clear: () => clearTimeout(handle),
  };
}

/**
 * `work`, or `error()` once `ms` have passed (never, for a delay past the timer limit), or
 * `aborted()` when `signal` aborts first.
 */
export async function withTimeout<T>(
  work: Promise<T>,
  ms: number | undefined,
  error: () => Error,
  abort?: { signal: AbortSignal; aborted: () => Error },
): Promise<T> {
  let timer: Timer = NEVER;
  let onAbort = () => {};
  const stop = new Promise<never>((_, reject) => {
    timer = startTimer(ms, () => reject(error()));
    if (!abort) return;
    onAbort = () => reject(abort.aborted());
    if (abort.signal.aborted) onAbort();
    else abort.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    timer.clear();
    abort?.signal.removeEventListener("abort", onAbort);
  }
}
