// `mcp login` for a server with `oauth_idp_issuer` (enterprise-managed authorization, SEP-990): the
// ID token from `oauth_id_token_env_var`, else from a login at the IdP; then the exchange
// (exchange.ts), stored like any other login.
import type { Context } from "../../context.ts";
import { serverUrl as expandedUrl } from "../../config/expand.ts";
import type { StoredCredentials } from "../store/credentials.ts";
import { timedFetch } from "../timed-fetch.ts";
import { sameTokens } from "../tokens.ts";
import { discoverLogin, type LoginHooks, type LoginOptions, type LoginResult, type LoginStart, loginScope, revokeReplaced } from "../login/login.ts";
import type { EnterpriseServer } from "../../config/types.ts";
import { discoveryOf, ENTERPRISE_REQUEST_TIMEOUT_MS, exchangeIdToken, type ExchangeOptions } from "./exchange.ts";
import { beginIdpDeviceLogin, beginIdpLogin } from "./id-token.ts";
import { handedInIdToken } from "./renew.ts";
import type { DeviceLoginSession } from "../login/device-login.ts";

/** What both ways of logging in share: the server's discovery, the exchange's options, and storing the result. */
async function enterpriseGround(ctx: Context, server: EnterpriseServer, options: LoginOptions, hooks: Pick<LoginHooks, "onWarning">) {
  // The server's 401 first, as for any login: its resource_metadata and scope lead the discovery.
  const { store, key, previous, support } = await discoverLogin(ctx, server, expandedUrl(ctx, server), ENTERPRISE_REQUEST_TIMEOUT_MS);
  const challenge = support.challenge;
  const exchange = (idTokenSource: ExchangeOptions["idTokenSource"], idpTokenEndpoint?: string): Omit<ExchangeOptions, "pinnedIssuer"> => ({
    idTokenSource,
    idpTokenEndpoint,
    discovered: discoveryOf(support),
    resourceMetadataUrl: challenge.kind === "challenged" ? challenge.resourceMetadataUrl : undefined,
    scope: loginScope(options, server, support, previous),
  });
  const finish = async (credentials: StoredCredentials): Promise<LoginResult> => {
    await store.save(key, credentials);
    if (previous?.tokens && !sameTokens(previous, credentials)) await revokeReplaced(previous, timedFetch(ctx, ENTERPRISE_REQUEST_TIMEOUT_MS), hooks);
    return { serverName: server.name, scopes: credentials.scopes ?? [], store: store.kind };
  };
  return { exchange, finish };
}

export async function beginEnterpriseLogin(ctx: Context, server: EnterpriseServer, options: LoginOptions, hooks: LoginHooks): Promise<LoginStart> {
  const { config } = await ctx.config();
  const { exchange, finish } = await enterpriseGround(ctx, server, options, hooks);
  const handedIn = handedInIdToken(ctx, server);
  if (handedIn) {
    const credentials = await exchangeIdToken(ctx, server, handedIn.token, exchange({ kind: "env", envVar: handedIn.envVar }));
    return { done: await finish(credentials) };
  }
  // No ID token given: log in at the IdP in the browser (or paste-back); `--device`: beginEnterpriseDeviceLogin.
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
      return finish(await exchangeIdToken(ctx, server, idToken, exchange({ kind: "login" }, idp.tokenEndpoint)));
    },
  };
}

/**
 * `mcp login --device` for an enterprise server: the ID token from a device login at the IdP (asked
 * for explicitly, so it wins over `oauth_id_token_env_var`), then the same exchange.
 */
export async function beginEnterpriseDeviceLogin(ctx: Context, server: EnterpriseServer, options: LoginOptions, hooks: Pick<LoginHooks, "onWarning">): Promise<DeviceLoginSession> {
  const { exchange, finish } = await enterpriseGround(ctx, server, options, hooks);
  const idp = await beginIdpDeviceLogin(ctx, server);
  return {
    server,
    authorization: idp.authorization,
    async complete() {
      return finish(await exchangeIdToken(ctx, server, await idp.complete(), exchange({ kind: "login" }, idp.tokenEndpoint)));
    },
  };
}
