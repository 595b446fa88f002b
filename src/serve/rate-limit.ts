// `--rate-limit N/min`: how many MCP requests one client may make per minute, counted by a
// RateCounter (this process's memory, or Redis shared by the replicas: ./state/rate-limit.ts).
// Who a client is: its OAuth subject (`sub`) behind --auth-issuer, else the bearer token it
// presented, else its peer address. Tokens are counted under a digest, never as themselves.
import { createHash } from "node:crypto";
import { UsageError } from "../errors.ts";
import type { RateCounter } from "./state/types.ts";
import { refuse } from "./http-guards.ts";

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

const WINDOWS_MS: Record<string, number> = { s: 1_000, sec: 1_000, second: 1_000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 };

/** `--rate-limit N/min` (also `N/s`, `N/hour`); N a whole number ≥ 1. */
export function parseRateLimit(value: string, what = "--rate-limit"): RateLimit {
  const match = /^\s*(\d{1,9})\s*\/\s*([a-z]+)\s*$/i.exec(value);
  const windowMs = match ? WINDOWS_MS[match[2]!.toLowerCase()] : undefined;
  const limit = match ? Number(match[1]) : 0;
  if (!windowMs || limit < 1) throw new UsageError(`${what} wants N/min (requests per minute per client, e.g. 600/min), got "${value}"`);
  return { limit, windowMs };
}

/** The key one client's requests are counted under (see the module comment for the order). */
export function rateSubject(who: { subject?: string; authorization?: string | null; peer: string }): string {
  if (who.subject !== undefined) return `sub:${who.subject}`;
  const bearer = /^Bearer\s+(\S+)/i.exec(who.authorization ?? "")?.[1];
  if (bearer !== undefined) return `token:${createHash("sha256").update(bearer).digest("base64url").slice(0, 32)}`;
  return `peer:${who.peer}`;
}

/** Counts one request of `subject`; a 429 with Retry-After when it is over the limit, else undefined. */
export async function checkRateLimit(counter: RateCounter, rate: RateLimit, subject: string): Promise<Response | undefined> {
  let counted: { allowed: boolean; retryAfterMs: number };
  try {
    counted = await counter.hit(subject, rate.limit, rate.windowMs);
  } catch {
    // The replicas' counter (Redis) did not answer. Closed rather than open: a limit that lapses
    // whenever Redis does is no limit, and the client is told to come back shortly.
    return refuse(
      new Response("Service Unavailable: tether mcp serve cannot count --rate-limit while its shared state (Redis) is unreachable\n", {
        status: 503,
        headers: { "Retry-After": "1" },
      }),
    );
  }
  const { allowed, retryAfterMs } = counted;
  if (allowed) return undefined;
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return refuse(
    new Response(`Too Many Requests: over ${rate.limit} per ${rate.windowMs / 1000}s (tether mcp serve --rate-limit); retry in ${seconds}s\n`, {
      status: 429,
      headers: { "Retry-After": String(seconds) },
    }),
  );
}
