// The fixture's enterprise identity provider (SEP-990), issuer `ORIGIN/idp`: RFC 8414 metadata, an
// auto-approving OpenID Connect login (authorization code + PKCE, scope openid) that returns an ID
// token, and the RFC 8693 token exchange of an ID token for an ID-JAG. Tokens are real JWTs (jose,
// ES256); the fixture's authorization server verifies the ID-JAG with verifyIdJag().
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { decodeProtectedHeader, exportJWK, generateKeyPair, importSPKI, jwtVerify, SignJWT } from "jose";
import { json, presentedClient } from "./oauth-server.ts";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ID_JAG_TYPE = "urn:ietf:params:oauth:token-type:id-jag";
const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const ID_JAG_TYP = "oauth-id-jag+jwt";

export interface IdJagClaims {
  sub: string;
  client_id: string;
  resource: string;
  aud: string;
  scope?: string;
}

export interface EnterpriseIdpStats {
  idpLogins: number;
  idpExchanges: number;
  idpRefusals: number;
  /** Token requests authenticated with a private_key_jwt client assertion. */
  idpKeyAuths: number;
  /** Device logins (RFC 8628) approved at the IdP: the first poll of each code is pending, the second gets the ID token. */
  idpDeviceLogins: number;
  /** GETs of the IdP's metadata: a login reads it once. */
  idpMetadataReads: number;
  /** The last token exchange request as sent (the fixture records everything; tether must not print it). */
  idpLastExchangeRequest: Record<string, string> | null;
  idpLastAuthorizeQuery: Record<string, string> | null;
}

interface Code {
  sub: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  used: boolean;
}

export class EnterpriseIdp {
  private keys: KeyPair | undefined;
  private readonly clients = new Map<string, string | undefined>();
  private readonly codes = new Map<string, Code>();
  private readonly counts = { idpLogins: 0, idpExchanges: 0, idpRefusals: 0, idpKeyAuths: 0, idpDeviceLogins: 0, idpMetadataReads: 0 };
  /** Device codes (RFC 8628) handed out: how often each was polled. */
  private readonly deviceCodes = new Map<string, { clientId: string; polls: number }>();
  private lastExchange: Record<string, string> | null = null;
  private lastAuthorize: Record<string, string> | null = null;

  /** private_key_jwt clients: id → SPKI PEM of their public key. */
  private readonly keyClients = new Map<string, string>();

  /**
   * `clients`: `ID` (public) or `ID:SECRET`; `keyClients`: `ID:PUBLIC_KEY_PEM_FILE` (private_key_jwt);
   * `jagClientId`: the MCP authorization server's client named in ID-JAGs.
   */
  constructor(
    private readonly origin: () => string,
    clients: string[],
    keyClients: string[],
    private readonly jagClientId: () => string,
    /** Whether the IdP offers device login (RFC 8628). */
    private readonly device = true,
  ) {
    for (const spec of clients) {
      const [id, ...rest] = spec.split(":");
      this.clients.set(id!, rest.length ? rest.join(":") : undefined);
    }
    for (const spec of keyClients) {
      const colon = spec.indexOf(":");
      this.keyClients.set(spec.slice(0, colon), readFileSync(spec.slice(colon + 1), "utf8"));
      this.clients.set(spec.slice(0, colon), undefined);
    }
  }

  get issuer(): string {
    return `${this.origin()}/idp`;
  }

  private async keyPair(): Promise<KeyPair> {
    this.keys ??= await generateKeyPair("ES256");
    return this.keys;
  }

  stats(): EnterpriseIdpStats {
    return { ...this.counts, idpLastExchangeRequest: this.lastExchange, idpLastAuthorizeQuery: this.lastAuthorize };
  }

  /** An ID token for `sub`, as a login at this IdP would give to `clientId` (the first client by default). */
  async mintIdToken(sub: string, clientId = [...this.clients.keys()][0]!): Promise<string> {
    const { privateKey } = await this.keyPair();
    return new SignJWT({ email: `${sub}@example.test` })
      .setProtectedHeader({ alg: "ES256", typ: "JWT" })
      .setIssuer(this.issuer)
      .setSubject(sub)
      .setAudience(clientId)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
  }

