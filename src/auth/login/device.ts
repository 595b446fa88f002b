// Device login (RFC 8628): ask the authorization server for a user code, show it, poll the token
// endpoint until the user approves on another device. The SDK has no device flow; its fetchToken
// does the token request (client authentication, `resource`, DPoP, error parsing), so only the
// device authorization request and the polling rules live here. Used by `mcp login --device` and by
// any other login that needs a user at a browser elsewhere (an IdP login).
import {
  type AddClientAuthentication,
  type AuthorizationServerMetadata,
  type DpopSession,
  type FetchLike,
  fetchToken,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  OAuthError,
  type OAuthTokens,
  parseErrorResponse,
  selectClientAuthMethod,
} from "@modelcontextprotocol/client";
import { AuthError, CancelledError, TetherError } from "../../errors.ts";
import { reasonOf } from "../auth-errors.ts";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** RFC 8628 §3.2: the poll interval when the server names none. */
const DEFAULT_DEVICE_POLL_INTERVAL_SEC = 5;
/** The shortest wait between polls, whatever the server says (a fraction of a second would hammer it). */
const MIN_DEVICE_POLL_INTERVAL_SEC = 1;
/** RFC 8628 §3.5: what each `slow_down` adds to the interval. */
const SLOW_DOWN_STEP_SEC = 5;
/** When the server names no lifetime for the device code (it must; some forget). */
const DEFAULT_DEVICE_CODE_LIFETIME_SEC = 900;
/** The longest wait believed: a device code said to live longer is given up on after this. */
const MAX_DEVICE_CODE_LIFETIME_SEC = 3600;

/** What of the authorization server's metadata the device flow needs (an RFC 8414 or OpenID document). */
export interface DeviceEndpoints {
  issuer: string;
  device_authorization_endpoint: string;
  token_endpoint: string;
  token_endpoint_auth_methods_supported?: string[];
}

/**
 * The device flow's endpoints from an authorization server's (or IdP's) metadata; undefined when it
 * names no usable device_authorization_endpoint. `tokenEndpoint` overrides the metadata's.
 */
export function deviceEndpointsOf(metadata: AuthorizationServerMetadata | undefined, tokenEndpoint?: string): DeviceEndpoints | undefined {
  // RFC 8628 §4 metadata; the SDK keeps fields it does not know, untyped.
  const endpoint = (metadata as Record<string, unknown> | undefined)?.device_authorization_endpoint;
  if (!metadata || typeof endpoint !== "string" || !URL.canParse(endpoint)) return undefined;
  return {
    issuer: metadata.issuer,
    device_authorization_endpoint: endpoint,
    token_endpoint: tokenEndpoint ?? metadata.token_endpoint,
    token_endpoint_auth_methods_supported: metadata.token_endpoint_auth_methods_supported,
  };
}

export interface DeviceFlowOptions {
  endpoints: DeviceEndpoints;
  client: OAuthClientInformationMixed;
  scope?: string;
  /** RFC 8707 resource indicator, sent with both requests. */
  resource?: URL | string;
  fetchFn: FetchLike;
  now(): number;
  /** Waits `ms`; rejects (or resolves early) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Ctrl-C: stops the wait between polls and the request in flight. */
  signal: AbortSignal;
  /** Names the login in messages, e.g. `"fx"` or `the identity provider`. */
  target: string;
  /** What the user runs to start again, for the hint of every failure. */
  retryHint: string;
  /** Client authentication other than a secret (private_key_jwt); else the SDK picks basic/post/none. */
  addClientAuthentication?: AddClientAuthentication;
  dpop?: DpopSession;
}

/** The device authorization response (RFC 8628 §3.2). Everything in it is the server's text: untrusted. */
export interface DeviceAuthorization {
  /** Never shown: it is what the token request presents. */
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresInSec: number;
  intervalSec: number;
}

/** Requests a device code, hands it to `show`, and polls until the user approved; returns the tokens. */
export async function deviceLogin(options: DeviceFlowOptions, show: (authorization: DeviceAuthorization) => void | Promise<void>): Promise<OAuthTokens> {
  const authorization = await requestDeviceAuthorization(options);
  await show(authorization);
  return pollDeviceToken(options, authorization);
}

/** RFC 8628 §3.1: POST to the device authorization endpoint, authenticated as at the token endpoint. */
export async function requestDeviceAuthorization(options: DeviceFlowOptions): Promise<DeviceAuthorization> {
  const { endpoints, client, scope, resource } = options;
  const url = new URL(endpoints.device_authorization_endpoint);
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" });
  const params = new URLSearchParams();
  if (scope) params.set("scope", scope);
  if (resource) params.set("resource", String(resource));
  if (options.addClientAuthentication) {
    await options.addClientAuthentication(headers, params, url, endpoints as unknown as AuthorizationServerMetadata);
  } else {
    authenticateClient(client, endpoints.token_endpoint_auth_methods_supported ?? [], headers, params);
  }
  const response = await guarded(options, () => options.fetchFn(url, { method: "POST", headers, body: params, signal: options.signal }));
  if (!response.ok) throw failure(options, "the device authorization request was refused", await parseErrorResponse(response));
  return readDeviceAuthorization(options, await response.json().catch(() => undefined));
}

/**
 * RFC 8628 §3.4–3.5: polls the token endpoint every interval until tokens come back. `slow_down`
 * adds 5 s for good; `authorization_pending` keeps polling; the code's lifetime (or `expired_token`)
 * and `access_denied` end the login.
 */
