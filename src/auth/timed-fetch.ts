// ctx.fetch bounded by a timeout and by Ctrl-C, for the OAuth requests tether makes itself.
import type { FetchLike } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";

export function timedFetch(ctx: Context, timeoutMs: number): FetchLike {
  return (url, init) => {
    const signals = [ctx.signal, AbortSignal.timeout(timeoutMs), init?.signal].filter((s): s is AbortSignal => !!s);
    return ctx.fetch(url, { ...init, signal: AbortSignal.any(signals) });
  };
}
