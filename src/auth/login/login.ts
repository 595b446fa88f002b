// `mcp login`: the SDK's auth() does discovery, registration, PKCE and the code exchange; tether
// supplies the loopback listener, the pasted-URL path, the timeout and the storage.
import { randomBytes } from "node:crypto";
import { auth, type AuthorizationServerMetadata, type OAuthClientInformationMixed } from "@modelcontextprotocol/client";
import type { Context, Env } from "../../context.ts";
import { displayUrl } from "../../config/describe.ts";
import { requireEnvVar, resolveHeaders, serverUrl as expandedUrl } from "../../config/expand.ts";
import { isLoopbackHost } from "../../config/names.ts";
import { getServer } from "../../config/servers.ts";
import type { HttpServerConfig, ServerConfig } from "../../config/types.ts";
import { AuthError, CancelledError, ConnectionError, UsageError } from "../../errors.ts";
import { noLoginForStdio, reasonOf } from "../auth-errors.ts";
import { loginCommand } from "../login-command.ts";
import { type AuthorizationVerdict, parsePastedRedirect, readAuthorizationResponse } from "./authorization-response.ts";
import { startCallbackListener } from "./callback-listener.ts";
import type { CredentialStore, StoredCredentials } from "../store/credentials.ts";
import { discoverOAuthSupport, type OAuthSupport } from "./discovery.ts";
import { LoginProvider } from "./login-provider.ts";
import type { StoredDpopKey } from "../store/credentials.ts";
import { readPastedLines } from "./paste-reader.ts";
import { serverCredentialKey } from "../server-store.ts";
import { timedFetch } from "../timed-fetch.ts";
import type { FetchLike } from "@modelcontextprotocol/client";
import { revokeStoredTokens } from "../revoke.ts";
import { sameTokens, withNewTokens } from "../tokens.ts";
import { withTimeout } from "../../timers.ts";

export const DEFAULT_LOGIN_TIMEOUT_SEC = 300;
export const OAUTH_REQUEST_TIMEOUT_MS = 30_000;

export interface LoginOptions {
  name: string;
  /** The server itself when the command line gave it ad hoc (`mcp login https://…`); else `name` is looked up. */
  server?: ServerConfig;
  /** `--scopes`, overriding `oauth_scopes`. */
  scopes?: string[];
}

export interface LoginHooks {
  /** A pasted line that is not a redirect URL; the login keeps waiting. */
  onIgnoredPaste(reason: string): void;
  /** Something worth a warning that does not stop the login (e.g. the old tokens could not be revoked). */
  onWarning?(message: string): void;
  /** A request to the callback listener that is not this login's answer (wrong state); the login keeps waiting. */
  onIgnoredCallback?(reason: string): void;
}

export interface LoginSession {
  server: HttpServerConfig;
  authorizationUrl: URL;
  redirectUrl: string;
  timeoutSec: number;
  /** Set when the login happens at an enterprise identity provider (its issuer), not at the server's authorization server. */
  identityProvider?: string;
  /** Waits for the browser's callback or a pasted redirect URL, exchanges the code, stores the login. */
  complete(): Promise<LoginResult>;
  close(): Promise<void>;
}

/** What beginLogin (./start.ts) returns: a session waiting for the browser, or a login that needed none (an ID token handed in). */
export type LoginStart = LoginSession | { done: LoginResult };

export interface LoginResult {
  serverName: string;
  scopes: string[];
  store: CredentialStore["kind"];
}

/**
 * Everything up to the authorization URL at the server's own authorization server: listener,
 * discovery, registration, PKCE (./start.ts checked the server and sends enterprise ones elsewhere).
 */
