// Opens a streamable HTTP server (falling back to legacy HTTP+SSE), with the configured headers
// and bearer token, or an OAuth provider when the user has logged in.
import type { OAuthClientProvider } from "@modelcontextprotocol/client";
import { SSEClientTransport } from "@modelcontextprotocol/client";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { Transport } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { requireEnvVar, resolveHeaders } from "../config/expand.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { bearerRealm } from "./errors.ts";
import { boundedFetch } from "./http-limits.ts";
import type { ByteLimitError } from "../net/byte-limit.ts";
import { guardNotifications } from "./notification-budget.ts";

export interface HttpAuth {
  headers: Record<string, string>;
  authProvider?: OAuthClientProvider;
  /**
   * A machine login (client credentials) can widen its own scope after a 403 insufficient_scope;
   * a user's login cannot without a browser, so there the 403 becomes a hint to run `mcp login`.
   */
  stepUp?: boolean;
  /** Workload identity (issue 21 item 5): the provider's view of the transport's requests (it reads the token endpoint's refusal). */
  wrapFetch?(fetchFn: typeof fetch): typeof fetch;
}

/** Headers from config: http_headers (with ${VAR}), env_http_headers, and the bearer token. */
export function configuredHeaders(ctx: Context, server: HttpServerConfig): Record<string, string> {
  const where = `server "${server.name}"`;
  const headers = resolveHeaders(ctx.env, server.httpHeaders, server.envHttpHeaders, where);
  if (server.bearerTokenEnvVar) {
    headers.Authorization = `Bearer ${requireEnvVar(ctx.env, server.bearerTokenEnvVar, `${where} bearer_token_env_var`)}`;
  }
  return headers;
}

/** What an HTTP transport reports about a misbehaving server. */
export interface HttpGuards {
  /** Called once when the server first goes over the notification budget. */
  onFlood(): void;
  /** An SSE event or a JSON body went past MAX_MCP_HTTP_MESSAGE_BYTES. */
  onOversize(error: ByteLimitError): void;
  /** A 401 named this realm in its `WWW-Authenticate` challenge (the SDK's errors keep no headers). */
  onUnauthorizedRealm?(realm: string): void;
}

/** `fetchFn`, telling `onRealm` the realm of every 401's Bearer challenge. */
function watchChallenges(fetchFn: typeof fetch, onRealm: ((realm: string) => void) | undefined): typeof fetch {
  if (!onRealm) return fetchFn;
  const watched = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const response = await fetchFn(input, init);
    const realm = bearerRealm(response);
    if (realm !== undefined) onRealm(realm);
    return response;
  };
  return watched as typeof fetch;
}

export function createStreamableTransport(ctx: Context, url: URL, auth: HttpAuth, guards: HttpGuards): Transport {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: auth.headers },
    authProvider: auth.authProvider,
    onInsufficientScope: auth.stepUp ? "reauthorize" : "throw",
    fetch: watchChallenges(wrapped(auth, boundedFetch(ctx.fetch, guards.onOversize)), guards.onUnauthorizedRealm),
  });
  guardNotifications(transport, { onFirstExcess: guards.onFlood });
  return transport;
}

export function createSseTransport(ctx: Context, url: URL, auth: HttpAuth, guards: HttpGuards): Transport {
  const fetchFn = wrapped(auth, boundedFetch(ctx.fetch, guards.onOversize));
  const transport = new SSEClientTransport(url, {
    requestInit: { headers: auth.headers },
    eventSourceInit: { fetch: (input, init) => fetchFn(input, { ...init, headers: { ...auth.headers, ...headersOf(init) } }) },
    authProvider: auth.authProvider,
    fetch: fetchFn,
  });
  guardNotifications(transport, { onFirstExcess: guards.onFlood });
  return transport;
}

function wrapped(auth: HttpAuth, fetchFn: typeof fetch): typeof fetch {
  return auth.wrapFetch?.(fetchFn) ?? fetchFn;
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  return Object.fromEntries(new Headers(init?.headers).entries());
}

/** A legacy HTTP+SSE server answers the streamable POST with one of these. */
export function looksLikeLegacySse(status: number | undefined): boolean {
  return status === 400 || status === 404 || status === 405;
}
