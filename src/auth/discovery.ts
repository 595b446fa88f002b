// Does a server speak OAuth? Protected-resource metadata (RFC 9728), else authorization-server
// metadata at its origin (the older MCP auth spec). Used by `mcp add` (a short probe) and `mcp login`.
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
} from "@modelcontextprotocol/client";
import type { AuthorizationServerMetadata } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { reasonOf } from "./auth-errors.ts";
import { resolvedServerUrl } from "./server-store.ts";
import { timedFetch } from "./timed-fetch.ts";

export type OAuthSupport =
  | { supported: true; authorizationServer: string; metadata?: AuthorizationServerMetadata }
  /** `answer` says what the server said instead, for the error message. */
  | { supported: false; answer: string }
  /** No answer at all: a network error (the SDK reports that as "no metadata"). */
  | { supported: false; unreachable: string };

export async function discoverOAuthSupport(ctx: Context, serverUrl: URL, timeoutMs: number): Promise<OAuthSupport> {
  const timed = timedFetch(ctx, timeoutMs);
  let networkError: unknown;
  const fetchFn: typeof timed = async (url, init) => {
    try {
      return await timed(url, init);
    } catch (error) {
      networkError ??= error;
      throw error;
    }
  };
  let answer: string;
  try {
    const resource = await discoverOAuthProtectedResourceMetadata(serverUrl, {}, fetchFn);
    const advertised = resource.authorization_servers?.[0];
    if (advertised) {
      // Metadata is a detail here: a server that advertises an authorization server supports OAuth.
      const metadata = await discoverAuthorizationServerMetadata(advertised, { fetchFn }).catch(() => undefined);
      return { supported: true, authorizationServer: advertised, metadata };
    }
    answer = "its protected-resource metadata names no authorization server";
  } catch (error) {
    answer = reasonOf(error);
  }
  const origin = new URL("/", serverUrl).href;
  try {
    const metadata = await discoverAuthorizationServerMetadata(origin, { fetchFn });
    if (metadata) return { supported: true, authorizationServer: origin, metadata };
  } catch (error) {
    answer = `${answer}; ${reasonOf(error)}`;
  }
  return networkError === undefined ? { supported: false, answer } : { supported: false, unreachable: reasonOf(networkError) };
}

/** How long `mcp add` waits for the probe; it never fails the add. */
export const ADD_PROBE_TIMEOUT_MS = 2_000;

/**
 * For `mcp add --url`: true when the server advertises OAuth and no token is configured, so the user
 * should run `mcp login`. Any failure (offline, unset ${VAR}, slow server) is simply "no".
 */
export async function offersOAuthLogin(ctx: Context, server: HttpServerConfig, timeoutMs = ADD_PROBE_TIMEOUT_MS): Promise<boolean> {
  const headers = Object.keys(server.httpHeaders).map((name) => name.toLowerCase());
  if (server.bearerTokenEnvVar || headers.includes("authorization")) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    const probe = discoverOAuthSupport(ctx, resolvedServerUrl(ctx, server), timeoutMs).then((s) => s.supported);
    return await Promise.race([probe.catch(() => false), giveUp]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