export async function beginOAuthLogin(ctx: Context, server: HttpServerConfig, serverUrl: URL, options: LoginOptions, hooks: LoginHooks): Promise<LoginSession> {
  const { config } = await ctx.config();
  const { store, key, previous, support } = await discoverLogin(ctx, server, serverUrl, OAUTH_REQUEST_TIMEOUT_MS);
  // Client ID Metadata Document first where the authorization server takes it, then a pre-registered
  // client, then dynamic registration.
  const useCimd = Boolean(server.oauth.clientMetadataUrl && support.metadata?.client_id_metadata_document_supported);
  const client = useCimd ? undefined : staticClient(ctx, server);
  if (!client && !useCimd && support.metadata && !support.metadata.registration_endpoint) throw noDynamicRegistration(server, support);

  const challenge = support.challenge;
  const scope = loginScope(options, server, support, previous);
  const resourceMetadataUrl = challenge.kind === "challenged" ? challenge.resourceMetadataUrl : undefined;
  const skipIssuerMetadataValidation = support.legacyIssuer === true;
  const fetchFn = timedFetch(ctx, OAUTH_REQUEST_TIMEOUT_MS);
  // DPoP: a new login gets a new key pair (the old login's key goes with its revoked tokens).
  const dpop = await dpopForLogin(server, support.metadata);
  const response = awaitAuthorizationResponse(ctx, config.callbackPort, server.name, hooks);
  const provider = new LoginProvider({
    redirectUrl: response.redirectUrl,
    state: response.state,
    version: ctx.version,
    staticClient: client,
    resource: server.oauth.resource,
    clientMetadataUrl: useCimd ? server.oauth.clientMetadataUrl : undefined,
    previousClient: previous?.clientInformation,
    dpop: dpop?.session,
    // Only a discovery that found the metadata; else auth() tries again and says what failed.
    discovery: support.metadata && {
      authorizationServerUrl: support.authorizationServer,
      resourceMetadataUrl: resourceMetadataUrl?.href,
      resourceMetadata: support.resourceMetadata,
      authorizationServerMetadata: support.metadata,
    },
  });
  try {
    await runAuth(server, () => auth(provider, { serverUrl, scope, resourceMetadataUrl, fetchFn, skipIssuerMetadataValidation }));
  } catch (error) {
    await response.close();
    throw error;
  }
  const authorizationUrl = provider.authorizationUrl!;
  response.acceptPaste();

  return {
    server,
    authorizationUrl,
    redirectUrl: response.redirectUrl,
    timeoutSec: response.timeoutSec,
    close: response.close,
    async complete() {
      const { code, iss } = await response.received();
      // The SDK checks `iss` (RFC 9207) against the issuer it discovered before redeeming the code.
      await runAuth(server, () =>
        auth(provider, { serverUrl, scope, resourceMetadataUrl, fetchFn, skipIssuerMetadataValidation, authorizationCode: code, iss }),
      );
      const credentials = credentialsOf(ctx, server, serverUrl, provider, authorizationUrl, scope, dpop?.stored);
      await store.save(key, credentials);
      if (previous?.tokens && !sameTokens(previous, credentials)) await revokeReplaced(previous, fetchFn, hooks);
      return { serverName: server.name, scopes: credentials.scopes ?? [], store: store.kind };
    },
  };
}

/** DPoP (RFC 9449) for this login, when on (see ../dpop.ts); the SDK is loaded only then. */
export async function dpopForLogin(server: HttpServerConfig, metadata: AuthorizationServerMetadata | undefined) {
  const { dpopAlgFor, newDpopKey } = await import("../dpop.ts");
  const alg = dpopAlgFor(server.name, server.oauth.dpop, metadata);
  return alg ? newDpopKey(alg) : undefined;
}

/** The browser's way back to one login: the loopback listener, the paste-back reader, the wait. */
interface AuthorizationResponseWait {
  /** The `state` the authorization URL must carry; a response without it is ignored. */
  state: string;
  redirectUrl: string;
  timeoutSec: number;
  /** Once the authorization URL is shown: a pasted redirect URL is judged like the browser's callback. */
  acceptPaste(): void;
  /** Stops the listener and the reader; it also runs when the command exits. */
  close(): Promise<void>;
  /** The code (and `iss`), bounded by the login timeout and Ctrl-C; closes both ways in when it settles. */
  received(): Promise<{ code: string; iss?: string }>;
}

/** Starts listening for the authorization response of a login (ours, or the IdP's in ../enterprise/id-token.ts). */
export function awaitAuthorizationResponse(
  ctx: Context,
  callbackPort: number,
  serverName: string,
  hooks: Pick<LoginHooks, "onIgnoredPaste" | "onIgnoredCallback">,
): AuthorizationResponseWait {
  const state = randomBytes(24).toString("base64url");
  const outcome = deferred<{ code: string; iss?: string }>();
  const judge = (url: URL): AuthorizationVerdict => {
    const verdict = readAuthorizationResponse(url, state, serverName);
    if (verdict.kind === "code") outcome.resolve({ code: verdict.code, iss: verdict.iss });
    if (verdict.kind === "failure") outcome.reject(verdict.error);
    return verdict;
  };
  const listener = startCallbackListener(callbackPort, judge, hooks.onIgnoredCallback);
  let paste: { close(): void } | undefined;
  const close = () => {
    paste?.close();
    return listener.close();
  };
  ctx.atExit(close);
  const timeoutSec = loginTimeoutSec(ctx.env);
  return {
    state,
    redirectUrl: listener.redirectUrl,
    timeoutSec,
    close,
    acceptPaste() {
      paste ??= readPastedLines(ctx.io.stdin, (line) => {
        if (!line.trim()) return;
        const url = parsePastedRedirect(line);
        const verdict = url ? judge(url) : undefined;
        if (!verdict) hooks.onIgnoredPaste("it is not a URL");
        else if (verdict.kind === "ignore") hooks.onIgnoredPaste(verdict.reason);
      });
    },
    async received() {
      try {
        return await waitFor(ctx, outcome.promise, timeoutSec, serverName);
      } finally {
        await close();
      }
    },
  };
}

