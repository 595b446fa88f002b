// `mcp login --device`: discovery and the client as the browser login has them, then the device flow
// (./device.ts) in place of the redirect; the tokens are stored exactly as the browser login stores
// them, so every command and the refresh use them alike.
import { type AuthorizationServerMetadata, type OAuthClientInformationMixed, type OAuthClientProvider, type OAuthTokens, registerClient, selectResourceURL } from "@modelcontextprotocol/client";
import type { Context } from "../../context.ts";
import type { HttpServerConfig } from "../../config/types.ts";
import { AuthError, TetherError } from "../../errors.ts";
import { reasonOf } from "../auth-errors.ts";
import { loginCommand } from "../login-command.ts";
import type { StoredCredentials } from "../store/credentials.ts";
import { timedFetch } from "../timed-fetch.ts";
import { sameTokens, withNewTokens } from "../tokens.ts";
import { DEVICE_CODE_GRANT, type DeviceAuthorization, type DeviceEndpoints, deviceEndpointsOf, type DeviceFlowOptions, pollDeviceToken, requestDeviceAuthorization } from "./device.ts";
import { type LoginHooks, type LoginOptions, type LoginResult, discoverLogin, dpopForLogin, loginScope, noDynamicRegistration, OAUTH_REQUEST_TIMEOUT_MS, revokeReplaced, staticClient, type SupportedOAuth } from "./login.ts";

export interface DeviceLoginSession {
  server: HttpServerConfig;
  /** The code and where to enter it; the server's text, untrusted. */
  authorization: DeviceAuthorization;
  /** Polls until the user approved on another device, then stores the login. */
  complete(): Promise<LoginResult>;
}

/** Everything up to the user code at the server's own authorization server: discovery, client, the device authorization request. */
export async function beginOAuthDeviceLogin(
  ctx: Context,
  server: HttpServerConfig,
  serverUrl: URL,
  options: LoginOptions,
  hooks: Pick<LoginHooks, "onWarning">,
): Promise<DeviceLoginSession> {
  const name = server.name;
  const { store, key, previous, support } = await discoverLogin(ctx, server, serverUrl, OAUTH_REQUEST_TIMEOUT_MS);
  const endpoints = deviceEndpoints(server, support);
  const metadata = support.metadata!;
  const fetchFn = timedFetch(ctx, OAUTH_REQUEST_TIMEOUT_MS);
  const scope = withOfflineAccess(
    loginScope(options, server, support, previous) ?? (support.resourceMetadata?.scopes_supported?.join(" ") || undefined),
    metadata,
  );
  const retryHint = loginCommand(name);
  const client = await deviceClient(ctx, server, support, metadata, previous, scope, fetchFn).catch((error: unknown) => {
    if (error instanceof TetherError) throw error;
    throw new AuthError(`could not register tether with the authorization server of "${name}": ${reasonOf(error)}`, { hint: retryHint, cause: error });
  });
  // oauth_resource wins; else the protected-resource metadata's, checked against the server URL as auth() checks it.
  const resource = server.oauth.resource
    ? new URL(server.oauth.resource)
    : await selectResourceURL(serverUrl, NO_RESOURCE_OVERRIDE, support.resourceMetadata).catch((error: unknown) => {
        throw new AuthError(`OAuth login to "${name}" failed: ${reasonOf(error)}`, { hint: retryHint, cause: error });
      });
  const dpop = await dpopForLogin(server, metadata);
  const flow: DeviceFlowOptions = {
    dpop: dpop?.session,
    endpoints,
    client,
    scope,
    resource,
    fetchFn,
    now: () => ctx.now(),
    sleep: (ms, signal) => ctx.sleep(ms, signal),
    signal: ctx.signal,
    target: `"${name}"`,
    retryHint,
  };
  const authorization = await requestDeviceAuthorization(flow);

  return {
    server,
    authorization,
    async complete() {
      const tokens = await pollDeviceToken(flow, authorization);
      const base: StoredCredentials = {
        serverName: name,
        serverUrl: serverUrl.href,
        resourceUrl: resource?.href,
        clientInformation: client,
        scopes: scope?.split(" ").filter(Boolean),
        // Kept only when the server really bound the tokens to the key (token_type DPoP).
        dpopKey: tokens.token_type?.toLowerCase() === "dpop" ? dpop?.stored : undefined,
        savedAt: ctx.now(),
      };
      // Stamped with the issuer as the SDK's auth() stamps the browser login's, so they are only ever
      // presented to the authorization server that issued them (SEP-2352).
      const credentials = withNewTokens(base, { ...tokens, issuer: endpoints.issuer } as OAuthTokens, ctx.now());
      await store.save(key, credentials);
      if (previous?.tokens && !sameTokens(previous, credentials)) await revokeReplaced(previous, fetchFn, hooks);
      return { serverName: name, scopes: credentials.scopes ?? [], store: store.kind };
    },
  };
}

