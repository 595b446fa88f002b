// The fixture's OAuth 2.1 authorization server (metadata, DCR, auto-approving authorize, token, revoke) and bearer check.
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { IdJagClaims } from "./enterprise-idp.ts";

export interface OAuthFixtureOptions {
  /** Omit registration_endpoint and refuse POST /register. */
  noRegistration: boolean;
  /** Pre-registered clients: `ID` (public) or `ID:SECRET` (confidential). */
  staticClients: string[];
  /** /authorize redirects with error=access_denied. */
  deny: boolean;
  /** expires_in of access tokens, seconds. */
  tokenLifetime: number;
  scopes: string[];
  /** The protected-resource metadata lives at a custom path named only in the 401's WWW-Authenticate. */
  prmInChallengeOnly: boolean;
  /** The authorization response carries an `iss` that is not this server (an RFC 9207 mix-up). */
  badIss: boolean;
  /** `TOOL:SCOPE`: calling TOOL needs SCOPE in the token, else 403 insufficient_scope. */
  scopeRequired: string[];
  /** `--authorization-endpoint`: advertised instead of the fixture's own /authorize (hostile metadata). */
  authorizationEndpoint?: string;
  /** `--expires-in`: what the token response says as `expires_in` (any number, e.g. 1e308, 0, -5), whatever the real lifetime. */
  expiresIn?: number;
  /** Device login (RFC 8628); see the device block at the end of this file. */
  device?: DeviceFixtureOptions;
  /** DPoP (RFC 9449), see the DPoP block below: `advertised` in the metadata, or accepted without saying so. */
  dpop?: "advertised" | "unadvertised";
  /** `--dpop-nonce`: the token endpoint and the MCP endpoint each demand their own DPoP nonce. */
  dpopNonce?: boolean;
  // Workload identity (issue 21 item 5): see the jwt-bearer block at the end of OAuthFixture.
  /** `--trusted-assertion VALUE` (repeatable): platform tokens the jwt-bearer grant accepts. */
  trustedAssertions?: string[];
  /** `--github-oidc`: serve GitHub Actions' OIDC token endpoint too; its tokens for this issuer are trusted. */
  githubOidc?: boolean;
}

export type RefreshMode = "ok" | "500" | "invalid_grant";

interface Client {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  static: boolean;
  metadata: Record<string, unknown>;
}

interface Grant {
  id: string;
  clientId: string;
  scope: string;
  resource?: string;
  /** DPoP: the JWK thumbprint the grant's tokens are bound to (cnf.jkt). */
  jkt?: string;
}

interface AuthCode {
  grant: Grant;
  redirectUri: string;
  codeChallenge: string;
  expiresAt: number;
  used: boolean;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
  revoked: boolean;
}

interface RefreshToken {
  grant: Grant;
  valid: boolean;
}

interface Revocation {
  token: string;
  token_type_hint?: string;
  kind: "access" | "refresh" | "unknown";
  clientId?: string;
}

export interface OAuthStats {
  registrations: number;
  authorizations: number;
  denials: number;
  tokenExchanges: number;
  refreshes: number;
  refreshFailures: number;
  resourceMetadataReads: number;
  serverMetadataReads: number;
  revocations: Revocation[];
  lastAuthorizeQuery: Record<string, string> | null;
  lastRegistrationRequest: Record<string, unknown> | null;
  lastTokenRequest: Record<string, string> | null;
  refreshMode: RefreshMode;
  clients: string[];
  /** Device login (--device): authorization requests, token polls, the last authorization request. */
  deviceAuthorizations?: number;
  devicePolls?: number;
  lastDeviceAuthorizationRequest?: Record<string, string> | null;
  /** Enterprise-managed authorization (--idp): accepted JWT bearer grants, and the last one's checks. */
  jwtBearerGrants: number;
  lastJwtBearer: { clientAuth: "basic" | "post"; claims: IdJagClaims } | null;
  /** Workload identity: every grant_type the token endpoint saw, in order. */
  grantTypes: string[];
  /** Workload identity: the jwt-bearer assertions, in order, and what /_test/github-oidc was asked. */
  jwtBearerAssertions: string[];
  githubOidcRequests: { audience: string | null; authorization: string | null }[];
}

const CODE_LIFETIME_MS = 5 * 60_000;
const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

const token = (prefix: string) => `${prefix}_${randomBytes(18).toString("base64url")}`;
const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");
const isLoopback = (uri: string) => {
  try {
    const url = new URL(uri);
    return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
};

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  json(res, status, { error, error_description: description });
}

