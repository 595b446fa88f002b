// The OAuthClientProvider every connection uses (list --status, tools, call, doctor, exec): it serves
// the stored login, refreshes it before it expires, and never starts a login, since a connection has
// no browser. A login that cannot be renewed ends with `run: tether mcp login NAME`.
import type { DpopSession, OAuthClientInformationContext, OAuthClientProvider } from "@modelcontextprotocol/client";
import type { OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { loginNeeded, reasonOf } from "./auth-errors.ts";
import { loginCommand } from "./login-command.ts";
import type { StoredCredentials, StoredTokens } from "./store/credentials.ts";
import { holdRefreshLock } from "./refresh-lock.ts";
import { forgetDeadLogin, type LoginSlot, refreshStoredLogin, RefreshFailedError } from "./refresh.ts";
import { serverUrl } from "../config/expand.ts";
import { loadServerCredentials, type ServerCredentials } from "./server-store.ts";
import { isExpired, issuerOf, needsRefresh, sameIssuer, withNewTokens } from "./tokens.ts";
import { displayUrl } from "../config/describe.ts";
import { AuthError } from "../errors.ts";

/** How long a refresh the SDK drives may keep the lock if it ends without telling the provider. */
const ROUND_MAX_MS = 25_000;

/**
 * The provider for a server with a stored login, or undefined when there is none. `loaded`: the
 * store's entry as the caller just read it (an enterprise renewal), so it is not read twice.
 */
export async function storedLoginProvider(ctx: Context, server: HttpServerConfig, loaded?: ServerCredentials): Promise<OAuthClientProvider | undefined> {
  const { store, key, credentials } = loaded ?? (await loadServerCredentials(ctx, server));
  if (!credentials?.tokens) return undefined;
  const slot: LoginSlot = { serverName: server.name, serverUrl: serverUrl(ctx, server), store, key };
  const provider = new StoredLoginProvider(ctx, slot, credentials);
  slot.dpopSession = (latest) => provider.dpopSessionFor(latest);
  return provider;
}

/**
 * Two ways to a refresh, both under the server's refresh lock:
 * - before a request, when the access token expires within 60 s: tether refreshes (refresh.ts);
 * - after a 401 for a token that looked valid: the transport runs the SDK's `auth()`, which asks for
 *   the client information, then the tokens, then refreshes and saves. The lock is taken at the first
 *   of those calls and given back when the SDK saves, invalidates, or gives up (redirectToAuthorization).
 *   On invalid_grant / invalid_client the SDK invalidates: the login is deleted. On a 5xx or a network
 *   error it gives up and tries to start a login, which here is an error; the login is kept.
 */
export class StoredLoginProvider implements OAuthClientProvider {
  private refreshing: Promise<void> | undefined;
  /** The SDK-driven refresh in progress (it holds the lock), if any. */
  private round: { end(): void } | undefined;
  /** SDK-driven refreshes in this process take turns too (a POST and the GET stream can both get a 401). */
  private roundsTail: Promise<void> = Promise.resolve();
  private deleted = false;
  /** DPoP: the session for the stored key (its nonces live as long as this process), made on first use. */
  private dpopCache: { jwk: string; session: Promise<DpopSession> } | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly slot: LoginSlot,
    private credentials: StoredCredentials,
  ) {
    ctx.atExit(() => this.endRound());
  }

  /** Never used to redirect (see redirectToAuthorization); it must only be set so auth() takes the interactive path. */
  get redirectUrl(): string {
    const client = this.credentials.clientInformation;
    return (client && "redirect_uris" in client ? client.redirect_uris[0] : undefined) ?? "http://127.0.0.1/callback";
  }

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "tether", redirect_uris: [this.redirectUrl] };
  }

  async clientInformation(info?: OAuthClientInformationContext) {
    if (this.deleted) {
      throw loginNeeded(this.slot.serverName, "the authorization server rejected the stored login; its credentials were deleted");
    }
    await this.beginRound();
    const boundTo = issuerOf(this.credentials);
    if (info && boundTo && !sameIssuer(boundTo, info.issuer)) await this.forgetMovedLogin(boundTo, info.issuer);
    return this.credentials.clientInformation;
  }

  /**
   * The protected resource metadata now names another authorization server (SEP-2352). The client
   * id and tokens belong to the old one and must never reach the new one, and this provider cannot
   * log in: the login is dropped and the user is told, in one line, to log in (which registers with
   * the new server).
   */
  private async forgetMovedLogin(boundTo: string, current: string): Promise<never> {
    this.deleted = true;
    try {
      await forgetDeadLogin(this.slot, this.credentials, this.ctx.now());
    } finally {
      this.endRound();
    }
    const name = this.slot.serverName;
    throw new AuthError(
      `server "${name}": its authorization server changed from ${displayUrl(boundTo)} to ${displayUrl(current)}; the login with the old one was removed, ${loginCommand(name)}`,
    );
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    if (!this.round && needsRefresh(this.credentials, this.ctx.now())) await this.refreshBeforeExpiry();
    return this.credentials.tokens satisfies StoredTokens | undefined;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    try {
      this.credentials = withNewTokens(this.credentials, tokens, this.ctx.now());
      await this.slot.store.save(this.slot.key, this.credentials);
    } finally {
      this.endRound();
    }
  }

  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    if (scope === "verifier" || scope === "discovery") return;
    // Called only after the server answered invalid_grant / invalid_client for the newest refresh
    // token (reloaded under the lock), so the login is really dead.
    this.deleted = true;
    try {
      await forgetDeadLogin(this.slot, this.credentials, this.ctx.now());
    } finally {
      this.endRound();
    }
  }

  /**
   * DPoP (RFC 9449): the stored login's key, when its tokens are bound to one. The SDK signs every
   * MCP request and the refreshes it drives with it, and answers DPoP-Nonce challenges.
   */
  dpop(): Promise<DpopSession | undefined> {
    return this.dpopSessionFor(this.credentials);
  }

  /** One session per key: another tether's new login (a new key) is picked up when the credentials are reloaded. */
  async dpopSessionFor(credentials: StoredCredentials): Promise<DpopSession | undefined> {
    const stored = credentials.dpopKey;
    if (!stored) return undefined;
    const jwk = JSON.stringify(stored.jwk);
    if (this.dpopCache?.jwk !== jwk) {
      const session = import("./dpop.ts")
        .then((m) => m.dpopSessionOf(stored))
        .catch((error: unknown) => {
          throw loginNeeded(this.slot.serverName, `its stored DPoP key cannot be used (${reasonOf(error, credentials)})`, error);
        });
      this.dpopCache = { jwk, session };
    }
    return this.dpopCache.session;
  }

  redirectToAuthorization(): never {
    this.endRound();
    if (!this.credentials.tokens?.refresh_token) {
      throw loginNeeded(this.slot.serverName, "the server rejected the OAuth access token and there is no refresh token to renew it");
    }
    // The SDK swallowed the refresh failure (a server error or a network problem), so its reason is unknown here.
    throw new RefreshFailedError(
      `server "${this.slot.serverName}": the server rejected the OAuth access token and refreshing it failed (server error or network problem); the stored credentials were kept`,
      { hint: `try again later, or ${loginCommand(this.slot.serverName)}` },
    );
  }

  saveCodeVerifier(): void {}

  codeVerifier(): never {
    throw loginNeeded(this.slot.serverName, "needs a new login");
  }

  /** Refreshes once for all concurrent requests of this process; keeps using a still-valid token if the refresh fails for a passing reason. */
  private async refreshBeforeExpiry(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        this.credentials = await refreshStoredLogin(this.ctx, this.slot, this.credentials);
      } catch (error) {
        const stillValid = !isExpired(this.credentials, this.ctx.now());
        if (!(error instanceof RefreshFailedError) || !stillValid) throw error;
        this.ctx.log.debug(`${error.message}; using the current token until it expires`);
      }
    })().finally(() => (this.refreshing = undefined));
    await this.refreshing;
  }

  private async beginRound(): Promise<void> {
    const previous = this.roundsTail;
    let done!: () => void;
    this.roundsTail = new Promise((resolve) => (done = resolve));
    await previous;
    let release: () => void;
    try {
      release = await holdRefreshLock(this.ctx.paths.home, this.slot.key, this.slot.store);
    } catch (error) {
      done();
      throw error;
    }
    const timer = setTimeout(() => this.endRound(), ROUND_MAX_MS);
    timer.unref?.();
    this.round = {
      end: () => {
        clearTimeout(timer);
        this.round = undefined;
        release();
        done();
      },
    };
    // Another tether may have refreshed (or logged out) while this one waited: the SDK must see the newest login.
    const latest = await this.slot.store.load(this.slot.key);
    if (!latest?.tokens) {
      this.endRound();
      this.deleted = true;
      throw loginNeeded(this.slot.serverName, "is no longer logged in (its stored credentials are gone)");
    }
    this.credentials = latest;
  }

  private endRound(): void {
    this.round?.end();
  }
}