/** Grants with which tether gets tokens by itself: `mcp login` has nothing to do for them. */
const MACHINE_GRANTS: Partial<Record<string, string>> = {
  client_credentials: "client credentials (oauth_grant)",
  jwt_bearer: 'the platform\'s token (oauth_grant = "jwt_bearer")',
};

/** The server a login is for, refused where tether never logs in: plain http to another host, a machine grant. */
export async function loginServer(ctx: Context, options: LoginOptions): Promise<{ server: HttpServerConfig; serverUrl: URL }> {
  const server = loginTarget(options.server ?? (await getServer(ctx, options.name)));
  const serverUrl = refuseInsecureUrl(ctx, server);
  const machine = MACHINE_GRANTS[server.oauth.grant];
  if (machine) {
    throw new UsageError(`server "${server.name}" logs in by itself with ${machine}; there is nothing to do`, {
      hint: `try it with: tether mcp tools ${server.name}`,
    });
  }
  return { server, serverUrl };
}

export type SupportedOAuth = Extract<OAuthSupport, { supported: true }>;

/**
 * What every login starts from: the stored login (a keyring that does not work fails here, before
 * any browser) and what the server's 401 and metadata say, or one line on why there is nothing to log in to.
 */
export async function discoverLogin(
  ctx: Context,
  server: HttpServerConfig,
  serverUrl: URL,
  timeoutMs: number,
): Promise<{ store: CredentialStore; key: string; previous: StoredCredentials | undefined; support: SupportedOAuth }> {
  const store = await ctx.credentialStore();
  const key = serverCredentialKey(ctx, server);
  const previous = await store.load(key);
  const headers = resolveHeaders(ctx.env, server.httpHeaders, server.envHttpHeaders, `server "${server.name}"`);
  const support = await discoverOAuthSupport(ctx, serverUrl, timeoutMs, headers);
  if (!support.supported && "unreachable" in support) {
    throw new ConnectionError(`server "${server.name}" is unreachable at ${displayUrl(serverUrl.href)} (${support.unreachable})`, {
      hint: `check that the server is running and the url under [mcp_servers.${server.name}] is right`,
    });
  }
  if (!support.supported) {
    throw new AuthError(`server "${server.name}" does not support OAuth login: ${support.answer}`, {
      hint: `if it needs a token, put it in an env var and add the server with --bearer-token-env-var`,
    });
  }
  return { store, key, previous, support };
}

function refuseInsecureUrl(ctx: Context, server: HttpServerConfig): URL {
  const serverUrl = expandedUrl(ctx, server);
  if (serverUrl.protocol === "http:" && !isLoopbackHost(serverUrl.hostname)) {
    throw new UsageError(`server "${server.name}": OAuth tokens are never sent over plain http:// to ${serverUrl.hostname}`, {
      hint: "use an https:// url; plain http is allowed only for 127.0.0.1, localhost and ::1",
    });
  }
  return serverUrl;
}

function loginTarget(server: ServerConfig): HttpServerConfig {
  const { name } = server;
  if (server.transport === "stdio") throw noLoginForStdio(name);
  if (server.bearerTokenEnvVar) {
    throw new UsageError(`server "${name}" uses a bearer token from $${server.bearerTokenEnvVar}, which would win over an OAuth login`, {
      hint: `remove bearer_token_env_var from [mcp_servers.${name}] to use OAuth instead`,
    });
  }
  return server;
}

/** A login that would have to register tether but cannot: the authorization server has no registration endpoint. */
export function noDynamicRegistration(server: HttpServerConfig, support: SupportedOAuth): AuthError {
  return new AuthError(`the authorization server of "${server.name}" (${support.authorizationServer}) does not register clients dynamically`, {
    hint: `set oauth_client_id (and oauth_client_secret_env_var) for "${server.name}" in config.toml`,
  });
}

export function staticClient(ctx: Context, server: HttpServerConfig): OAuthClientInformationMixed | undefined {
  const { clientId, clientSecretEnvVar } = server.oauth;
  if (!clientId) return undefined;
  const where = `server "${server.name}" oauth_client_secret_env_var`;
  return clientSecretEnvVar ? { client_id: clientId, client_secret: requireEnvVar(ctx.env, clientSecretEnvVar, where) } : { client_id: clientId };
}