export async function pollDeviceToken(options: DeviceFlowOptions, authorization: DeviceAuthorization): Promise<OAuthTokens> {
  const deadline = options.now() + authorization.expiresInSec * 1000;
  const provider = new DeviceCodeProvider(options.client, authorization.deviceCode, options);
  let intervalSec = authorization.intervalSec;
  for (;;) {
    // Never past the code's death: an interval longer than its life ends the wait there.
    const waitMs = Math.min(intervalSec * 1000, Math.max(0, deadline - options.now()));
    await guarded(options, () => options.sleep(waitMs, options.signal));
    if (options.now() >= deadline) throw expired(options, authorization);
    try {
      return await guarded(options, () =>
        fetchToken(provider, options.endpoints.issuer, {
          metadata: options.endpoints as unknown as AuthorizationServerMetadata,
          resource: options.resource,
          fetchFn: options.fetchFn,
        }),
      );
    } catch (error) {
      if (error instanceof TetherError) throw error;
      if (!(error instanceof OAuthError)) throw failure(options, "the token request failed", error);
      if (error.code === "authorization_pending") continue;
      if (error.code === "slow_down") {
        intervalSec += SLOW_DOWN_STEP_SEC;
        continue;
      }
      if (error.code === "access_denied") {
        throw new AuthError(`the device login to ${options.target} was denied at the authorization server (access_denied)`, { hint: options.retryHint, cause: error });
      }
      if (error.code === "expired_token") throw expired(options, authorization, error);
      throw failure(options, "the token request failed", error);
    }
  }
}

/**
 * The token request's grant for the SDK's fetchToken: it adds client authentication (the SDK's
 * choice of basic, post or none, or the caller's), `resource` and DPoP around these parameters.
 */
class DeviceCodeProvider implements OAuthClientProvider {
  readonly redirectUrl = undefined;
  readonly addClientAuthentication: AddClientAuthentication | undefined;
  private readonly session: DpopSession | undefined;

  constructor(
    private readonly client: OAuthClientInformationMixed,
    private readonly deviceCode: string,
    options: Pick<DeviceFlowOptions, "addClientAuthentication" | "dpop">,
  ) {
    this.addClientAuthentication = options.addClientAuthentication;
    this.session = options.dpop;
  }

  get clientMetadata(): OAuthClientMetadata {
    return { redirect_uris: [], grant_types: [DEVICE_CODE_GRANT, "refresh_token"] };
  }

  clientInformation(): OAuthClientInformationMixed {
    return this.client;
  }

  prepareTokenRequest(): URLSearchParams {
    return new URLSearchParams({ grant_type: DEVICE_CODE_GRANT, device_code: this.deviceCode });
  }

  dpop(): DpopSession | undefined {
    return this.session;
  }

  // The rest of the interface belongs to the redirect flow; the device flow never calls it.
  tokens(): undefined {
    return undefined;
  }
  saveTokens(): void {}
  redirectToAuthorization(): void {}
  saveCodeVerifier(): void {}
  codeVerifier(): string {
    throw new Error("the device flow has no PKCE verifier");
  }
}

/** The SDK's choice of method (it exports the choice, not the application): the same at both endpoints. */
function authenticateClient(client: OAuthClientInformationMixed, supported: string[], headers: Headers, params: URLSearchParams): void {
  const method = selectClientAuthMethod(client, supported);
  if (method === "client_secret_basic" && client.client_secret) {
    headers.set("Authorization", `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`);
    return;
  }
  params.set("client_id", client.client_id);
  if (method === "client_secret_post" && client.client_secret) params.set("client_secret", client.client_secret);
}

function readDeviceAuthorization(options: DeviceFlowOptions, body: unknown): DeviceAuthorization {
  const answer = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof answer[key] === "string" && answer[key] !== "" ? (answer[key] as string) : undefined);
  const deviceCode = text("device_code");
  const userCode = text("user_code");
  const verificationUri = text("verification_uri") ?? text("verification_url"); // `_url`: Google's spelling
  const missing = [!deviceCode && "device_code", !userCode && "user_code", !verificationUri && "verification_uri"].filter(Boolean);
  if (missing.length > 0) {
    throw new AuthError(`the device authorization response for ${options.target} has no ${missing.join(", ")}`, { hint: options.retryHint });
  }
  return {
    deviceCode: deviceCode!,
    userCode: userCode!,
    verificationUri: verificationUri!,
    verificationUriComplete: text("verification_uri_complete"),
    expiresInSec: Math.min(positiveNumber(answer.expires_in) ?? DEFAULT_DEVICE_CODE_LIFETIME_SEC, MAX_DEVICE_CODE_LIFETIME_SEC),
    intervalSec: Math.max(MIN_DEVICE_POLL_INTERVAL_SEC, positiveNumber(answer.interval) ?? DEFAULT_DEVICE_POLL_INTERVAL_SEC),
  };
}

function positiveNumber(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Ctrl-C during a wait or a request ends the login as a cancel (exit 130), whatever the step threw. */
async function guarded<T>(options: Pick<DeviceFlowOptions, "signal">, step: () => Promise<T>): Promise<T> {
  try {
    const result = await step();
    if (options.signal.aborted) throw cancelled(options.signal);
    return result;
  } catch (error) {
    if (options.signal.aborted) throw cancelled(options.signal);
    throw error;
  }
}

function cancelled(signal: AbortSignal): CancelledError {
  return signal.reason instanceof CancelledError ? signal.reason : new CancelledError("interrupted");
}

function expired(options: DeviceFlowOptions, authorization: DeviceAuthorization, cause?: unknown): AuthError {
  const minutes = Math.max(1, Math.round(authorization.expiresInSec / 60));
  return new AuthError(`the device code for ${options.target} expired before the login was approved (it lived ${minutes} min)`, { hint: options.retryHint, cause });
}

function failure(options: DeviceFlowOptions, what: string, error: unknown): AuthError {
  return new AuthError(`device login to ${options.target} failed: ${what}: ${reasonOf(error)}`, { hint: options.retryHint, cause: error });
}
