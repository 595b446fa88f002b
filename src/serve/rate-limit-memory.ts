// The rate counter of one serve process (`--rate-limit` without shared state): a sliding window
// over the current and the previous fixed window, so a burst across a window's edge is not counted
// twice as many (a plain fixed window lets 2N through at each boundary).
import type { RateCounter } from "./state/types.ts";

/** Subjects tracked at once; the least recently seen are forgotten beyond it (each costs a few bytes). */
export const MAX_RATE_SUBJECTS = 100_000;

interface Windows {
  /** Start of the current fixed window. */
  start: number;
  current: number;
  previous: number;
}

export class MemoryRateCounter implements RateCounter {
  private readonly subjects = new Map<string, Windows>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(subject: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const now = this.now();
    const start = now - (now % windowMs);
    let w = this.subjects.get(subject);
    if (w) this.subjects.delete(subject); // re-inserted below: Map order is recency order
    if (!w || start - w.start >= 2 * windowMs) w = { start, current: 0, previous: 0 };
    else if (start !== w.start) w = { start, current: 0, previous: w.current };
    this.subjects.set(subject, w);
    if (this.subjects.size > MAX_RATE_SUBJECTS) this.subjects.delete(this.subjects.keys().next().value!);
    // The previous window counts for the part of it still inside the sliding window.
    const weight = 1 - (now - start) / windowMs;
    const counted = w.current + w.previous * weight;
    if (counted + 1 > limit) {
      // Free again once enough of the previous window has slid out, or when this window ends.
      const untilEnd = start + windowMs - now;
      const slid = w.previous > 0 && w.current < limit ? Math.ceil(((counted + 1 - limit) / w.previous) * windowMs) : untilEnd;
      return { allowed: false, retryAfterMs: Math.max(1, Math.min(slid, untilEnd)) };
    }
    w.current++;
    return { allowed: true, retryAfterMs: 0 };
  }
}