/** The metadata's endpoints, or the one-line answer for an authorization server that has no device flow. */
function deviceEndpoints(server: HttpServerConfig, support: SupportedOAuth): DeviceEndpoints {
  const endpoints = deviceEndpointsOf(support.metadata);
  if (!endpoints) {
    throw new AuthError(`the authorization server of "${server.name}" (${support.authorizationServer}) has no device_authorization_endpoint`, {
      hint: `${loginCommand(server.name)} --no-browser (open the URL anywhere, paste the redirect back)`,
    });
  }
  return endpoints;
}

/**
 * `oauth_client_id` (+ secret); else the client an earlier device login registered with this same
 * authorization server; else a dynamic registration for the device grant. A Client ID Metadata
 * Document is not used: its document names redirect URIs and grants for the browser login.
 */
async function deviceClient(
  ctx: Context,
  server: HttpServerConfig,
  support: SupportedOAuth,
  metadata: AuthorizationServerMetadata,
  previous: StoredCredentials | undefined,
  scope: string | undefined,
  fetchFn: DeviceFlowOptions["fetchFn"],
): Promise<OAuthClientInformationMixed> {
  const configured = staticClient(ctx, server);
  if (configured) return configured;
  const earlier = previous?.clientInformation as (OAuthClientInformationMixed & { issuer?: unknown; grant_types?: unknown }) | undefined;
  if (earlier && earlier.issuer === metadata.issuer && Array.isArray(earlier.grant_types) && earlier.grant_types.includes(DEVICE_CODE_GRANT)) return earlier;
  if (!metadata.registration_endpoint) throw noDynamicRegistration(server, support);
  const registered = await registerClient(support.authorizationServer, {
    metadata,
    clientMetadata: {
      client_name: "tether",
      // No redirect: the user approves on another device.
      redirect_uris: [],
      grant_types: [DEVICE_CODE_GRANT, "refresh_token"],
      // A CLI cannot keep a secret: a public client.
      token_endpoint_auth_method: "none",
      application_type: "native",
      software_id: "tether",
      software_version: ctx.version,
    },
    scope,
    fetchFn,
  });
  // Stamped with its issuer, as the browser login's registration is, so it is never offered to another server.
  return { ...registered, issuer: metadata.issuer } as OAuthClientInformationMixed;
}

/**
 * As the SDK's auth() chooses for a client that may refresh: `offline_access` joins the scope when the
 * authorization server lists it, so a refresh token comes back.
 */
function withOfflineAccess(scope: string | undefined, metadata: AuthorizationServerMetadata): string | undefined {
  if (!scope || !metadata.scopes_supported?.includes("offline_access") || scope.split(" ").includes("offline_access")) return scope;
  return `${scope} offline_access`;
}

/** selectResourceURL reads only the provider's validateResourceURL; without one it takes the metadata's resource. */
const NO_RESOURCE_OVERRIDE = {} as OAuthClientProvider;
