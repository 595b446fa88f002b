// Enterprise-managed authorization (SEP-990), from an ID token to stored tokens: the SDK's auth()
// discovers the MCP server's authorization server (RFC 9728) and runs the JWT bearer grant (RFC 7523)
// with CrossAppAccessProvider, whose assertion is the ID-JAG the IdP gives for the ID token (RFC 8693,
// requestJwtAuthorizationGrant at the token endpoint the SDK discovers, or `oauth_idp_token_endpoint`).
// tether supplies the configured clients, the pinning, the error messages and the storage.
import {
  auth,
  CrossAppAccessProvider,
  discoverAuthorizationServerMetadata,
  discoverOAuthServerInfo,
  type FetchLike,
  type OAuthDiscoveryState,
  type OAuthServerInfo,
  requestJwtAuthorizationGrant,
} from "@modelcontextprotocol/client";
import type { Context } from "../../context.ts";
import { requireEnvVar, serverUrl as expandedUrl } from "../../config/expand.ts";
import { redactKnownSecrets } from "../../config/secrets.ts";
import type { EnterpriseAuthSettings, EnterpriseServer, HttpServerConfig } from "../../config/types.ts";
import { AuthError, CancelledError, TetherError } from "../../errors.ts";
import { reasonOf } from "../auth-errors.ts";
import { loginCommand } from "../login-command.ts";
import type { OAuthSupport } from "../login/discovery.ts";
import type { StoredCredentials } from "../store/credentials.ts";
import { timedFetch } from "../timed-fetch.ts";
import { withNewTokens } from "../tokens.ts";
import { idpClient, withClientAssertion } from "./idp-client.ts";

export const ENTERPRISE_REQUEST_TIMEOUT_MS = 30_000;

export interface ExchangeOptions {
  /** Space-separated scope to ask for; undefined lets the SDK choose (the metadata's scopes_supported). */
  scope?: string;
  /** From the server's 401 (WWW-Authenticate), when the caller read one. */
  resourceMetadataUrl?: URL;
  /**
   * The authorization server the client credentials may go to: a renewal pins the one the stored
   * login came from, so a server that now names another one never receives them.
   */
  pinnedIssuer?: string;
  /** How the ID token was obtained, for the hint when the IdP refuses it. */
  idTokenSource: { kind: "env"; envVar: string } | { kind: "login" };
  /** The IdP's token endpoint as the caller's login at the IdP read it from its metadata, so it is not read again. */
  idpTokenEndpoint?: string;
  /** The discovery the caller already made (reading the server's 401), so the metadata is not fetched again. */
  discovered?: OAuthServerInfo;
}

/**
 * What the caller's discoverOAuthSupport found, for ExchangeOptions.discovered: only a complete,
 * strictly checked discovery; anything less is made again by the exchange, with its own errors.
 */
export function discoveryOf(support: OAuthSupport): OAuthServerInfo | undefined {
  if (!support.supported || !support.metadata || support.legacyIssuer) return undefined;
  return { authorizationServerUrl: support.authorizationServer, authorizationServerMetadata: support.metadata, resourceMetadata: support.resourceMetadata };
}

/** The IdP refused the token exchange (bad or expired ID token, unknown client); its reason, redacted. */
class IdpExchangeError extends Error {}

/** The IdP's token endpoint: `oauth_idp_token_endpoint`, else `known`, else from its metadata (RFC 8414 or OpenID discovery). */
async function idpTokenEndpoint(serverName: string, settings: EnterpriseAuthSettings, fetchFn: FetchLike, known: string | undefined): Promise<string> {
  const given = settings.idpTokenEndpoint ?? known;
  if (given) return given;
  const unreadable = (why: string, cause?: unknown) =>
    new AuthError(`server "${serverName}": could not read the identity provider's metadata at ${settings.idpIssuer}: ${why}`, {
      hint: "check oauth_idp_issuer, or set oauth_idp_token_endpoint to the identity provider's token endpoint",
      cause,
    });
  const metadata = await discoverAuthorizationServerMetadata(settings.idpIssuer, { fetchFn }).catch((error: unknown) => {
    throw unreadable(reasonOf(error), error);
  });
  if (!metadata?.token_endpoint) throw unreadable("it names no token_endpoint");
  return metadata.token_endpoint;
}