/** The client a token request names: a Basic header (RFC 6749 §2.3.1, form-encoded parts), else client_id (+ client_secret) in the body. */
export function presentedClient(req: IncomingMessage, params: URLSearchParams): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!basic) return { id: params.get("client_id") ?? undefined, secret: params.get("client_secret") ?? undefined };
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

export class OAuthFixture {
  private readonly clients = new Map<string, Client>();
  private readonly device: DeviceFixture;
  private readonly codes = new Map<string, AuthCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private refreshMode: RefreshMode = "ok";
  private readonly counts = {
    registrations: 0,
    authorizations: 0,
    denials: 0,
    tokenExchanges: 0,
    refreshes: 0,
    refreshFailures: 0,
    /** GETs of the protected-resource metadata and of the authorization server's metadata: discovery made twice shows here. */
    resourceMetadataReads: 0,
    serverMetadataReads: 0,
  };
  private readonly revocations: Revocation[] = [];
  private lastAuthorizeQuery: Record<string, string> | null = null;
  private lastRegistrationRequest: Record<string, unknown> | null = null;
  private lastTokenRequest: Record<string, string> | null = null;
  private readonly grantTypes: string[] = [];
  private readonly jwtBearerAssertions: string[] = [];
  private readonly githubOidcRequests: { audience: string | null; authorization: string | null }[] = [];
  /** Tokens /_test/github-oidc minted, and the audience each was minted for. */
  private readonly mintedOidc = new Map<string, string>();

  /** origin is `http://127.0.0.1:PORT`, known once the server listens. */
  constructor(
    private readonly options: OAuthFixtureOptions,
    private readonly origin: () => string,
  ) {
    this.device = new DeviceFixture(options.device ?? DEFAULT_DEVICE_FIXTURE, () => this.resourceUrl, origin);
    for (const spec of options.staticClients) {
      const [id, ...rest] = spec.split(":");
      const secret = rest.length ? rest.join(":") : undefined;
      this.clients.set(id!, { client_id: id!, client_secret: secret, redirect_uris: [], static: true, metadata: {} });
    }
  }

  get resourceUrl(): string {
    return `${this.origin()}/mcp`;
  }

  get resourceMetadataUrl(): string {
    return this.options.prmInChallengeOnly ? `${this.origin()}/custom/prm-for-mcp` : `${this.origin()}/.well-known/oauth-protected-resource/mcp`;
  }

  /** The scope a tools/call of `tool` needs and the token lacks, if any. */
  missingScope(req: IncomingMessage, body: string): string | undefined {
    const rules = new Map(this.options.scopeRequired.map((spec) => [spec.slice(0, spec.indexOf(":")), spec.slice(spec.indexOf(":") + 1)]));
    if (rules.size === 0) return undefined;
    let tool: string | undefined;
    try {
      const message = JSON.parse(body);
      if (message?.method === "tools/call") tool = message.params?.name;
    } catch {
      return undefined;
    }
    const needed = tool ? rules.get(tool) : undefined;
    if (!needed) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    const access = match ? this.accessTokens.get(match[1]!) : undefined;
    return access?.grant.scope.split(" ").includes(needed) ? undefined : needed;
  }

