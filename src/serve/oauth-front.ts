// `tether mcp serve --auth-issuer URL`: serve as an MCP resource server (MCP authorization spec,
// 2026-07-28). It publishes RFC 9728 protected resource metadata naming the issuer, answers a
// request without a valid token 401 with `WWW-Authenticate: Bearer resource_metadata="…"` (so an
// MCP client finds the issuer and logs in), verifies JWT access tokens against the issuer's JWKS
// (signature, `iss`, `aud` = this resource or --auth-audience, `exp`), and answers a token without
// a required scope 403 `insufficient_scope`, naming it.
import { getOAuthProtectedResourceMetadataUrl, type AuthInfo } from "@modelcontextprotocol/server";
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { UsageError } from "../errors.ts";
import { refuse } from "./http-guards.ts";
import { IssuerUnavailableError, issuerKeys, type IssuerKeys } from "./oauth-issuer.ts";

export interface OAuthFrontOptions {
  /** `--auth-issuer` (checked by parseIssuerUrl). */
  issuer: URL;
  /** `--auth-audience`: the `aud` tokens must carry; default: the resource. */
  audience?: string;
  /** `--auth-scopes`: every one is required of every token. */
  scopes?: string[];
  /** The RFC 9728 `resource`: --public-url, else serve's own /mcp URL. */
  resource: URL;
  fetch: typeof fetch;
}

/** Who a verified token says the client is. */
export interface VerifiedToken {
  /** The token's `sub`, when it has one: rate limits and telemetry count by it. */
  subject?: string;
  /** For the SDK's handlers (`ctx.http.authInfo`). */
  authInfo: AuthInfo;
}

export interface OAuthFront {
  /** The protected resource metadata URL (what 401 challenges point at). */
  metadataUrl: string;
  /** The metadata document when `request` asks for it, else undefined. */
  /** `path`: the request's, parsed once by the caller (a hot path). */
  metadataResponse(request: Request, path: string): Response | undefined;
  /** The verified token, or the 401/403/503 to answer. */
  authenticate(request: Request): Promise<VerifiedToken | Response>;
}

/** Signature algorithms accepted: asymmetric only, since the keys come from a public JWKS. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
/** Clock difference tolerated between serve and the issuer, for `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** `--auth-scopes a,b` (or the config's list): OAuth scope tokens (RFC 6749 §3.3). */
export function parseScopes(values: string[], what = "--auth-scopes"): string[] {
  const scopes = values.flatMap((v) => v.split(/[,\s]+/)).filter(Boolean);
  const bad = scopes.find((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s));
  if (bad !== undefined) throw new UsageError(`${what}: "${bad}" is not an OAuth scope`);
  return [...new Set(scopes)];
}

/** `--public-url URL`: the URL clients reach serve's MCP endpoint at (behind a proxy), http(s) without query or fragment. */
export function parsePublicUrl(value: string, what = "--public-url"): URL {
  const url = URL.parse(value);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.search || url.hash) {
    throw new UsageError(`${what} wants the URL clients use for serve's MCP endpoint (e.g. https://mcp.example.com/mcp), got "${value}"`);
  }
  return url;
}

export function createOAuthFront(options: OAuthFrontOptions): OAuthFront {
  const scopes = options.scopes ?? [];
  const resource = options.resource.href;
  const audience = options.audience ?? resource;
  const metadataUrl = getOAuthProtectedResourceMetadataUrl(options.resource);
  const metadataPaths = new Set(["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp", new URL(metadataUrl).pathname]);
  const keys = issuerKeys(options.issuer, options.fetch);
  // The issuer identifier as people write it: `https://as.example.com`, not URL's `…com/`.
  const issuerId = options.issuer.pathname === "/" ? options.issuer.origin : options.issuer.href;
  // Started now so a misconfigured issuer shows in the first request's answer and debug log, not later.
  void keys().catch(() => {});

  const challenge = (status: 401 | 403, error: string | undefined, description: string | undefined, scope: string[]) => {
    const params = [
      ...(error ? [`error="${error}"`] : []),
      ...(description ? [`error_description="${quoted(description)}"`] : []),
      ...(scope.length ? [`scope="${scope.join(" ")}"`] : []),
      `resource_metadata="${metadataUrl}"`,
    ];
    const headers = { "WWW-Authenticate": `Bearer ${params.join(", ")}` };
    if (!error) return refuse(new Response("Unauthorized: send an access token from the issuer the resource metadata names\n", { status, headers }));
    return refuse(Response.json({ error, error_description: description }, { status, headers }));
  };

  return {
    metadataUrl,
    metadataResponse(request, path) {
      if (!metadataPaths.has(path.replace(/(.)\/$/, "$1"))) return undefined;
      if (request.method !== "GET" && request.method !== "HEAD") return refuse(new Response("Method Not Allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } }));
      return Response.json(
        {
          resource,
          authorization_servers: [issuerId],
          ...(scopes.length ? { scopes_supported: scopes } : {}),
          bearer_methods_supported: ["header"],
        },
        { headers: { "Cache-Control": "max-age=300", "Access-Control-Allow-Origin": "*" } },
      );
    },
    async authenticate(request) {
      const token = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      // No credentials: no error code (RFC 6750 §3.1), only where to get some.
      if (token === undefined) return challenge(401, undefined, undefined, scopes);
      let issuer: IssuerKeys;
      let payload: JWTPayload;
      try {
        issuer = await keys();
        ({ payload } = await jwtVerify(token, issuer.keys, {
          issuer: issuer.issuer,
          audience,
          algorithms: ALGORITHMS,
          requiredClaims: ["exp"],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (error) {
        if (unavailable(error)) {
          return refuse(new Response("Service Unavailable: the authorization server could not be reached\n", { status: 503, headers: { "Retry-After": "5" } }));
        }
        return challenge(401, "invalid_token", rejection(error), scopes);
      }
      const granted = grantedScopes(payload);
      const missing = scopes.find((s) => !granted.includes(s));
      if (missing !== undefined) return challenge(403, "insufficient_scope", `the token lacks the scope ${missing}`, scopes);
      const subject = typeof payload.sub === "string" && payload.sub !== "" ? payload.sub : undefined;
      const clientId = [payload.client_id, payload.azp].find((v) => typeof v === "string") as string | undefined;
      return {
        subject,
        authInfo: { token, clientId: clientId ?? "", scopes: granted, expiresAt: payload.exp, resource: options.resource, extra: { subject } },
      };
    },
  };
}

/** `scope` (RFC 9068: space-separated) or `scp` (a list or a string, as some issuers spell it). */
function grantedScopes(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === "string") return raw.split(" ").filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === "string");
  return [];
}

/** The issuer (or its keys) could not be fetched: not the token's fault. */
function unavailable(error: unknown): boolean {
  if (error instanceof IssuerUnavailableError) return true;
  if (!(error instanceof joseErrors.JOSEError)) return true;
  return error.code === "ERR_JWKS_TIMEOUT" || error.code === "ERR_JWKS_INVALID" || error.code === "ERR_JOSE_GENERIC";
}

/** What was wrong with a token, for error_description: the claim, never the token. */
function rejection(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "the token has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "the token is from another issuer";
    if (error.claim === "aud") return "the token is not for this resource (audience)";
    return `the token's ${error.claim} claim is not acceptable`;
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  return "the token is not a valid JWT access token";
}

function quoted(value: string): string {
  return value.replaceAll(/[\\"]/g, "\\$&").replaceAll(/[^\x20-\x7E]/g, " ");
}
