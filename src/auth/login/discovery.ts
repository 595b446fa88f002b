// Does a server speak OAuth, and where is its authorization server? First the server's own answer to
// a real MCP request (a 401 whose WWW-Authenticate names the protected-resource metadata and the
// scope), then the well-known metadata paths; the SDK does the discovery itself. Used by `mcp add`
// (a short probe) and `mcp login`.
import {
  type AuthorizationServerMetadata,
  Client,
  discoverOAuthServerInfo,
  extractWWWAuthenticateParams,
  type FetchLike,
  IssuerMismatchError,
  type OAuthProtectedResourceMetadata,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import type { Context } from "../../context.ts";
import type { HttpServerConfig } from "../../config/types.ts";
import { reasonOf } from "../auth-errors.ts";
import { serverUrl } from "../../config/expand.ts";
import { rememberLoginWanted } from "../state.ts";
import { timedFetch } from "../timed-fetch.ts";
import { bearerRealm, SERVE_REALM } from "../../mcp/errors.ts";

/** What the server said when tether called it with no credentials. */
export type Challenge =
  /** It answered 401: OAuth is wanted, with these hints from WWW-Authenticate. */
  | { kind: "challenged"; resourceMetadataUrl?: URL; scope?: string; realm?: string }
  /** It answered without asking for credentials. */
  | { kind: "open" };

export type OAuthSupport =
  | {
      supported: true;
      authorizationServer: string;
      metadata?: AuthorizationServerMetadata;
      /** The protected-resource metadata, when the server publishes it (its resource and scopes). */
      resourceMetadata?: OAuthProtectedResourceMetadata;
      challenge: Challenge;
      /**
       * A 2025-03-26 server: no protected-resource metadata, and authorization-server metadata at its
       * own origin whose `issuer` names another path there. The server vouches for its own metadata,
       * so the RFC 8414 §3.3 issuer echo is not required of it.
       */
      legacyIssuer?: boolean;
    }
  /** `answer` says what the server said instead, for the error message. */
  | { supported: false; answer: string }
  /** No answer at all: a network error. */
  | { supported: false; unreachable: string };

class ChallengeSeen extends Error {}

/**
 * Calls the server as an MCP client with no credentials. The SDK transport hands a 401 to the auth
 * provider's onUnauthorized; this one only records the challenge and stops there.
 */
export async function readChallenge(ctx: Context, serverUrl: URL, headers: Record<string, string>, fetchFn: FetchLike, timeoutMs: number): Promise<Challenge> {
  let challenge: Challenge | undefined;
  const transport = new StreamableHTTPClientTransport(serverUrl, {
    requestInit: { headers },
    fetch: fetchFn,
    authProvider: {
      token: async () => undefined,
      onUnauthorized: async ({ response }) => {
        const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
        challenge = { kind: "challenged", resourceMetadataUrl, scope, realm: bearerRealm(response) };
        throw new ChallengeSeen("challenged");
      },
    },
  });
  const client = new Client({ name: "tether", version: ctx.version }, { versionNegotiation: { mode: "auto", probe: { timeoutMs } } });
  try {
    await client.connect(transport, { timeout: timeoutMs, signal: ctx.signal });
    return { kind: "open" };
  } catch (error) {
    if (challenge) return challenge;
    throw error;
  } finally {
    await client.close().catch(() => {});
  }
}

export async function discoverOAuthSupport(
  ctx: Context,
  serverUrl: URL,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<OAuthSupport> {
  const timed = timedFetch(ctx, timeoutMs);
  let networkError: unknown;
  const fetchFn: FetchLike = async (url, init) => {
    try {
      return await timed(url, init);
    } catch (error) {
      networkError ??= error;
      throw error;
    }
  };
  let challenge: Challenge;
  try {
    challenge = await readChallenge(ctx, serverUrl, headers, fetchFn, timeoutMs);
  } catch (error) {
    // Not an MCP server tether can talk to without credentials; the metadata may still say OAuth.
    if (networkError !== undefined) return { supported: false, unreachable: reasonOf(networkError) };
    challenge = { kind: "open" };
    void error;
  }
  if (challenge.kind === "challenged" && challenge.realm === SERVE_REALM) {
    return { supported: false, answer: "it is a tether mcp serve, which wants its bearer token (--bearer-token-env-var), not an OAuth login" };
  }
  const resourceMetadataUrl = challenge.kind === "challenged" ? challenge.resourceMetadataUrl : undefined;
  try {
    let legacyIssuer = false;
    const info = await discoverOAuthServerInfo(serverUrl, { resourceMetadataUrl, fetchFn }).catch(async (error: unknown) => {
      if (!(error instanceof IssuerMismatchError)) throw error;
      const relaxed = await discoverOAuthServerInfo(serverUrl, { resourceMetadataUrl, fetchFn, skipIssuerMetadataValidation: true });
      if (relaxed.resourceMetadata || new URL(relaxed.authorizationServerUrl).origin !== serverUrl.origin) throw error;
      legacyIssuer = true;
      return relaxed;
    });
    const advertised = info.resourceMetadata?.authorization_servers?.[0];
    if (advertised || info.authorizationServerMetadata || challenge.kind === "challenged") {
      // A 401 alone is enough: a 2025-03-26 server may publish no metadata at all, and then the
      // authorization server's endpoints are /authorize, /token and /register at its origin.
      const { resourceMetadata } = info;
      return { supported: true, authorizationServer: info.authorizationServerUrl, metadata: info.authorizationServerMetadata, challenge, legacyIssuer, resourceMetadata };
    }
    return { supported: false, answer: "it asks for no credentials and publishes no OAuth metadata" };
  } catch (error) {
    if (challenge.kind === "challenged") {
      return { supported: true, authorizationServer: new URL("/", serverUrl).href, challenge };
    }
    if (networkError !== undefined) return { supported: false, unreachable: reasonOf(networkError) };
    return { supported: false, answer: reasonOf(error) };
  }
}

/** How long `mcp add` waits for the probe; it never fails the add. */
export const ADD_PROBE_TIMEOUT_MS = 2_000;

/**
 * For `mcp add --url`: true when the server asks for OAuth and no token is configured, so the user
 * should run `mcp login`; remembered, so `mcp list` shows `oauth: not logged in`. Any failure
 * (offline, unset ${VAR}, slow server) is simply "no".
 */
export async function probeOAuthAtAdd(ctx: Context, server: HttpServerConfig, timeoutMs = ADD_PROBE_TIMEOUT_MS): Promise<boolean> {
  const wanted = await offersOAuthLogin(ctx, server, timeoutMs);
  if (wanted) await rememberLoginWanted(ctx, server);
  return wanted;
}

async function offersOAuthLogin(ctx: Context, server: HttpServerConfig, timeoutMs: number): Promise<boolean> {
  const headers = Object.keys(server.httpHeaders).map((name) => name.toLowerCase());
  if (server.bearerTokenEnvVar || headers.includes("authorization") || server.oauth.grant !== "authorization_code") return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    const probe = discoverOAuthSupport(ctx, serverUrl(ctx, server), timeoutMs).then((s) => s.supported);
    return await Promise.race([probe.catch(() => false), giveUp]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
