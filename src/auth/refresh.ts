// Refreshing a stored login: under the server's refresh lock, with the stored client information,
// saved back at once. Credentials are deleted only when the server says the grant or client is dead.
import { discoverAuthorizationServerMetadata, discoverOAuthServerInfo, refreshAuthorization } from "@modelcontextprotocol/client";
import { type DpopSession, OAuthError, OAuthErrorCode } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { AuthError } from "../errors.ts";
import { loginNeeded, reasonOf } from "./auth-errors.ts";
import { loginCommand } from "./login-command.ts";
import type { CredentialStore, StoredCredentials } from "./store/credentials.ts";
import { withStoreRefreshLock } from "./refresh-lock.ts";
import { timedFetch } from "./timed-fetch.ts";
import { issuerOf, sameTokens, withNewTokens } from "./tokens.ts";

export const REFRESH_TIMEOUT_MS = 10_000;

/** Where one server's login lives. */
export interface LoginSlot {
  serverName: string;
  serverUrl: URL;
  store: CredentialStore;
  key: string;
  /**
   * DPoP (RFC 9449): the session for a login's stored key, so a refresh is signed with the key the
   * tokens are bound to (the new tokens stay bound to it). Absent: sessions are made per refresh.
   */
  dpopSession?(credentials: StoredCredentials): Promise<DpopSession | undefined>;
}

/** A refresh that failed for a reason that may pass (5xx, network): the credentials were kept. */
export class RefreshFailedError extends AuthError {}

/**
 * Deletes a dead login's secrets but keeps a stub (name, url, no tokens, no client), so `mcp list`
 * still shows the server as `oauth: not logged in` rather than `none`. Logout and remove delete all.
 */
export async function forgetDeadLogin(slot: LoginSlot, credentials: StoredCredentials, now: number): Promise<void> {
  await slot.store.save(slot.key, { serverName: credentials.serverName, serverUrl: credentials.serverUrl, savedAt: now });
}

/** The server refused the grant or the client (invalid_grant / invalid_client / unauthorized_client). */
export function isDeadLogin(error: unknown): boolean {
  if (!(error instanceof OAuthError)) return false;
  return error.code === OAuthErrorCode.InvalidGrant || error.code === OAuthErrorCode.InvalidClient || error.code === OAuthErrorCode.UnauthorizedClient;
}

/**
 * Refreshes the login `seen` (what this process holds) and returns the credentials to use.
 * Under the lock it reloads first: when another tether already refreshed, its tokens are taken as they
 * are, so one refresh token is never spent twice.
 */
export function refreshStoredLogin(ctx: Context, slot: LoginSlot, seen: StoredCredentials): Promise<StoredCredentials> {
  return withStoreRefreshLock(ctx.paths.home, slot.store, slot.key, async () => {
    const current = await slot.store.load(slot.key);
    if (!current?.tokens) {
      throw loginNeeded(slot.serverName, "is no longer logged in (its stored credentials are gone)");
    }
    if (!sameTokens(current, seen)) return current;
    return refreshNow(ctx, slot, current);
  });
}

async function refreshNow(ctx: Context, slot: LoginSlot, current: StoredCredentials): Promise<StoredCredentials> {
  const refreshToken = current.tokens?.refresh_token;
  if (!refreshToken || !current.clientInformation) {
    throw loginNeeded(slot.serverName, "the OAuth access token expired and there is no refresh token to renew it");
  }
  const fetchFn = timedFetch(ctx, REFRESH_TIMEOUT_MS);
  let refreshed: StoredCredentials;
  try {
    const issuer = issuerOf(current) ?? (await discoverOAuthServerInfo(slot.serverUrl, { fetchFn })).authorizationServerUrl;
    const metadata = await discoverAuthorizationServerMetadata(issuer, { fetchFn });
    const dpop = slot.dpopSession ? await slot.dpopSession(current) : current.dpopKey ? await (await import("./dpop.ts")).dpopSessionOf(current.dpopKey) : undefined;
    const tokens = await refreshAuthorization(issuer, {
      metadata,
      dpop,
      clientInformation: current.clientInformation,
      refreshToken,
      // Verbatim, as the SDK's auth() sent it at login: URL parsing would add a trailing "/".
      resource: current.resourceUrl,
      fetchFn,
    });
    // Stamped like the SDK's own saves, so its auth() after a 401 keeps presenting them to this server only.
    refreshed = withNewTokens(current, { ...tokens, issuer: String(issuer) }, ctx.now());
  } catch (error) {
    if (isDeadLogin(error)) {
      await forgetDeadLogin(slot, current, ctx.now());
      throw loginNeeded(
        slot.serverName,
        `the authorization server rejected the stored login (${reasonOf(error, current)}); its credentials were deleted`,
        error,
      );
    }
    throw new RefreshFailedError(
      `server "${slot.serverName}": could not refresh the OAuth access token (${reasonOf(error, current)}); the stored credentials were kept`,
      { hint: `try again later, or ${loginCommand(slot.serverName)}`, cause: error },
    );
  }
  await slot.store.save(slot.key, refreshed);
  return refreshed;
}
