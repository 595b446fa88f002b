// What serve's replicas share (`--state redis://…`, issue 20), as the rest of serve sees it. The
// Redis side lives in this folder; without `--state`, serve keeps the same things in memory.
// Defined here first so the pieces (sessions, event store, requestState, subscriptions, tasks,
// credentials, rate limits, readiness) can be built against one contract.
import type { RedisClient } from "bun";

/** One replica's link to the shared state: made once per serve run and passed down, never module state. */
export interface SharedState {
  /** This replica's id (random per process start), recorded as the home of the sessions it opens. */
  readonly replicaId: string;
  /** Commands (GET/SET/EVAL/…). Commands issued together are pipelined by Bun. */
  readonly redis: RedisClient;
  /** Every key serve writes starts with this (`tether:` by default), so one Redis can host other data. */
  readonly prefix: string;
  /**
   * Subscribes on the dedicated pub/sub connection; re-subscribed after Redis comes back (Bun does
   * not restore subscriptions, see shared notes). Resolves to an unsubscribe.
   */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  publish(channel: string, message: string): Promise<void>;
  /** Redis answered recently (drives /readyz). */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * The secret every replica holds (`--state-key-env-var`, from the environment, never from Redis):
 * it keys requestState MACs, `mcp.client.id` HMACs, and encrypts credentials kept in Redis.
 */
export type StateKey = Uint8Array;

/** A fixed-window or sliding-window counter: `--rate-limit N/min` per subject, in memory or in Redis. */
export interface RateCounter {
  /** Counts one hit for `subject`; `allowed` false when it is over `limit` in the last `windowMs`. */
  hit(subject: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
}
