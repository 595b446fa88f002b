// Retry policy for the model API: which failures retry, and how long to wait before the next try.

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before attempt 2; doubled for each later attempt, then jittered by ±25%. */
  baseDelayMs: number;
  /** Cap on a computed backoff delay. */
  maxDelayMs: number;
  /** Cap on a server's `Retry-After`, so one header cannot park the CLI for an hour. */
  maxRetryAfterMs: number;
  /** Injected so tests neither wait nor depend on the clock. */
  sleep: Sleep;
  /** In [0, 1); injected so tests get a fixed jitter. */
  random: () => number;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleepFor: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  sleep: sleepFor,
  random: Math.random,
};

/** 429 and every 5xx are worth another try; other statuses will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** The wait after failed attempt number `attempt` (1-based) when the server gave no hint. */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random">): number {
  const exponential = options.baseDelayMs * 2 ** (attempt - 1);
  const jittered = exponential * (0.75 + 0.5 * options.random());
  return Math.round(Math.min(jittered, options.maxDelayMs));
}

/**
 * The server's requested wait in ms: `retry-after-ms` (OpenAI), else `Retry-After` as seconds or
 * an HTTP date (relative to `nowMs`). Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(headers: Headers, nowMs: number): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** How long to wait before the attempt after `attempt`: the server's word first, capped. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, options: RetryOptions): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  return backoffDelay(attempt, options);
}
