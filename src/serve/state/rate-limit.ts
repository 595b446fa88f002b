// `--rate-limit N/min` counters (types.ts RateCounter): a sliding window of hits per subject, kept in
// this process (MemoryRateCounter, without --state) or in Redis for every replica (RedisRateCounter).
//
// Sliding, not fixed: a fixed window lets a client spend its limit twice across a boundary. In Redis
// the check and the count are one Lua EVAL timed by Redis TIME, so replicas with skewed clocks
// share one window and two replicas cannot both admit the last allowed hit. A refused hit is not
// counted: a client that keeps retrying is not locked out longer than the window.
import { createHash } from "node:crypto";
import type { RateCounter, SharedState } from "./types.ts";

/**
 * Subjects a memory counter keeps before it sweeps the idle ones: a bound on what a stream of
 * distinct subjects (addresses, tokens) can make the process hold.
 */
export const MEMORY_RATE_SUBJECTS_SWEEP_AT = 10_000;

export class MemoryRateCounter implements RateCounter {
  /** Per subject, the times (ms) of its counted hits, oldest first. */
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(subject: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const now = this.now();
    if (this.hits.size >= MEMORY_RATE_SUBJECTS_SWEEP_AT) this.sweep(now, windowMs);
    const times = (this.hits.get(subject) ?? []).filter((t) => t > now - windowMs);
    if (times.length < limit) {
      times.push(now);
      this.hits.set(subject, times);
      return { allowed: true, retryAfterMs: 0 };
    }
    this.hits.set(subject, times);
    // Allowed again once the oldest counted hit leaves the window.
    return { allowed: false, retryAfterMs: Math.max(1, times[0]! + windowMs - now) };
  }

  private sweep(now: number, windowMs: number): void {
    for (const [subject, times] of this.hits) {
      if (times.length === 0 || times[times.length - 1]! <= now - windowMs) this.hits.delete(subject);
    }
  }
}

/**
 * One sorted set per subject (`<prefix>rate:<digest>`), members scored by the Redis time of each
 * counted hit; it expires a window after its last hit. Returns {allowed, retryAfterMs}.
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local key, limit, window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(oldest[2]) + window - now)}
`;

/** The key of one subject's window: a digest, so a subject (a token, an address) is never written to Redis as is. */
export function rateKey(prefix: string, subject: string): string {
  return `${prefix}rate:${createHash("sha256").update(subject).digest("hex").slice(0, 32)}`;
}

export class RedisRateCounter implements RateCounter {
  constructor(private readonly state: Pick<SharedState, "redis" | "prefix">) {}

  async hit(subject: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const [allowed, retryAfterMs] = (await this.state.redis.send("EVAL", [
      SLIDING_WINDOW,
      "1",
      rateKey(this.state.prefix, subject),
      String(limit),
      String(Math.max(1, Math.round(windowMs))),
      crypto.randomUUID(),
    ])) as [number, number];
    return { allowed: allowed === 1, retryAfterMs: Number(retryAfterMs) };
  }
}

/** The counter for a serve run: shared through Redis with --state, else this process's own. */
export function createRateCounter(state: SharedState | undefined): RateCounter {
  return state ? new RedisRateCounter(state) : new MemoryRateCounter();
}
