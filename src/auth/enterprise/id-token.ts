// Where the ID token of an enterprise login comes from when none is handed in through
// `oauth_id_token_env_var` (that one: ./renew.ts handedInIdToken): an OpenID Connect login at the IdP (authorization code +
// PKCE, scope openid) through the same loopback listener and paste-back as `mcp login`. The SDK's
// startAuthorization / exchangeAuthorization make the requests; the IdP's metadata may be an OpenID
// discovery document.
//
// `mcp login --device` logs in at the IdP with the device flow (RFC 8628, ../login/device.ts) instead:
// a code entered on another device, polled until the IdP returns the ID token.
import { discoverAuthorizationServerMetadata, exchangeAuthorization, startAuthorization } from "@modelcontextprotocol/client";
import type { Context } from "../../context.ts";
import { AuthError, CancelledError } from "../../errors.ts";
import { reasonOf } from "../auth-errors.ts";
import { loginCommand } from "../login-command.ts";
import { awaitAuthorizationResponse, type LoginHooks } from "../login/login.ts";
import { timedFetch } from "../timed-fetch.ts";
import { type DeviceAuthorization, deviceEndpointsOf, type DeviceFlowOptions, pollDeviceToken, requestDeviceAuthorization } from "../login/device.ts";
import type { EnterpriseServer } from "../../config/types.ts";
import { ENTERPRISE_REQUEST_TIMEOUT_MS } from "./exchange.ts";
import { idpClient } from "./idp-client.ts";

/** The OpenID Connect scope: what makes the IdP return an ID token. */
const OPENID_SCOPE = "openid";

/** A login at the IdP under way: the user visits `authorizationUrl`; `complete()` yields the ID token. */
export interface IdTokenLogin {
  authorizationUrl: URL;
  redirectUrl: string;
  timeoutSec: number;
  /** The IdP's token endpoint, for the exchange of the ID token. */
  tokenEndpoint: string;
  complete(): Promise<string>;
  close(): Promise<void>;
}

/** Starts an OpenID Connect login at the IdP: listener, metadata, PKCE; the caller shows the URL. */
export async function beginIdpLogin(ctx: Context, server: EnterpriseServer, callbackPort: number, hooks: LoginHooks): Promise<IdTokenLogin> {
  const settings = server.oauth.enterprise;
  const where = `server "${server.name}"`;
  const fetchFn = timedFetch(ctx, ENTERPRISE_REQUEST_TIMEOUT_MS);
  const failed = (what: string, error?: unknown) =>
    new AuthError(`${where}: login at the identity provider ${settings.idpIssuer} failed: ${what}`, {
      hint: `check oauth_idp_issuer and oauth_idp_client_id under [mcp_servers.${server.name}]; ${loginCommand(server.name)} to start again`,
      cause: error,
    });
  const metadata = await discoverAuthorizationServerMetadata(settings.idpIssuer, { fetchFn }).catch((error: unknown) => {
    throw failed(reasonOf(error), error);
  });
  if (!metadata?.authorization_endpoint) throw failed("its metadata names no authorization_endpoint");
  const client = idpClient(ctx, server);
  const clientInformation = client.information;

  const response = awaitAuthorizationResponse(ctx, callbackPort, server.name, hooks);
  let started: Awaited<ReturnType<typeof startAuthorization>>;
  try {
    started = await startAuthorization(settings.idpIssuer, { metadata, clientInformation, redirectUrl: response.redirectUrl, scope: OPENID_SCOPE, state: response.state });
  } catch (error) {
    await response.close();
    throw failed(reasonOf(error), error);
  }
  response.acceptPaste();

  return {
    authorizationUrl: started.authorizationUrl,
    redirectUrl: response.redirectUrl,
    timeoutSec: response.timeoutSec,
    tokenEndpoint: settings.idpTokenEndpoint ?? metadata.token_endpoint,
    close: response.close,
    async complete() {
      const { code, iss } = await response.received();
      // exchangeAuthorization checks `iss` (RFC 9207) against the IdP's metadata before redeeming the code.
      const tokens = await exchangeAuthorization(settings.idpIssuer, {
        metadata,
        clientInformation,
        authorizationCode: code,
        iss,
        codeVerifier: started.codeVerifier,
        redirectUri: response.redirectUrl,
        addClientAuthentication: client.addClientAuthentication,
        fetchFn,
      }).catch((error: unknown) => {
        if (error instanceof AuthError || error instanceof CancelledError) throw error;
        throw failed(reasonOf(error), error);
      });
      if (!tokens.id_token) throw failed("it returned no ID token (is the client allowed the openid scope?)");
      return tokens.id_token;
    },
  };
}

/** A device login at the IdP under way: the code to show; `complete()` polls and yields the ID token. */
export interface IdTokenDeviceLogin {
  authorization: DeviceAuthorization;
  /** The IdP's token endpoint, for the exchange of the ID token. */
  tokenEndpoint: string;
  complete(): Promise<string>;
}

/** Starts a device login (RFC 8628) at the IdP, scope openid, as `oauth_idp_client_id`. */
export async function beginIdpDeviceLogin(ctx: Context, server: EnterpriseServer): Promise<IdTokenDeviceLogin> {
  const settings = server.oauth.enterprise;
  const fetchFn = timedFetch(ctx, ENTERPRISE_REQUEST_TIMEOUT_MS);
  const retryHint = loginCommand(server.name);
  const failed = (what: string, error?: unknown) =>
    new AuthError(`server "${server.name}": login at the identity provider ${settings.idpIssuer} failed: ${what}`, { hint: retryHint, cause: error });
  const metadata = await discoverAuthorizationServerMetadata(settings.idpIssuer, { fetchFn }).catch((error: unknown) => {
    throw failed(reasonOf(error), error);
  });
  const endpoints = deviceEndpointsOf(metadata, settings.idpTokenEndpoint);
  if (!endpoints) {
    throw new AuthError(`the identity provider of "${server.name}" (${settings.idpIssuer}) has no device_authorization_endpoint`, {
      hint: `${retryHint} --no-browser (open the URL anywhere, paste the redirect back)`,
    });
  }
  const client = idpClient(ctx, server);
  const flow: DeviceFlowOptions = {
    endpoints,
    client: client.information,
    addClientAuthentication: client.addClientAuthentication,
    scope: OPENID_SCOPE,
    fetchFn,
    now: () => ctx.now(),
    sleep: (ms, signal) => ctx.sleep(ms, signal),
    signal: ctx.signal,
    target: "the identity provider",
    retryHint,
  };
  const authorization = await requestDeviceAuthorization(flow);
  return {
    authorization,
    tokenEndpoint: endpoints.token_endpoint,
    async complete() {
      const tokens = await pollDeviceToken(flow, authorization);
      if (!tokens.id_token) throw failed("it returned no ID token (is the client allowed the openid scope?)");
      return tokens.id_token;
    },
  };
}