  /** The authorization server's check of a JWT bearer assertion: this IdP's ID-JAG, typed, signed, unexpired. */
  async verifyIdJag(assertion: string): Promise<IdJagClaims> {
    if (decodeProtectedHeader(assertion).typ !== ID_JAG_TYP) throw new Error(`assertion typ is not ${ID_JAG_TYP}`);
    const { payload } = await jwtVerify(assertion, (await this.keyPair()).publicKey, { issuer: this.issuer });
    return payload as unknown as IdJagClaims;
  }

  /** Answers /idp/… and /_test/idp/… routes; false for anything else. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<boolean> {
    switch (`${req.method} ${url.pathname}`) {
      case "GET /.well-known/oauth-authorization-server/idp":
        this.counts.idpMetadataReads++;
        json(res, 200, this.metadata());
        return true;
      case "GET /idp/authorize":
        this.authorize(res, url);
        return true;
      case "POST /idp/token":
        await this.token(req, res, new URLSearchParams(body));
        return true;
      case "POST /idp/device_authorization":
        if (!this.device) return false;
        await this.deviceAuthorization(req, res, new URLSearchParams(body));
        return true;
      case "POST /_test/idp/id-token":
        json(res, 200, { id_token: await this.mintIdToken(body.trim() || "alice") });
        return true;
      case "GET /idp/jwks":
        json(res, 200, { keys: [{ ...(await exportJWK((await this.keyPair()).publicKey)), alg: "ES256", use: "sig" }] });
        return true;
      default:
        return false;
    }
  }

  private metadata(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      ...(this.device ? { device_authorization_endpoint: `${this.issuer}/device_authorization` } : {}),
      jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ["code"],
      grant_types_supported: ["authorization_code", DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
      scopes_supported: ["openid", "email"],
    };
  }

  private authorize(res: ServerResponse, url: URL): void {
    const query = Object.fromEntries(url.searchParams);
    this.lastAuthorize = query;
    const redirect = query.redirect_uri;
    if (!query.client_id || !this.clients.has(query.client_id) || !redirect?.startsWith("http://127.0.0.1:")) {
      json(res, 400, { error: "invalid_request", error_description: "unknown client_id or a redirect_uri that is not loopback" });
      return;
    }
    const target = new URL(redirect);
    target.searchParams.set("iss", this.issuer);
    if (query.state !== undefined) target.searchParams.set("state", query.state);
    if (!query.scope?.split(" ").includes("openid") || query.code_challenge_method !== "S256" || !query.code_challenge) {
      target.searchParams.set("error", "invalid_request");
      target.searchParams.set("error_description", "scope openid and a S256 code_challenge are required");
    } else {
      const code = `idpcode_${randomBytes(12).toString("base64url")}`;
      this.codes.set(code, { sub: "alice", clientId: query.client_id, redirectUri: redirect, challenge: query.code_challenge, used: false });
      this.counts.idpLogins++;
      target.searchParams.set("code", code);
    }
    res.writeHead(302, { Location: target.href });
    res.end();
  }

  /** client_secret_basic, client_secret_post, private_key_jwt, or a public client's client_id alone. */
  private async client(req: IncomingMessage, params: URLSearchParams): Promise<string | undefined> {
    const assertion = params.get("client_assertion");
    if (params.get("client_assertion_type") === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" && assertion) {
      const { alg } = decodeProtectedHeader(assertion);
      for (const [clientId, pem] of this.keyClients) {
        try {
          await jwtVerify(assertion, await importSPKI(pem, alg!), { issuer: clientId, subject: clientId, audience: [this.issuer, `${this.issuer}/token`] });
          this.counts.idpKeyAuths++;
          return clientId;
        } catch {
          // not this client's key
        }
      }
      return undefined;
    }
    if (this.keyClients.has(params.get("client_id") ?? "")) return undefined; // a key client must prove it
    const { id, secret } = presentedClient(req, params);
    if (!id || !this.clients.has(id)) return undefined;
    const expected = this.clients.get(id);
    return expected === undefined || expected === secret ? id : undefined;
  }

  private async token(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const clientId = await this.client(req, params);
    if (!clientId) {
      json(res, 401, { error: "invalid_client", error_description: "unknown client or bad client credentials" });
      return;
    }
    const grant = params.get("grant_type");
    if (grant === "authorization_code") return this.redeemCode(res, clientId, params);
    if (grant === TOKEN_EXCHANGE_GRANT) return this.exchange(res, clientId, params);
    if (grant === DEVICE_CODE_GRANT) return this.pollDeviceCode(res, clientId, params);
    json(res, 400, { error: "unsupported_grant_type", error_description: `grant_type ${grant ?? "(none)"}` });
  }

