// Who a downstream request comes from, and the requestState tether hands a client with an
// `input_required` result: sealed under a per-process random key (the SDK's HMAC codec), bound to
// that client and expiring with the question, so a client can neither forge nor replay another's.
// Replicas sharing state (`--state`) seal under keys derived from the shared state key instead, so
// a retry verifies on whichever replica it reaches, and a client's `mcp.client.id` is one id on all.
import { createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { createRequestStateCodec, type ServerContext } from "@modelcontextprotocol/server";
import type { StateKey } from "./state/types.ts";

/** The downstream client of one request, as far as tether can tell. */
export interface DownstreamClient {
  /**
   * The connection the request came on: `stdio`, or a 2025 HTTP session id. Absent for stateless
   * HTTP (2026-07-28 clients, 2025 clients without a session), which has no connection to name.
   */
  session?: string;
  /**
   * A keyed HMAC (a key made per serve run) of the session, else of the bearer credential presented:
   * stable for one client while serve runs, never the credential. Absent for an anonymous stateless
   * request. Binds requestState; safe to emit as telemetry (`mcp.client.id`).
   */
  clientKey?: string;
  /** The verified OAuth subject (`sub`) behind --auth-issuer (./oauth-front.ts puts it in authInfo.extra). */
  subject?: string;
}

function describeClient(key: Buffer, ctx: ServerContext, transport: "stdio" | "http"): DownstreamClient {
  const keyed = (value: string): string => createHmac("sha256", key).update(value).digest("hex").slice(0, 32);
  if (transport === "stdio") return { session: "stdio", clientKey: keyed("stdio") };
  const subject = ctx.http?.authInfo?.extra?.subject;
  if (typeof subject === "string") {
    // The subject outlives its tokens: a refreshed token is still the same client.
    return ctx.sessionId
      ? { session: ctx.sessionId, clientKey: keyed(`session\0${ctx.sessionId}`), subject }
      : { clientKey: keyed(`subject\0${subject}`), subject };
  }
  if (ctx.sessionId) return { session: ctx.sessionId, clientKey: keyed(`session\0${ctx.sessionId}`) };
  const bearer = /^Bearer\s+(.+)$/i.exec(ctx.http?.req?.headers.get("authorization") ?? "")?.[1];
  return bearer === undefined ? {} : { clientKey: keyed(`credential\0${bearer}`) };
}

/**
 * What a request asks for (method and params, without `_meta`), as a digest: a requestState
 * answers only the request it was issued for, since a 2026-07-28 retry repeats the request.
 */
export function requestIdentity(method: string, params: Record<string, unknown> | undefined): string {
  const { _meta, ...rest } = params ?? {};
  return createHash("sha256").update(`${method}\0${canonicalJson(rest)}`).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export interface RequestStates {
  /** Who sent the request of `ctx`, keyed as the seals are. */
  client(ctx: ServerContext): DownstreamClient;
  /** Seals an exchange id for the client of `ctx`. */
  mint(exchangeId: string, ctx: ServerContext): Promise<string>;
  /**
   * ServerOptions.requestState.verify: the exchange id, or a throw, which the SDK answers with
   * -32602 "Invalid or expired requestState" (tampered, expired, or another client's).
   */
  verify(state: string, ctx: ServerContext): Promise<string>;
}

/** A key for one purpose, derived from the state key (HKDF-SHA256): the state key itself signs nothing. */
function derivedKey(stateKey: StateKey, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", stateKey, new Uint8Array(0), `tether serve ${purpose} v1`, 32));
}

/**
 * One serve run's seals and client keys. Without a state key, under secrets made for the run: a
 * restart invalidates open questions, which die with it anyway. With one (`--state-key-env-var`),
 * under keys derived from it, the same on every replica.
 */
export function createRequestStates(ttlMs: number, transport: "stdio" | "http", stateKey?: StateKey): RequestStates {
  const clientKey = stateKey ? derivedKey(stateKey, "client id") : randomBytes(32);
  const client = (ctx: ServerContext) => describeClient(clientKey, ctx, transport);
  const codec = createRequestStateCodec<string>({
    key: stateKey ? derivedKey(stateKey, "requestState") : randomBytes(32),
    ttlSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
    bind: (ctx) => client(ctx).clientKey ?? "anonymous",
  });
  return { client, mint: (id, ctx) => codec.mint(id, ctx), verify: (state, ctx) => codec.verify(state, ctx) };
}
