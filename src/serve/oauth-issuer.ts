// The authorization server behind `tether mcp serve --auth-issuer URL`: its RFC 8414 metadata
// (OpenID discovery as the fallback, as MCP clients do) names the JWKS that signs its access tokens.
// Everything fetched from it is bounded in time and size, and re-fetched only on demand (jose caches
// the keys and refetches on an unknown `kid`, at most once per cooldown).
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from "jose";
import { isLoopbackHost } from "../config/names.ts";
import { UsageError } from "../errors.ts";
import { boundedFetch } from "../mcp/http-limits.ts";

/** One fetch from the issuer (metadata or keys) must be done within this. */
export const ISSUER_FETCH_TIMEOUT_MS = 5_000;
/** The largest metadata document or JWKS read from the issuer. */
export const MAX_ISSUER_RESPONSE_BYTES = 1024 * 1024;
/** After a failed discovery, requests wait this long before serve asks the issuer again. */
export const ISSUER_RETRY_MS = 5_000;

/** The issuer as serve verifies its tokens: `issuer` is the metadata's own spelling (the tokens' `iss`). */
export interface IssuerKeys {
  issuer: string;
  keys: JWTVerifyGetKey;
}

/** The issuer could not be reached or answered nonsense: serve answers 503, not 401 (the client's token may be fine). */
export class IssuerUnavailableError extends Error {
  override readonly name = "IssuerUnavailableError";
}

/** `--auth-issuer URL`: https, or http on a loopback host; no query or fragment (RFC 8414 §2). */
export function parseIssuerUrl(value: string, what = "--auth-issuer"): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} wants the authorization server's issuer URL (https://…), got "${value}"`);
  }
  if (url.search || url.hash) throw new UsageError(`${what}: an issuer URL has no query or fragment, got "${value}"`);
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) return url;
  throw new UsageError(`${what} must be https (plain http only on a loopback host), got "${value}"`);
}

/** Where the issuer's metadata may be, in the order MCP clients try them (RFC 8414 §3.1, then OpenID Connect Discovery). */
export function issuerMetadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, "");
  const at = (p: string) => new URL(p, issuer.origin);
  if (path === "") return [at("/.well-known/oauth-authorization-server"), at("/.well-known/openid-configuration")];
  return [at(`/.well-known/oauth-authorization-server${path}`), at(`/.well-known/openid-configuration${path}`), at(`${path}/.well-known/openid-configuration`)];
}

/** The bounded fetch every request to the issuer goes through. */
function issuerFetch(fetchFn: typeof fetch): typeof fetch {
  const bounded = boundedFetch(fetchFn, () => {}, MAX_ISSUER_RESPONSE_BYTES);
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    bounded(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(ISSUER_FETCH_TIMEOUT_MS)]) : AbortSignal.timeout(ISSUER_FETCH_TIMEOUT_MS) })) as typeof fetch;
}

/** Reads the issuer's metadata and sets up its keys; IssuerUnavailableError when that fails. */
export async function discoverIssuer(issuer: URL, fetchFn: typeof fetch): Promise<IssuerKeys> {
  const get = issuerFetch(fetchFn);
  const problems: string[] = [];
  for (const url of issuerMetadataUrls(issuer)) {
    let metadata: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await get(url, { headers: { Accept: "application/json" }, redirect: "error" });
      if (response.status === 404) {
        await response.body?.cancel();
        continue;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      metadata = (await response.json()) as typeof metadata;
    } catch (error) {
      problems.push(`${url.href}: ${(error as Error).message}`);
      continue;
    }
    // RFC 8414 §3.3: the metadata must name the issuer it was asked for (one trailing slash aside).
    if (typeof metadata?.issuer !== "string" || metadata.issuer.replace(/\/$/, "") !== issuer.href.replace(/\/$/, "")) {
      throw new IssuerUnavailableError(`the metadata at ${url.href} names another issuer (${String(metadata?.issuer)})`);
    }
    const jwksUri = typeof metadata.jwks_uri === "string" ? URL.parse(metadata.jwks_uri) : null;
    if (!jwksUri || !(jwksUri.protocol === "https:" || (jwksUri.protocol === "http:" && isLoopbackHost(jwksUri.hostname)))) {
      throw new IssuerUnavailableError(`the metadata at ${url.href} has no usable jwks_uri (https, or http on loopback)`);
    }
    const keys = createRemoteJWKSet(jwksUri, {
      timeoutDuration: ISSUER_FETCH_TIMEOUT_MS,
      [customFetch]: issuerFetch(fetchFn) as never,
    });
    return { issuer: metadata.issuer, keys };
  }
  throw new IssuerUnavailableError(`no authorization server metadata for ${issuer.href}${problems.length ? ` (${problems.join("; ")})` : ""}`);
}

/**
 * The issuer's keys, discovered on first use and kept; a failed discovery is retried by a request
 * after ISSUER_RETRY_MS, so serve starts (and answers /healthz) while the issuer is down.
 */
export function issuerKeys(issuer: URL, fetchFn: typeof fetch, now: () => number = Date.now): () => Promise<IssuerKeys> {
  let found: Promise<IssuerKeys> | undefined;
  let failedAt = -Infinity;
  let lastError: Error | undefined;
  return () => {
    if (!found && now() - failedAt < ISSUER_RETRY_MS) return Promise.reject(lastError);
    found ??= discoverIssuer(issuer, fetchFn).catch((error: Error) => {
      found = undefined;
      failedAt = now();
      lastError = error instanceof IssuerUnavailableError ? error : new IssuerUnavailableError(error.message);
      throw lastError;
    });
    return found;
  };
}