/** Exchanges `idToken` for an access token of `server`; returns the credentials to store. */
export async function exchangeIdToken(ctx: Context, server: EnterpriseServer, idToken: string, options: ExchangeOptions): Promise<StoredCredentials> {
  const settings = server.oauth.enterprise;
  const where = `server "${server.name}"`;
  const clientSecret = requireEnvVar(ctx.env, server.oauth.clientSecretEnvVar!, `${where} oauth_client_secret_env_var`);
  const idp = idpClient(ctx, server);
  // Longest first, as redactKnownSecrets wants them; an empty one would split every character.
  const secrets = [idToken, clientSecret, ...idp.secrets].filter(Boolean).sort((a, b) => b.length - a.length);
  const serverUrl = expandedUrl(ctx, server);
  const fetchFn = timedFetch(ctx, ENTERPRISE_REQUEST_TIMEOUT_MS);

  return runStep(server, options, secrets, async () => {
    const info = options.discovered ?? (await discoverOAuthServerInfo(serverUrl, { resourceMetadataUrl: options.resourceMetadataUrl, fetchFn }));
    const issuer = info.authorizationServerMetadata?.issuer ?? info.authorizationServerUrl;
    const provider = new EnterpriseProvider(info, options.resourceMetadataUrl, server.oauth.resource, {
      clientId: server.oauth.clientId!,
      clientSecret,
      clientName: "tether",
      fetchFn,
      expectedIssuer: options.pinnedIssuer ?? issuer,
      assertion: async (target) => {
        const tokenEndpoint = await idpTokenEndpoint(server.name, settings, target.fetchFn, options.idpTokenEndpoint);
        try {
          const grant = await requestJwtAuthorizationGrant({
            tokenEndpoint,
            // The ID-JAG is for this authorization server and this resource only.
            audience: target.authorizationServerUrl,
            resource: target.resourceUrl,
            idToken,
            clientId: settings.idpClientId,
            clientSecret: idp.information.client_secret,
            scope: target.scope,
            fetchFn: withClientAssertion(target.fetchFn, idp, tokenEndpoint),
          });
          return grant.jwtAuthGrant;
        } catch (error) {
          throw new IdpExchangeError(reasonOf(error), { cause: error });
        }
      },
    });
    await auth(provider, { serverUrl, scope: options.scope, resourceMetadataUrl: options.resourceMetadataUrl, fetchFn });
    const tokens = provider.tokens();
    if (!tokens) throw new Error("the authorization server returned no tokens");
    const base: StoredCredentials = {
      serverName: server.name,
      serverUrl: serverUrl.href,
      resourceUrl: provider.resourceUrl(),
      // The MCP authorization server's client, kept (like a pre-registered client) so a refresh token can be used.
      clientInformation: provider.clientInformation(),
      scopes: options.scope?.split(" ").filter(Boolean),
      savedAt: ctx.now(),
    };
    return withNewTokens(base, tokens, ctx.now());
  });
}

/**
 * The SDK's provider, given the discovery tether already made (so auth() does not repeat it) and
 * `oauth_resource` where it is set.
 */
class EnterpriseProvider extends CrossAppAccessProvider {
  constructor(
    private readonly info: OAuthServerInfo,
    private readonly resourceMetadataUrl: URL | undefined,
    resource: string | undefined,
    options: ConstructorParameters<typeof CrossAppAccessProvider>[0] & { expectedIssuer: string; fetchFn: FetchLike },
  ) {
    super(options);
    if (resource) {
      const url = new URL(resource);
      this.validateResourceURL = async () => url;
    }
  }

  validateResourceURL?: (serverUrl: string | URL, resource?: string) => Promise<URL | undefined>;

  discoveryState(): OAuthDiscoveryState {
    return {
      authorizationServerUrl: this.info.authorizationServerUrl,
      resourceMetadataUrl: this.resourceMetadataUrl?.href,
      resourceMetadata: this.info.resourceMetadata,
      authorizationServerMetadata: this.info.authorizationServerMetadata,
    };
  }

  override resourceUrl(): string | undefined {
    return super.resourceUrl?.();
  }
}

/** One line naming the server and the step that failed, with every secret of the exchange scrubbed. */
async function runStep<T>(server: HttpServerConfig, options: ExchangeOptions, secrets: string[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof TetherError || error instanceof CancelledError) throw error;
    const idp = findCause(error, IdpExchangeError);
    const reason = redactKnownSecrets(idp ? idp.message : reasonOf(error), secrets);
    const source = options.idTokenSource;
    if (idp) {
      const settings = server.oauth.enterprise!;
      // The SDK's token exchange throws a plain Error ("Token exchange failed: CODE - ..."): its code is read from the text.
      const code = /Token exchange failed: (\w+)/.exec(idp.message)?.[1];
      const hint =
        code === "invalid_client" || code === "unauthorized_client"
          ? `check oauth_idp_client_id ("${settings.idpClientId}")${settings.idpClientSecretEnvVar ? ` and the secret in $${settings.idpClientSecretEnvVar}` : ""}`
          : source.kind === "env"
            ? `put a fresh ID token in $${source.envVar}, or unset it and ${loginCommand(server.name)}`
            : `${loginCommand(server.name)} to log in at the identity provider again`;
      throw new AuthError(`server "${server.name}": the identity provider refused to exchange the ID token (${reason})`, { hint, cause: error });
    }
    throw new AuthError(`server "${server.name}": enterprise-managed authorization failed (${reason})`, {
      hint: `${loginCommand(server.name)} to start again (TETHER_DEBUG=1 for details)`,
      cause: error,
    });
  }
}

function findCause<E extends Error>(error: unknown, type: new (...args: never[]) => E): E | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
    if (current instanceof type) return current;
  }
  return undefined;
}
