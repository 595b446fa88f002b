// Workload identity (issue 21 item 5, SEP-1933): a machine login whose grant is the platform's own
// token (RFC 7523 jwt-bearer). Like client_credentials (machine-provider.ts), the SDK's auth() asks
// this provider for a token request when the server first wants one and whenever the token stops
// working; there is no browser, and nothing is stored between runs, refresh tokens included.
import { withProcessDpop } from "./dpop.ts";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthClientProvider, OAuthTokens } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { requireEnvVar } from "../config/expand.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { REDACTED } from "../config/secrets.ts";
import { AuthError } from "../errors.ts";
import { type AssertionReader, assertionReader } from "./workload-assertion.ts";
import { readBoundedBody } from "../net/byte-limit.ts";

const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** The most of a refused token response tether reads for its error code and description. */
const MAX_REFUSAL_BYTES = 16 * 1024;

export interface WorkloadIdentityOptions {
  serverName: string;
  clientId: string;
  /** Without one the client authenticates as `none` (its client_id in the body). */
  clientSecret?: string;
  scope?: string;
  assertion: AssertionReader;
}

export function workloadIdentityProvider(ctx: Context, server: HttpServerConfig): WorkloadIdentityProvider {
  const { clientId, clientSecretEnvVar, scopes, assertion } = server.oauth;
  const where = `server "${server.name}"`;
  // DPoP as for client credentials: a key for the run, when the authorization server offers it.
  return withProcessDpop(new WorkloadIdentityProvider({
    serverName: server.name,
    clientId: clientId!,
    clientSecret: clientSecretEnvVar ? requireEnvVar(ctx.env, clientSecretEnvVar, `${where} oauth_client_secret_env_var`) : undefined,
    scope: scopes?.join(" ") || undefined,
    assertion: assertionReader(ctx, server.name, assertion!),
  }), server.name, server.oauth.dpop);
}

export class WorkloadIdentityProvider implements OAuthClientProvider {
  private held?: OAuthTokens;
  private issuer?: string;
  /** The authorization server's last refusal of a jwt-bearer request (`invalid_grant: …`). */
  private refusal?: string;

  constructor(private readonly options: WorkloadIdentityOptions) {}

  get redirectUrl(): undefined {
    return undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "tether",
      redirect_uris: [],
      grant_types: [JWT_BEARER_GRANT],
      token_endpoint_auth_method: this.options.clientSecret ? "client_secret_basic" : "none",
      ...(this.options.scope && { scope: this.options.scope }),
    };
  }

  clientInformation(): OAuthClientInformationMixed {
    const { clientId, clientSecret } = this.options;
    return { client_id: clientId, ...(clientSecret && { client_secret: clientSecret }) };
  }

  tokens(): OAuthTokens | undefined {
    return this.held;
  }

  /** A refresh token is dropped: the next token request presents the platform's current token instead. */
  saveTokens(tokens: OAuthTokens): void {
    const { refresh_token: _dropped, ...kept } = tokens;
    this.held = kept;
  }

  redirectToAuthorization(): void {
    throw new AuthError(`server "${this.options.serverName}" logs in with the platform's token; there is no browser login`);
  }

  saveCodeVerifier(): void {}

  codeVerifier(): string {
    throw new AuthError(`server "${this.options.serverName}" logs in with the platform's token; there is no browser login`);
  }

  /** auth() names the authorization server's issuer before each token request: GitHub's token is asked for it. */
  saveAuthorizationServerUrl(issuer: string): void {
    this.issuer = issuer;
  }

  async prepareTokenRequest(scope?: string): Promise<URLSearchParams> {
    const params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: await this.options.assertion(this.issuer) });
    if (scope) params.set("scope", scope);
    return params;
  }

  /**
   * auth() calls this after an invalid_grant or unauthorized_client, and would then send the same
   * grant again. The platform's token does not change by asking twice: the refusal ends here, in
   * one line (SEP-1933: surface the error, no retry, no other grant).
   */
  invalidateCredentials(): void {
    this.held = undefined;
    const reason = this.refusal ?? "it refused the token request";
    throw new AuthError(`server "${this.options.serverName}": the authorization server refused the workload identity token (${reason})`, {
      hint: "check the token's audience and subject against what the authorization server trusts for this client",
    });
  }

  /**
   * The transport's fetch, reading the authorization server's refusal of a jwt-bearer request:
   * the SDK keeps it only until its retry, where invalidateCredentials needs it. A refusal that
   * quotes the assertion back has it replaced, so no error the SDK builds from it can show it.
   */
  watchTokenRequests(fetchFn: typeof fetch): typeof fetch {
    const watched = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
      const response = await fetchFn(input, init);
      const body = init?.body;
      if (response.ok || !(body instanceof URLSearchParams) || body.get("grant_type") !== JWT_BEARER_GRANT) return response;
      const text = (await readBoundedBody(response, MAX_REFUSAL_BYTES)) ?? "";
      const assertion = body.get("assertion");
      const scrubbed = assertion ? text.replaceAll(assertion, REDACTED) : text;
      this.refusal = refusalOf(scrubbed, response.status);
      return new Response(scrubbed, { status: response.status, statusText: response.statusText, headers: response.headers });
    };
    return watched as typeof fetch;
  }
}

/** `invalid_grant: JWT assertion is expired` from an RFC 6749 error response, bounded and on one line. */
function refusalOf(text: string, status: number): string {
  try {
    const { error, error_description: description } = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof error !== "string") return `HTTP ${status}`;
    const detail = typeof description === "string" ? `: ${description.replace(/\s+/g, " ").slice(0, 200)}` : "";
    return `${error.slice(0, 100)}${detail}`;
  } catch {
    return `HTTP ${status}`;
  }
}