  rejectInsufficientScope(res: ServerResponse, scope: string): void {
    json(
      res,
      403,
      { error: "insufficient_scope", error_description: `needs ${scope}` },
      { "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${scope}", resource_metadata="${this.resourceMetadataUrl}"` },
    );
  }

  stats(): OAuthStats {
    return {
      ...this.counts,
      jwtBearerGrants: this.jwtBearerGrants,
      lastJwtBearer: this.lastJwtBearer,
      revocations: this.revocations,
      lastAuthorizeQuery: this.lastAuthorizeQuery,
      lastRegistrationRequest: this.lastRegistrationRequest,
      lastTokenRequest: this.lastTokenRequest,
      refreshMode: this.refreshMode,
      clients: [...this.clients.keys()],
      ...(this.options.device ? this.device.stats() : {}),
      ...(this.options.dpop ? { dpop: this.dpopSeen } : {}),
      grantTypes: this.grantTypes,
      jwtBearerAssertions: this.jwtBearerAssertions,
      githubOidcRequests: this.githubOidcRequests,
    };
  }

  /** Answers OAuth and /_test/ control routes; returns false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, body: string): boolean {
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /_test/github-oidc" && this.options.githubOidc) return this.githubOidc(req, res, url);
    if (this.options.prmInChallengeOnly && route.startsWith("GET /.well-known/oauth-protected-resource")) return false;
    switch (route) {
      case "GET /.well-known/oauth-protected-resource":
      case "GET /.well-known/oauth-protected-resource/mcp":
      case "GET /custom/prm-for-mcp":
        this.counts.resourceMetadataReads++;
        json(res, 200, {
          resource: this.resourceUrl,
          authorization_servers: [this.origin()],
          scopes_supported: this.options.scopes,
          bearer_methods_supported: ["header"],
        });
        return true;
      case "GET /.well-known/oauth-authorization-server":
        this.counts.serverMetadataReads++;
        json(res, 200, this.metadata());
        return true;
      case "POST /register":
        this.register(res, body);
        return true;
      case "GET /authorize":
        this.authorize(res, url);
        return true;
      case "POST /token":
        this.token(req, res, body);
        return true;
      case "POST /revoke":
        this.revoke(res, body);
        return true;
      case "POST /device_authorization":
        if (!this.options.device) return false;
        this.device.authorize(res, this.authenticateClient(req, new URLSearchParams(body)), new URLSearchParams(body));
        return true;
      case "POST /_test/expire-all":
        for (const access of this.accessTokens.values()) access.expiresAt = 0;
        json(res, 200, { ok: true, expired: this.accessTokens.size });
        return true;
      case "POST /_test/revoke-all-refresh":
        for (const refresh of this.refreshTokens.values()) refresh.valid = false;
        json(res, 200, { ok: true, revoked: this.refreshTokens.size });
        return true;
      case "POST /_test/refresh-mode": {
        const mode = body.trim();
        if (mode !== "ok" && mode !== "500" && mode !== "invalid_grant") {
          json(res, 400, { error: `refresh-mode must be ok, 500 or invalid_grant, got ${JSON.stringify(mode)}` });
        } else {
          this.refreshMode = mode;
          json(res, 200, { ok: true, refreshMode: mode });
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** Whether the request carries a live access token for this resource. */
  isAuthorized(req: IncomingMessage): boolean {
    if (this.dpopAdmitted.has(req)) return true;
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const access = match ? this.accessTokens.get(match[1]!) : undefined;
    // A DPoP-bound token presented as a Bearer token is refused (RFC 9449 §7.1).
    return !!access && !access.grant.jkt && !access.revoked && Date.now() < access.expiresAt;
  }

  rejectUnauthorized(res: ServerResponse): void {
    json(
      res,
      401,
      { error: "invalid_token", error_description: "missing, unknown or expired access token" },
      { "WWW-Authenticate": `Bearer error="invalid_token", resource_metadata="${this.resourceMetadataUrl}", scope="${this.options.scopes.join(" ")}"` },
    );
  }

  private metadata(): Record<string, unknown> {
    const origin = this.origin();
    return {
      issuer: origin,
      authorization_endpoint: this.options.authorizationEndpoint ?? `${origin}/authorize`,
      token_endpoint: `${origin}/token`,
      ...(this.options.noRegistration ? {} : { registration_endpoint: `${origin}/register` }),
      revocation_endpoint: `${origin}/revoke`,
      scopes_supported: this.options.scopes,
      response_types_supported: ["code"],
      grant_types_supported: ["authorization_code", "refresh_token", "client_credentials", ...(this.enterprise || this.jwtBearerEnabled ? [JWT_BEARER_GRANT] : [])],
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ["S256"],
      ...(this.options.dpop === "advertised" ? { dpop_signing_alg_values_supported: ["ES256", "RS256"] } : {}),
      token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
      revocation_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
      ...(this.options.device ? { device_authorization_endpoint: `${origin}/device_authorization` } : {}),
    };
  }

  private register(res: ServerResponse, body: string): void {
    if (this.options.noRegistration) {
      json(res, 404, { error: "not_found" });
      return;
    }
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body);
    } catch {
      oauthError(res, 400, "invalid_client_metadata", "body is not JSON");
      return;
    }
    this.lastRegistrationRequest = request;
    const redirectUris = request.redirect_uris;
    // A device-only client (RFC 8628) has nowhere to be redirected to.
    const deviceOnly = Array.isArray(request.grant_types) && request.grant_types.includes(DEVICE_CODE_GRANT) && !request.grant_types.includes("authorization_code");
    if (!Array.isArray(redirectUris) || (redirectUris.length === 0 && !deviceOnly) || !redirectUris.every((u) => typeof u === "string")) {
      oauthError(res, 400, "invalid_redirect_uri", "redirect_uris must be a non-empty array of URLs");
      return;
    }
    const method = typeof request.token_endpoint_auth_method === "string" ? request.token_endpoint_auth_method : "none";
    if (!["none", "client_secret_post", "client_secret_basic"].includes(method)) {
      oauthError(res, 400, "invalid_client_metadata", `unsupported token_endpoint_auth_method ${method}`);
      return;
    }
    const confidential = method !== "none";
    const client: Client = {
      client_id: token("client"),
      client_secret: confidential ? token("secret") : undefined,
      redirect_uris: redirectUris as string[],
      static: false,
      metadata: request,
    };
    this.clients.set(client.client_id, client);
    this.counts.registrations++;
    json(res, 201, {
      ...request,
      client_id: client.client_id,
      client_id_issued_at: Math.floor(Date.now() / 1000),
      ...(confidential ? { client_secret: client.client_secret, client_secret_expires_at: 0 } : {}),
      redirect_uris: client.redirect_uris,
      token_endpoint_auth_method: method,
      grant_types: request.grant_types ?? ["authorization_code", "refresh_token"],
      response_types: request.response_types ?? ["code"],
    });
  }

  private authorize(res: ServerResponse, url: URL): void {
    const query = Object.fromEntries(url.searchParams);
    this.lastAuthorizeQuery = query;
    const client = query.client_id ? this.clients.get(query.client_id) : undefined;
    if (!client) {
      oauthError(res, 400, "invalid_client", `unknown client_id ${query.client_id ?? "(none)"}`);
      return;
    }
    const redirectUri = query.redirect_uri;
    const redirectOk = redirectUri && (client.static ? isLoopback(redirectUri) : client.redirect_uris.includes(redirectUri));
    if (!redirectUri || !redirectOk) {
      oauthError(res, 400, "invalid_request", `redirect_uri ${redirectUri ?? "(none)"} is not registered`);
      return;
    }
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      if (query.state !== undefined) target.searchParams.set("state", query.state);
      target.searchParams.set("iss", this.options.badIss ? "https://mix-up.invalid" : this.origin());
      res.writeHead(302, { Location: target.href });
      res.end();
    };
    const problem =
      query.response_type !== "code"
        ? ["unsupported_response_type", "response_type must be code"]
        : !query.code_challenge
          ? ["invalid_request", "code_challenge is required"]
          : query.code_challenge_method !== "S256"
            ? ["invalid_request", "code_challenge_method must be S256"]
            : query.resource !== undefined && query.resource !== this.resourceUrl
              ? ["invalid_target", `resource must be ${this.resourceUrl}`]
              : undefined;
    if (problem) {
      back({ error: problem[0]!, error_description: problem[1]! });
      return;
    }
    if (this.options.deny) {
      this.counts.denials++;
      back({ error: "access_denied", error_description: "the fixture was started with --deny" });
      return;
    }
    const code = token("code");
    this.codes.set(code, {
      grant: {
        id: token("grant"),
        clientId: client.client_id,
        scope: query.scope ?? this.options.scopes.join(" "),
        resource: query.resource,
      },
      redirectUri,
      codeChallenge: query.code_challenge!,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
      used: false,
    });
    this.counts.authorizations++;
    back({ code });
  }

  /** Client authentication at the token endpoint: Basic header, or client_id (+ client_secret) in the body. */
  authenticateClient(req: IncomingMessage, params: URLSearchParams): Client | undefined {
    const { id, secret } = presentedClient(req, params);
    const client = id ? this.clients.get(id) : undefined;
    if (!client) return undefined;
    if (client.client_secret !== undefined && client.client_secret !== secret) return undefined;
    return client;
  }

  private token(req: IncomingMessage, res: ServerResponse, body: string): void {
    const params = new URLSearchParams(body);
    this.lastTokenRequest = Object.fromEntries(params);
    const client = this.authenticateClient(req, params);
    if (!client) {
      oauthError(res, 401, "invalid_client", "unknown client or bad client credentials");
      return;
    }
    const resource = params.get("resource");
    if (resource !== null && resource !== this.resourceUrl) {
      oauthError(res, 400, "invalid_target", `resource must be ${this.resourceUrl}`);
      return;
    }
    const grantType = params.get("grant_type");
    const jkt = this.dpopKeys.get(req);
    this.grantTypes.push(grantType ?? "(none)");
    // Workload identity's platform tokens first; the enterprise fixture's ID-JAGs below.
    if (grantType === JWT_BEARER_GRANT && this.jwtBearerEnabled) this.jwtBearer(res, client, params);
    else if (grantType === "authorization_code") this.exchangeCode(res, client, params, jkt);
    else if (grantType === "refresh_token") this.refresh(res, client, params, jkt);
    else if (grantType === DEVICE_CODE_GRANT && this.options.device) this.device.token(res, client, params, (grant) => this.issueTokens({ ...grant, jkt }));
    else if (grantType === JWT_BEARER_GRANT && this.enterprise) void this.jwtBearerGrant(req, res, client, params);
    else if (grantType === "client_credentials" && client.client_secret !== undefined) {
      this.counts.tokenExchanges++;
      const scope = params.get("scope") ?? this.options.scopes.join(" ");
      json(res, 200, this.issueTokens({ id: token("grant"), clientId: client.client_id, scope, resource: resource ?? undefined, jkt }));
    }
    else oauthError(res, 400, "unsupported_grant_type", `grant_type ${grantType ?? "(none)"} is not supported`);
  }

  private exchangeCode(res: ServerResponse, client: Client, params: URLSearchParams, jkt: string | undefined): void {
    const code = this.codes.get(params.get("code") ?? "");
    const verifier = params.get("code_verifier");
    const problem = !code
      ? "unknown authorization code"
      : code.used
        ? "authorization code already used"
        : Date.now() > code.expiresAt
          ? "authorization code expired"
          : code.grant.clientId !== client.client_id
            ? "authorization code was issued to another client"
            : code.redirectUri !== params.get("redirect_uri")
              ? "redirect_uri does not match the authorization request"
              : !verifier || s256(verifier) !== code.codeChallenge
                ? "PKCE verification failed"
                : undefined;
    if (code) code.used = true;
    if (problem || !code) {
      oauthError(res, 400, "invalid_grant", problem ?? "unknown authorization code");
      return;
    }
    this.counts.tokenExchanges++;
    json(res, 200, this.issueTokens({ ...code.grant, jkt }));
  }

  private refresh(res: ServerResponse, client: Client, params: URLSearchParams, jkt: string | undefined): void {
    if (this.refreshMode === "500") {
      this.counts.refreshFailures++;
      oauthError(res, 500, "server_error", "refresh-mode is 500");
      return;
    }
    const presented = params.get("refresh_token") ?? "";
    const refresh = this.refreshTokens.get(presented);
    const problem =
      this.refreshMode === "invalid_grant"
        ? "refresh-mode is invalid_grant"
        : !refresh || !refresh.valid
          ? "refresh token is unknown, spent or revoked"
          : refresh.grant.clientId !== client.client_id
            ? "refresh token was issued to another client"
            : refresh.grant.jkt !== undefined && refresh.grant.jkt !== jkt
              ? "refresh token is bound to another DPoP key (RFC 9449 §5)"
              : undefined;
    if (problem || !refresh) {
      this.counts.refreshFailures++;
      oauthError(res, 400, "invalid_grant", problem ?? "unknown refresh token");
      return;
    }
    refresh.valid = false; // rotation: each refresh token is single-use
    this.counts.refreshes++;
    json(res, 200, this.issueTokens(refresh.grant));
  }

  private issueTokens(grant: Grant): Record<string, unknown> {
    const accessToken = token("at");
    const refreshToken = token("rt");
    this.accessTokens.set(accessToken, {
      grant,
      expiresAt: Date.now() + this.options.tokenLifetime * 1000,
      revoked: false,
    });
    this.refreshTokens.set(refreshToken, { grant, valid: true });
    return {
      access_token: accessToken,
      token_type: grant.jkt ? "DPoP" : "Bearer",
      expires_in: this.options.expiresIn ?? this.options.tokenLifetime,
      refresh_token: refreshToken,
      scope: grant.scope,
    };
  }

  private revoke(res: ServerResponse, body: string): void {
    const params = new URLSearchParams(body);
    const presented = params.get("token") ?? "";
    const access = this.accessTokens.get(presented);
    const refresh = this.refreshTokens.get(presented);
    if (access) access.revoked = true;
    if (refresh) {
      // Revoking a refresh token ends the whole grant (RFC 7009 §2.1).
      refresh.valid = false;
      for (const other of this.accessTokens.values()) if (other.grant.id === refresh.grant.id) other.revoked = true;
    }
    this.revocations.push({
      token: presented,
      token_type_hint: params.get("token_type_hint") ?? undefined,
      kind: access ? "access" : refresh ? "refresh" : "unknown",
      clientId: (access ?? refresh)?.grant.clientId,
    });
    // RFC 7009: 200 even for unknown tokens.
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end("{}");
  }

  // Enterprise-managed authorization (SEP-990, --idp) ----------------------------------------------
  // The JWT bearer grant (RFC 7523) with an ID-JAG from the fixture's IdP: a confidential client,
  // an assertion for this issuer and resource naming that client. No refresh token, as SEP-990 servers do.

  /** Set by the fixture server when it runs the IdP: checks an assertion's signature and type. */
  enterprise: { verifyIdJag(assertion: string): Promise<IdJagClaims> } | undefined;
  private jwtBearerGrants = 0;
  private lastJwtBearer: OAuthStats["lastJwtBearer"] = null;

  private async jwtBearerGrant(req: IncomingMessage, res: ServerResponse, client: Client, params: URLSearchParams): Promise<void> {
    const refuse = (description: string) => oauthError(res, 400, "invalid_grant", description);
    if (client.client_secret === undefined) return oauthError(res, 401, "invalid_client", "the JWT bearer grant needs a confidential client");
    let claims: IdJagClaims;
    try {
      claims = await this.enterprise!.verifyIdJag(params.get("assertion") ?? "");
    } catch (error) {
      return refuse(`the assertion is not a valid ID-JAG (${(error as Error).message})`);
    }
    if (claims.aud !== this.origin()) return refuse(`the ID-JAG is for ${claims.aud}, not this authorization server`);
    if (claims.resource !== this.resourceUrl) return refuse(`the ID-JAG is for resource ${claims.resource}`);
    if (claims.client_id !== client.client_id) return refuse("the ID-JAG names another client");
    this.jwtBearerGrants++;
    this.lastJwtBearer = { clientAuth: /^Basic\s/i.test(req.headers.authorization ?? "") ? "basic" : "post", claims };
    const scope = params.get("scope") ?? claims.scope ?? this.options.scopes.join(" ");
    const { refresh_token: _dropped, ...tokens } = this.issueTokens({ id: token("grant"), clientId: client.client_id, scope, resource: claims.resource });
    json(res, 200, tokens);
  }

  // --- Workload identity (issue 21 item 5): the RFC 7523 jwt-bearer grant, and GitHub Actions' OIDC endpoint ---

  private get jwtBearerEnabled(): boolean {
    return (this.options.trustedAssertions?.length ?? 0) > 0 || this.options.githubOidc === true;
  }

  /** Trusted: a --trusted-assertion, or a token /_test/github-oidc minted for this issuer. */
  private jwtBearer(res: ServerResponse, client: Client, params: URLSearchParams): void {
    const assertion = params.get("assertion") ?? "";
    this.jwtBearerAssertions.push(assertion);
    const minted = this.mintedOidc.get(assertion);
    const problem = !assertion
      ? "missing assertion"
      : minted !== undefined && minted !== this.origin()
        ? `assertion audience is ${minted}, not ${this.origin()}`
        : minted === undefined && !this.options.trustedAssertions?.includes(assertion)
          ? `assertion ${assertion} is not trusted` // quoted back, as a careless server might
          : undefined;
    if (problem) {
      oauthError(res, 400, "invalid_grant", problem);
      return;
    }
    this.counts.tokenExchanges++;
    const scope = params.get("scope") ?? this.options.scopes.join(" ");
    json(res, 200, this.issueTokens({ id: token("grant"), clientId: client.client_id, scope, resource: params.get("resource") ?? undefined }));
  }

  /** GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL: a token for `audience`, given the request token `gh-request-token`. */
  private githubOidc(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const audience = url.searchParams.get("audience");
    const authorization = req.headers.authorization ?? null;
    this.githubOidcRequests.push({ audience, authorization });
    if (authorization !== "bearer gh-request-token") {
      json(res, 401, { message: "bad request token" });
      return true;
    }
    const minted = token("gh-oidc");
    this.mintedOidc.set(minted, audience ?? "");
    json(res, 200, { count: 1, value: minted });
    return true;
  }

  // ---- DPoP (RFC 9449): --dpop (advertised in the metadata), --dpop-unadvertised, --dpop-nonce ----
  // A token request with a valid proof gets tokens bound to the proof's key (token_type DPoP); one
  // without gets Bearer tokens, as an authorization server that merely supports DPoP does. An MCP
  // request with `Authorization: DPoP` must carry a fresh proof for that request, that token (ath)
  // and that key (cnf.jkt). What was seen is in /_test/stats `dpop`.

  /** The key thumbprint of each request's verified proof, for the synchronous token routes. */
  private readonly dpopKeys = new WeakMap<IncomingMessage, string>();
  /** MCP requests whose DPoP token and proof checked out. */
  private readonly dpopAdmitted = new WeakSet<IncomingMessage>();
  private readonly dpopJtis = new Set<string>();
  private readonly dpopSeen: DpopSeen = { tokenRequests: [], mcpRequests: [], asNonceChallenges: 0, rsNonceChallenges: 0 };

  /** Checks the DPoP proof of a token or MCP request; false when it answered the request itself (bad proof, nonce challenge). */
  async checkDpop(req: IncomingMessage, res: ServerResponse, url: URL, body: string, isMcp: boolean): Promise<boolean> {
    if (!this.options.dpop) return true;
    const proof = typeof req.headers.dpop === "string" ? req.headers.dpop : undefined;
    if (req.method === "POST" && url.pathname === "/token") return this.checkTokenProof(req, res, body, proof);
    if (!isMcp) return true;
    const match = /^(\S+)\s+(\S+)$/.exec(req.headers.authorization ?? "");
    if (!match) return true;
    const scheme = match[1]!;
    if (scheme.toLowerCase() !== "dpop") {
      this.dpopSeen.mcpRequests.push({ scheme, method: req.method ?? "" });
      return true;
    }
    const accessToken = match[2]!;
    const access = this.accessTokens.get(accessToken);
    const verdict = await this.verifyProof(proof, req.method ?? "", `${this.origin()}${url.pathname}`, accessToken);
    this.dpopSeen.mcpRequests.push({ scheme, method: req.method ?? "", ...(verdict.ok ? { jti: verdict.jti, jkt: verdict.jkt, nonce: verdict.nonce } : { error: verdict.error }) });
    const challenge = (error: string, extra: Record<string, string> = {}) =>
      json(res, 401, { error }, { "WWW-Authenticate": `DPoP error="${error}", algs="ES256 RS256", resource_metadata="${this.resourceMetadataUrl}"`, ...extra });
    if (!verdict.ok) return void challenge("invalid_dpop_proof"), false;
    if (!access || access.revoked || Date.now() >= access.expiresAt) return void challenge("invalid_token"), false;
    if (access.grant.jkt !== verdict.jkt) return void challenge("invalid_dpop_proof"), false;
    if (this.options.dpopNonce && verdict.nonce !== RS_NONCE) {
      this.dpopSeen.rsNonceChallenges++;
      return void challenge("use_dpop_nonce", { "DPoP-Nonce": RS_NONCE }), false;
    }
    this.dpopAdmitted.add(req);
    return true;
  }

  private async checkTokenProof(req: IncomingMessage, res: ServerResponse, body: string, proof: string | undefined): Promise<boolean> {
    const grantType = new URLSearchParams(body).get("grant_type") ?? "";
    if (proof === undefined) {
      this.dpopSeen.tokenRequests.push({ grantType, proof: false });
      return true;
    }
    const verdict = await this.verifyProof(proof, "POST", `${this.origin()}/token`);
    if (!verdict.ok) {
      this.dpopSeen.tokenRequests.push({ grantType, proof: true, error: verdict.error });
      oauthError(res, 400, "invalid_dpop_proof", verdict.error);
      return false;
    }
    this.dpopSeen.tokenRequests.push({ grantType, proof: true, jti: verdict.jti, jkt: verdict.jkt, nonce: verdict.nonce });
    if (this.options.dpopNonce && verdict.nonce !== AS_NONCE) {
      this.dpopSeen.asNonceChallenges++;
      json(res, 400, { error: "use_dpop_nonce", error_description: "a DPoP nonce is required" }, { "DPoP-Nonce": AS_NONCE });
      return false;
    }
    this.dpopKeys.set(req, verdict.jkt);
    return true;
  }

  /** RFC 9449 §4.3, the checks a server makes of a proof (jti uniqueness across this fixture's life). */
  private async verifyProof(
    proof: string | undefined,
    htm: string,
    htu: string,
    accessToken?: string,
  ): Promise<{ ok: true; jti: string; jkt: string; nonce?: string } | { ok: false; error: string }> {
    if (!proof) return { ok: false, error: "no DPoP proof" };
    const jose = await import("jose");
    try {
      const header = jose.decodeProtectedHeader(proof);
      if (header.typ !== "dpop+jwt") return { ok: false, error: "typ is not dpop+jwt" };
      const jwk = header.jwk;
      if (!jwk || "d" in jwk) return { ok: false, error: "jwk missing or private" };
      const key = await jose.importJWK(jwk, header.alg);
      const { payload } = await jose.jwtVerify(proof, key, { typ: "dpop+jwt", maxTokenAge: "5m" });
      if (typeof payload.jti !== "string" || this.dpopJtis.has(payload.jti)) return { ok: false, error: "jti missing or reused" };
      if (payload.htm !== htm) return { ok: false, error: `htm is ${String(payload.htm)}, not ${htm}` };
      if (payload.htu !== htu) return { ok: false, error: `htu is ${String(payload.htu)}, not ${htu}` };
      if (accessToken !== undefined && payload.ath !== createHash("sha256").update(accessToken).digest("base64url")) {
        return { ok: false, error: "ath does not match the access token" };
      }
      this.dpopJtis.add(payload.jti);
      const nonce = typeof payload.nonce === "string" ? payload.nonce : undefined;
      return { ok: true, jti: payload.jti, jkt: await jose.calculateJwkThumbprint(jwk, "sha256"), nonce };
    } catch (error) {
      return { ok: false, error: `proof does not verify: ${(error as Error).message}` };
    }
  }
}

const AS_NONCE = "fixture-as-nonce";
const RS_NONCE = "fixture-rs-nonce";

export interface DpopSeen {
  tokenRequests: { grantType: string; proof: boolean; jti?: string; jkt?: string; nonce?: string; error?: string }[];
  mcpRequests: { scheme: string; method: string; jti?: string; jkt?: string; nonce?: string; error?: string }[];
  asNonceChallenges: number;
  rsNonceChallenges: number;
}

// ---- Device login (RFC 8628) -------------------------------------------------------------------
// `--device`: a device authorization endpoint, and the device_code grant at /token. There is no
// user: `--device-script` says how each successive poll is answered (the last answer repeats), so
// a test scripts approval, slow_down, denial or expiry without a browser.

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export type DevicePollAnswer = "pending" | "slow_down" | "denied" | "expired" | "ok";
export const DEVICE_POLL_ANSWERS: readonly DevicePollAnswer[] = ["pending", "slow_down", "denied", "expired", "ok"];

export interface DeviceFixtureOptions {
  /** `--device-script pending,slow_down,ok`: the answer to each poll, in order; the last one repeats. */
  script: DevicePollAnswer[];
  /** `--device-interval`: the `interval` sent (seconds); omitted when undefined (clients then wait 5 s). */
  interval?: number;
  /** `--device-expires-in`: the device code's `expires_in`, seconds. */
  expiresIn: number;
  /** `--device-user-code`: the user code sent (hostile text, for the sanitizer). */
  userCode?: string;
  /** `--device-verification-uri`: sent instead of the fixture's own /device (hostile metadata). */
  verificationUri?: string;
}

const DEFAULT_DEVICE_FIXTURE: DeviceFixtureOptions = { script: ["ok"], expiresIn: 600 };

interface DeviceCode {
  clientId: string;
  scope: string;
  resource?: string;
  polls: number;
  done: boolean;
}

class DeviceFixture {
  private readonly codes = new Map<string, DeviceCode>();
  private authorizations = 0;
  private polls = 0;
  private lastRequest: Record<string, string> | null = null;

  constructor(
    private readonly options: DeviceFixtureOptions,
    private readonly resourceUrl: () => string,
    private readonly origin: () => string,
  ) {}

  stats(): Pick<OAuthStats, "deviceAuthorizations" | "devicePolls" | "lastDeviceAuthorizationRequest"> {
    return { deviceAuthorizations: this.authorizations, devicePolls: this.polls, lastDeviceAuthorizationRequest: this.lastRequest };
  }

  authorize(res: ServerResponse, client: Client | undefined, params: URLSearchParams): void {
    this.lastRequest = Object.fromEntries(params);
    if (!client) {
      oauthError(res, 401, "invalid_client", "unknown client or bad client credentials");
      return;
    }
    const resource = params.get("resource") ?? undefined;
    if (resource !== undefined && resource !== this.resourceUrl()) {
      oauthError(res, 400, "invalid_target", `resource must be ${this.resourceUrl()}`);
      return;
    }
    const deviceCode = token("dc");
    const userCode = this.options.userCode ?? `${randomBytes(2).toString("hex").toUpperCase()}-${randomBytes(2).toString("hex").toUpperCase()}`;
    this.codes.set(deviceCode, { clientId: client.client_id, scope: params.get("scope") ?? "", resource, polls: 0, done: false });
    this.authorizations++;
    const verificationUri = this.options.verificationUri ?? `${this.origin()}/device`;
    json(res, 200, {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expires_in: this.options.expiresIn,
      ...(this.options.interval !== undefined ? { interval: this.options.interval } : {}),
    });
  }

  token(res: ServerResponse, client: Client, params: URLSearchParams, issue: (grant: Grant) => Record<string, unknown>): void {
    this.polls++;
    const code = this.codes.get(params.get("device_code") ?? "");
    if (!code || code.done || code.clientId !== client.client_id) {
      oauthError(res, 400, "invalid_grant", "unknown, used or foreign device code");
      return;
    }
    if ((params.get("resource") ?? undefined) !== code.resource) {
      oauthError(res, 400, "invalid_target", "resource differs from the device authorization request");
      return;
    }
    const script = this.options.script;
    const answer = script[Math.min(code.polls++, script.length - 1)]!;
    if (answer === "pending") oauthError(res, 400, "authorization_pending", "the user has not approved yet");
    else if (answer === "slow_down") oauthError(res, 400, "slow_down", "polling too fast");
    else if (answer === "denied") oauthError(res, 400, "access_denied", "the user denied the login");
    else if (answer === "expired") oauthError(res, 400, "expired_token", "the device code expired");
    else {
      code.done = true;
      json(res, 200, issue({ id: token("grant"), clientId: client.client_id, scope: code.scope || "mcp:tools", resource: code.resource }));
    }
  }
}