/** Runs one auth() step; anything it throws becomes a one-line AuthError naming the server. */
async function runAuth(server: HttpServerConfig, step: () => Promise<"AUTHORIZED" | "REDIRECT">): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof AuthError || error instanceof CancelledError) throw error;
    throw new AuthError(`OAuth login to "${server.name}" failed: ${reasonOf(error)}`, {
      hint: `${loginCommand(server.name)} to start again (TETHER_DEBUG=1 for details)`,
      cause: error,
    });
  }
}

function credentialsOf(
  ctx: Context,
  server: HttpServerConfig,
  serverUrl: URL,
  provider: LoginProvider,
  authorizationUrl: URL,
  scope: string | undefined,
  dpopKey: StoredDpopKey | undefined,
): StoredCredentials {
  const requested = authorizationUrl.searchParams.get("scope") ?? scope;
  const base: StoredCredentials = {
    serverName: server.name,
    serverUrl: serverUrl.href,
    // The indicator exactly as auth() sent it, so refreshes ask for the same audience.
    resourceUrl: authorizationUrl.searchParams.get("resource") ?? undefined,
    clientInformation: provider.client,
    scopes: requested ? requested.split(" ").filter(Boolean) : undefined,
    // Kept only when the authorization server bound the tokens to it; a Bearer answer needs no key.
    dpopKey: provider.savedTokens?.token_type?.toLowerCase() === "dpop" ? dpopKey : undefined,
    savedAt: ctx.now(),
  };
  return withNewTokens(base, provider.savedTokens!, ctx.now());
}

/** `TETHER_LOGIN_TIMEOUT_SEC` when set to a positive number (tests and slow logins), else 5 minutes. */
function loginTimeoutSec(env: Env): number {
  const value = Number(env.TETHER_LOGIN_TIMEOUT_SEC);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_LOGIN_TIMEOUT_SEC;
}

/** requestedScope for a login: `--scopes`, `oauth_scopes`, the server's 401 and the login it replaces. */
export function loginScope(options: LoginOptions, server: HttpServerConfig, support: SupportedOAuth, previous: StoredCredentials | undefined): string | undefined {
  const { challenge } = support;
  return requestedScope({
    flag: options.scopes,
    config: server.oauth.scopes,
    challenged: challenge.kind === "challenged" ? challenge.scope : undefined,
    held: previous?.tokens ? previous.scopes : undefined,
  });
}

/**
 * The scope to ask for. `oauth_scopes` in config is exact. `--scopes` (what a 403 insufficient_scope
 * hint tells the user to run) and the server's 401 challenge are joined with what the current login
 * already holds, so a step-up never loses a scope. Undefined lets the SDK choose (the
 * protected-resource metadata's scopes_supported, or none).
 */
export function requestedScope(from: { flag?: string[]; config?: string[]; challenged?: string; held?: string[] }): string | undefined {
  const join = (scopes: string[]) => (scopes.length > 0 ? [...new Set(scopes)].join(" ") : undefined);
  if (from.flag) return join([...(from.held ?? []), ...from.flag]);
  if (from.config) return join(from.config);
  const challenged = from.challenged?.split(/\s+/).filter(Boolean) ?? [];
  return challenged.length > 0 ? join([...(from.held ?? []), ...challenged]) : undefined;
}

/** Logging in again replaces a login: its old tokens are revoked, best effort (a failure is a warning). */
export async function revokeReplaced(previous: StoredCredentials, fetchFn: FetchLike, hooks: Pick<LoginHooks, "onWarning">): Promise<void> {
  const outcome = await revokeStoredTokens(previous, fetchFn);
  if (outcome.kind === "failed") hooks.onWarning?.(`could not revoke the previous login's tokens: ${outcome.reason}`);
}

/** Waits for the authorization response, bounded by the login timeout and Ctrl-C. */
function waitFor<T>(ctx: Context, outcome: Promise<T>, timeoutSec: number, name: string): Promise<T> {
  // A TETHER_LOGIN_TIMEOUT_SEC past the timer limit means "wait", not "give up at once".
  const abandoned = () =>
    new AuthError(`no authorization response within ${describeDuration(timeoutSec)}; the login was abandoned`, {
      hint: `${loginCommand(name)} to start again`,
    });
  return withTimeout(outcome, timeoutSec * 1000, abandoned, { signal: ctx.signal, aborted: () => new CancelledError("interrupted") });
}

function describeDuration(seconds: number): string {
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = (value) => void (settled || ((settled = true), res(value)));
    reject = (error) => void (settled || ((settled = true), rej(error)));
  });
  // The waiter may be gone (timed out) by the time a late callback fails.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
