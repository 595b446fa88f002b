// `mcp login` for a server with `oauth_idp_issuer` (enterprise-managed authorization, SEP-990): the
// ID token from `oauth_id_token_env_var`, else from a login at the IdP; then the exchange
// (exchange.ts), stored like any other login.
import type { Context } from "../../context.ts";
import { resolveHeaders, serverUrl as expandedUrl } from "../../config/expand.ts";
import { displayUrl } from "../../config/describe.ts";
import { AuthError, ConnectionError } from "../../errors.ts";
import { revokeStoredTokens } from "../revoke.ts";
import { serverCredentialKey } from "../server-store.ts";
import type { StoredCredentials } from "../store/credentials.ts";
import { timedFetch } from "../timed-fetch.ts";
import { sameTokens } from "../tokens.ts";
import { discoverOAuthSupport } from "../login/discovery.ts";
import { type LoginHooks, type LoginOptions, type LoginResult, type LoginStart, requestedScope } from "../login/login.ts";
import { ENTERPRISE_REQUEST_TIMEOUT_MS, type EnterpriseServer, exchangeIdToken, type ExchangeOptions } from "./exchange.ts";
import { beginIdpLogin, handedInIdToken } from "./id-token.ts";

export async function beginEnterpriseLogin(ctx: Context, server: EnterpriseServer, options: LoginOptions, hooks: LoginHooks): Promise<LoginStart> {
  const { config } = await ctx.config();
  const store = await ctx.credentialStore();
  const key = serverCredentialKey(ctx, server);
  const previous = await store.load(key); // a keyring that does not work fails here, before any request
  const serverUrl = expandedUrl(ctx, server);
  // The server's 401 first, as for any login: its resource_metadata and scope lead the discovery.
  const headers = resolveHeaders(ctx.env, server.httpHeaders, server.envHttpHeaders, `server "${server.name}"`);
  const support = await discoverOAuthSupport(ctx, serverUrl, ENTERPRISE_REQUEST_TIMEOUT_MS, headers);
  if (!support.supported && "unreachable" in support) {
    throw new ConnectionError(`server "${server.name}" is unreachable at ${displayUrl(serverUrl.href)} (${support.unreachable})`, {
      hint: `check that the server is running and the url under [mcp_servers.${server.name}] is right`,
    });
  }
  if (!support.supported) throw new AuthError(`server "${server.name}" does not support OAuth login: ${support.answer}`);
  const challenge = support.challenge;
  const exchange = (idTokenSource: ExchangeOptions["idTokenSource"]): Omit<ExchangeOptions, "pinnedIssuer"> => ({
    idTokenSource,
    resourceMetadataUrl: challenge.kind === "challenged" ? challenge.resourceMetadataUrl : undefined,
    scope: requestedScope({
      flag: options.scopes,
      config: server.oauth.scopes,
      challenged: challenge.kind === "challenged" ? challenge.scope : undefined,
      held: previous?.tokens ? previous.scopes : undefined,
    }),
  });
  const finish = async (credentials: StoredCredentials): Promise<LoginResult> => {
    await store.save(key, credentials);
    if (previous?.tokens && !sameTokens(previous, credentials)) {
      const outcome = await revokeStoredTokens(previous, timedFetch(ctx, ENTERPRISE_REQUEST_TIMEOUT_MS));
      if (outcome.kind === "failed") hooks.onWarning?.(`could not revoke the previous login's tokens: ${outcome.reason}`);
    }
    return { serverName: server.name, scopes: credentials.scopes ?? [], store: store.kind };
  };

  const handedIn = handedInIdToken(ctx, server);
  if (handedIn) {
    const credentials = await exchangeIdToken(ctx, server, handedIn.token, exchange({ kind: "env", envVar: handedIn.envVar }));
    return { done: await finish(credentials) };
  }
  // No ID token given: log in at the IdP in the browser (or paste-back). A device login at the IdP
  // would start here instead (see id-token.ts), when `mcp login --device` asks for it.
  const idp = await beginIdpLogin(ctx, server, config.callbackPort, hooks);
  return {
    server,
    authorizationUrl: idp.authorizationUrl,
    redirectUrl: idp.redirectUrl,
    timeoutSec: idp.timeoutSec,
    identityProvider: server.oauth.enterprise.idpIssuer,
    close: idp.close,
    async complete() {
      const idToken = await idp.complete();
      return finish(await exchangeIdToken(ctx, server, idToken, exchange({ kind: "login" })));
    },
  };
}