  /** RFC 8628 at the IdP: a code for scope openid, approved (as by "alice") once it has been polled once. */
  private async deviceAuthorization(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const clientId = await this.client(req, params);
    if (!clientId) return json(res, 401, { error: "invalid_client", error_description: "unknown client or bad client credentials" });
    if (!params.get("scope")?.split(" ").includes("openid")) return json(res, 400, { error: "invalid_scope", error_description: "scope openid is required" });
    const deviceCode = `idpdc_${randomBytes(12).toString("base64url")}`;
    this.deviceCodes.set(deviceCode, { clientId, polls: 0 });
    json(res, 200, {
      device_code: deviceCode,
      user_code: "IDPC-0DE1",
      verification_uri: `${this.issuer}/device`,
      verification_uri_complete: `${this.issuer}/device?user_code=IDPC-0DE1`,
      expires_in: 600,
      interval: 1,
    });
  }

  private async pollDeviceCode(res: ServerResponse, clientId: string, params: URLSearchParams): Promise<void> {
    const code = this.deviceCodes.get(params.get("device_code") ?? "");
    if (!code || code.clientId !== clientId) return json(res, 400, { error: "invalid_grant", error_description: "unknown device code" });
    if (code.polls++ === 0) return json(res, 400, { error: "authorization_pending", error_description: "not approved yet" });
    this.deviceCodes.delete(params.get("device_code")!);
    this.counts.idpDeviceLogins++;
    json(res, 200, { access_token: `idpat_${randomBytes(12).toString("base64url")}`, token_type: "Bearer", expires_in: 3600, id_token: await this.mintIdToken("alice", clientId), scope: "openid" });
  }

  private async redeemCode(res: ServerResponse, clientId: string, params: URLSearchParams): Promise<void> {
    const code = this.codes.get(params.get("code") ?? "");
    const verifier = params.get("code_verifier") ?? "";
    const ok =
      code &&
      !code.used &&
      code.clientId === clientId &&
      code.redirectUri === params.get("redirect_uri") &&
      createHash("sha256").update(verifier).digest("base64url") === code.challenge;
    if (code) code.used = true;
    if (!ok) {
      json(res, 400, { error: "invalid_grant", error_description: "bad code, redirect_uri or PKCE verifier" });
      return;
    }
    json(res, 200, {
      access_token: `idpat_${randomBytes(12).toString("base64url")}`,
      token_type: "Bearer",
      expires_in: 3600,
      id_token: await this.mintIdToken(code.sub, clientId),
      scope: "openid",
    });
  }

  private async exchange(res: ServerResponse, clientId: string, params: URLSearchParams): Promise<void> {
    this.lastExchange = Object.fromEntries(params);
    const refuse = (error: string, description: string) => {
      this.counts.idpRefusals++;
      json(res, 400, { error, error_description: description });
    };
    const audience = params.get("audience");
    const resource = params.get("resource");
    if (params.get("requested_token_type") !== ID_JAG_TYPE) return refuse("invalid_request", `requested_token_type must be ${ID_JAG_TYPE}`);
    if (params.get("subject_token_type") !== ID_TOKEN_TYPE) return refuse("invalid_request", `subject_token_type must be ${ID_TOKEN_TYPE}`);
    if (!audience || !resource) return refuse("invalid_request", "audience and resource are required");
    let sub: string;
    try {
      const { payload } = await jwtVerify(params.get("subject_token") ?? "", (await this.keyPair()).publicKey, { issuer: this.issuer, audience: clientId });
      sub = payload.sub!;
    } catch (error) {
      return refuse("invalid_grant", `the subject token is not a valid ID token of this IdP (${(error as Error).message})`);
    }
    const scope = params.get("scope") ?? undefined;
    const idJag = await new SignJWT({ resource, client_id: this.jagClientId(), ...(scope ? { scope } : {}) })
      .setProtectedHeader({ alg: "ES256", typ: ID_JAG_TYP })
      .setIssuer(this.issuer)
      .setSubject(sub)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti(randomBytes(12).toString("base64url"))
      .sign((await this.keyPair()).privateKey);
    this.counts.idpExchanges++;
    json(res, 200, { access_token: idJag, issued_token_type: ID_JAG_TYPE, token_type: "N_A", expires_in: 300 });
  }
}
