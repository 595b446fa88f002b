// A small OAuth 2.1 authorization server that issues JWT access tokens (RFC 9068) signed with a
// key it publishes as a JWKS: what `tether mcp serve --auth-issuer` verifies against. RFC 8414
// metadata, dynamic client registration, an auto-approving /authorize with PKCE, a token endpoint
// (authorization_code, refresh_token), and `mint()` for tests that want a token with chosen claims.
import { createHash, randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

export interface JwtIssuerOptions {
  /** Scopes granted when the client asks for none, and advertised. */
  scopes?: string[];
  /** Access token lifetime, seconds. */
  tokenLifetime?: number;
  /** The `sub` of tokens from /token. */
  subject?: string;
}

export interface MintOptions {
  sub?: string;
  aud?: string | string[];
  iss?: string;
  scope?: string;
  /** Seconds from now (negative: already expired). */
  expiresIn?: number;
  /** Sign with a key the JWKS does not publish. */
  foreignKey?: boolean;
  /** Extra claims. */
  claims?: JWTPayload;
}

export interface JwtIssuer {
  /** The issuer identifier, `http://127.0.0.1:PORT`. */
  url: string;
  mint(options?: MintOptions): Promise<string>;
  stats(): { jwksFetches: number; metadataFetches: number; tokens: number; lastTokenRequest?: Record<string, string> };
  stop(): Promise<void>;
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");
const random = (prefix: string) => `${prefix}_${randomBytes(16).toString("base64url")}`;

interface Grant {
  clientId: string;
  scope: string;
  resource?: string;
}

export async function startJwtIssuer(options: JwtIssuerOptions = {}): Promise<JwtIssuer> {
  const scopes = options.scopes ?? ["mcp:tools"];
  const lifetime = options.tokenLifetime ?? 300;
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const foreign = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const clients = new Map<string, string[]>();
  const codes = new Map<string, Grant & { challenge: string; redirectUri: string }>();
  const refreshTokens = new Map<string, Grant>();
  const counts = { jwksFetches: 0, metadataFetches: 0, tokens: 0 };
  let lastTokenRequest: Record<string, string> | undefined;
  let url = "";

  const mint = async (m: MintOptions = {}) => {
    const jwt = new SignJWT({ scope: m.scope ?? scopes.join(" "), client_id: "test", ...m.claims })
      .setProtectedHeader({ alg: "ES256", kid: m.foreignKey ? "k2" : "k1", typ: "at+jwt" })
      .setIssuer(m.iss ?? url)
      .setSubject(m.sub ?? options.subject ?? "user-1")
      .setIssuedAt()
      .setJti(random("jti"))
      .setExpirationTime(Math.floor(Date.now() / 1000) + (m.expiresIn ?? lifetime));
    if (m.aud !== undefined) jwt.setAudience(m.aud);
    return jwt.sign(m.foreignKey ? foreign.privateKey : privateKey);
  };
  const issue = async (grant: Grant) => {
    counts.tokens++;
    const refresh = random("rt");
    refreshTokens.set(refresh, grant);
    return Response.json({
      access_token: await mint({ aud: grant.resource, scope: grant.scope, claims: { client_id: grant.clientId } }),
      token_type: "Bearer",
      expires_in: lifetime,
      refresh_token: refresh,
      scope: grant.scope,
    });
  };
  const oauthError = (error: string, description: string, status = 400) => Response.json({ error, error_description: description }, { status });

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const at = new URL(request.url);
      const route = `${request.method} ${at.pathname}`;
      switch (route) {
        case "GET /.well-known/oauth-authorization-server":
          counts.metadataFetches++;
          return Response.json({
            issuer: url,
            authorization_endpoint: `${url}/authorize`,
            token_endpoint: `${url}/token`,
            registration_endpoint: `${url}/register`,
            jwks_uri: `${url}/jwks`,
            scopes_supported: scopes,
            response_types_supported: ["code"],
            grant_types_supported: ["authorization_code", "refresh_token"],
            code_challenge_methods_supported: ["S256"],
            token_endpoint_auth_methods_supported: ["none"],
            authorization_response_iss_parameter_supported: true,
          });
        case "GET /jwks":
          counts.jwksFetches++;
          return Response.json({ keys: [jwk] });
        case "POST /register": {
          const body = (await request.json()) as { redirect_uris?: string[] };
          const id = random("client");
          clients.set(id, body.redirect_uris ?? []);
          return Response.json({ ...body, client_id: id, token_endpoint_auth_method: "none" }, { status: 201 });
        }
        case "GET /authorize": {
          const q = Object.fromEntries(at.searchParams);
          const redirects = q.client_id ? clients.get(q.client_id) : undefined;
          if (!redirects || !q.redirect_uri || !redirects.includes(q.redirect_uri)) return oauthError("invalid_request", "unknown client or redirect_uri");
          if (q.code_challenge_method !== "S256" || !q.code_challenge) return oauthError("invalid_request", "PKCE S256 is required");
          const code = random("code");
          codes.set(code, { clientId: q.client_id!, scope: q.scope ?? scopes.join(" "), resource: q.resource, challenge: q.code_challenge, redirectUri: q.redirect_uri });
          const back = new URL(q.redirect_uri);
          back.searchParams.set("code", code);
          if (q.state !== undefined) back.searchParams.set("state", q.state);
          back.searchParams.set("iss", url);
          return new Response(null, { status: 302, headers: { Location: back.href } });
        }
        case "POST /token": {
          const params = new URLSearchParams(await request.text());
          lastTokenRequest = Object.fromEntries(params);
          if (params.get("grant_type") === "authorization_code") {
            const code = codes.get(params.get("code") ?? "");
            codes.delete(params.get("code") ?? "");
            if (!code || code.clientId !== params.get("client_id") || s256(params.get("code_verifier") ?? "") !== code.challenge || code.redirectUri !== params.get("redirect_uri")) {
              return oauthError("invalid_grant", "bad code, client, verifier or redirect_uri");
            }
            return issue({ clientId: code.clientId, scope: code.scope, resource: params.get("resource") ?? code.resource });
          }
          if (params.get("grant_type") === "refresh_token") {
            const grant = refreshTokens.get(params.get("refresh_token") ?? "");
            if (!grant) return oauthError("invalid_grant", "unknown refresh token");
            refreshTokens.delete(params.get("refresh_token")!);
            return issue({ ...grant, resource: params.get("resource") ?? grant.resource });
          }
          return oauthError("unsupported_grant_type", "authorization_code or refresh_token");
        }
        default:
          return new Response("not found\n", { status: 404 });
      }
    },
  });
  url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    mint,
    stats: () => ({ ...counts, lastTokenRequest }),
    stop: () => server.stop(true),
  };
}
