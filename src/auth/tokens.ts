// Pure rules about stored tokens: what to keep of a token response, when to refresh, what state to show.
import type { OAuthTokens } from "@modelcontextprotocol/client";
import type { StoredCredentials, StoredTokens } from "./store/credentials.ts";

/** Refresh this long before the access token expires, so a request never races the expiry. */
export const REFRESH_MARGIN_MS = 60_000;

export type OAuthLoginState = "logged_in" | "expired" | "not_logged_in";

/**
 * The longest token lifetime believed. A longer `expires_in` (1e308 included) is cut to this, so
 * `expiresAt` stays a finite number: Infinity would be written to JSON as null and make the
 * whole credential file unreadable.
 */
export const MAX_TOKEN_LIFETIME_SEC = 365 * 24 * 3600;

/**
 * `expires_in` as a lifetime in seconds worth trusting: a finite positive number (or a numeric
 * string, as some servers send), capped at MAX_TOKEN_LIFETIME_SEC. Anything else (0, negative,
 * NaN, absent) is unknown: the server then decides with a 401, instead of every command
 * refreshing or a fresh login counting as expired.
 */
export function tokenLifetimeSec(expiresIn: unknown): number | undefined {
  const value = typeof expiresIn === "string" && expiresIn.trim() !== "" ? Number(expiresIn) : expiresIn;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.min(value, MAX_TOKEN_LIFETIME_SEC);
}

/** A token response as stored: `expires_in` becomes the absolute `expiresAt`; everything else (issuer too) is kept. */
export function storedTokensOf(tokens: OAuthTokens, now: number): { tokens: StoredTokens; expiresAt?: number } {
  const { expires_in, ...kept } = tokens;
  const lifetime = tokenLifetimeSec(expires_in);
  return { tokens: kept, expiresAt: lifetime === undefined ? undefined : now + lifetime * 1000 };
}

/** Credentials with a fresh token response applied. */
export function withNewTokens(credentials: StoredCredentials, tokens: OAuthTokens, now: number): StoredCredentials {
  const { tokens: stored, expiresAt } = storedTokensOf(tokens, now);
  return {
    ...credentials,
    tokens: stored,
    expiresAt,
    scopes: stored.scope ? stored.scope.split(" ").filter(Boolean) : credentials.scopes,
    savedAt: now,
  };
}

/**
 * True when the access token is expired or expires within the margin: 60 s, or half the token's
 * lifetime when that is shorter (else a token living under 60 s would be refreshed on every request).
 * No expiry known: the server decides (401).
 */
export function needsRefresh(credentials: StoredCredentials, now: number, marginMs = REFRESH_MARGIN_MS): boolean {
  const { expiresAt, savedAt } = credentials;
  if (expiresAt === undefined) return false;
  const lifetime = Math.max(0, expiresAt - savedAt);
  return expiresAt - Math.min(marginMs, lifetime / 2) <= now;
}

export function isExpired(credentials: StoredCredentials, now: number): boolean {
  return needsRefresh(credentials, now, 0);
}

/** The authorization server the tokens came from (the SDK stamps it on what it saves). */
export function issuerOf(credentials: StoredCredentials): string | undefined {
  return credentials.tokens?.issuer ?? credentials.clientInformation?.issuer;
}

/** Issuer identifiers compared as the SDK does: exactly, except for a trailing slash. */
export function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/$/, "") === b.replace(/\/$/, "");
}

/** Same login, unchanged: used to notice that another tether refreshed in the meantime. */
export function sameTokens(a: StoredCredentials | undefined, b: StoredCredentials | undefined): boolean {
  return a?.tokens?.access_token === b?.tokens?.access_token && a?.tokens?.refresh_token === b?.tokens?.refresh_token;
}
