// The OAuthClientProvider of one `mcp login`: memory only, so the SDK's auth() runs discovery,
// registration and PKCE, and tether stores the result once the code exchange succeeded.
import type {
  DpopSession,
  OAuthClientInformationContext,
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  OAuthTokens,
} from "@modelcontextprotocol/client";

export interface LoginProviderOptions {
  redirectUrl: string;
  state: string;
  version: string;
  /** From `oauth_client_id` (+ secret): no dynamic registration. */
  staticClient?: OAuthClientInformationMixed;
  /** `oauth_resource`: the resource indicator to ask for instead of the one the server advertises. */
  resource?: string;
  /** `oauth_client_metadata_url`: a Client ID Metadata Document, used where the authorization server supports it. */
  clientMetadataUrl?: string;
  /** The client a previous login registered, reused only with the authorization server that issued it. */
  previousClient?: OAuthClientInformationMixed;
  /** DPoP (RFC 9449): the new login's key; the SDK signs a proof into each token request with it. */
  dpop?: DpopSession;
  /** The discovery `mcp login` made before (./discovery.ts), so the first auth() does not make it again. */
  discovery?: OAuthDiscoveryState;
}

export class LoginProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  savedTokens: OAuthTokens | undefined;
  /** Where the SDK wants the browser to go; set by the first auth() call. */
  authorizationUrl: URL | undefined;
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;

  readonly clientMetadataUrl: string | undefined;
  private previousClient: OAuthClientInformationMixed | undefined;

  constructor(private readonly options: LoginProviderOptions) {
    this.client = options.staticClient;
    this.clientMetadataUrl = options.clientMetadataUrl;
    this.previousClient = options.previousClient;
    this.discovery = options.discovery;
    if (options.resource) {
      const resource = new URL(options.resource);
      this.validateResourceURL = async () => resource;
    }
  }

  validateResourceURL?: (serverUrl: string | URL, resource?: string) => Promise<URL | undefined>;

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "tether",
      redirect_uris: [this.options.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // A CLI cannot keep a secret: a public client, protected by PKCE.
      token_endpoint_auth_method: "none",
      application_type: "native",
      software_id: "tether",
      software_version: this.options.version,
    };
  }

  state(): string {
    return this.options.state;
  }

  dpop(): DpopSession | undefined {
    return this.options.dpop;
  }

  /**
   * A client id belongs to the authorization server that issued it: a registration from an earlier
   * login is offered only to that issuer, so a changed authorization server means a new registration.
   */
  clientInformation(ctx?: OAuthClientInformationContext): OAuthClientInformationMixed | undefined {
    if (this.client) return this.client;
    const previous = this.previousClient;
    // Reused only with its own authorization server, and only if it was registered for this
    // redirect URL (the loopback port changes between logins unless mcp_oauth_callback_port is set).
    const registeredHere = previous && "redirect_uris" in previous && (previous.redirect_uris as string[]).includes(this.redirectUrl);
    if (previous && ctx && registeredHere && issuerOfClient(previous) === ctx.issuer) this.client = previous;
    return this.client;
  }

  saveClientInformation(client: OAuthClientInformationMixed, ctx?: OAuthClientInformationContext): void {
    this.client = ctx && !issuerOfClient(client) ? { ...client, issuer: ctx.issuer } : client;
  }

  tokens(): OAuthTokens | undefined {
    return this.savedTokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens = tokens;
  }

  redirectToAuthorization(authorizationUrl: URL): void {
    this.authorizationUrl = authorizationUrl;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error("no PKCE code verifier: the authorization request was not started");
    return this.verifier;
  }

  // Kept between the two auth() calls, so the code exchange does not repeat discovery.
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "client") {
      this.client = this.options.staticClient;
      this.previousClient = undefined;
    }
    if (scope === "all" || scope === "tokens") this.savedTokens = undefined;
    if (scope === "all" || scope === "verifier") this.verifier = undefined;
    if (scope === "all" || scope === "discovery") this.discovery = undefined;
  }
}

function issuerOfClient(client: OAuthClientInformationMixed): string | undefined {
  const issuer = (client as { issuer?: unknown }).issuer;
  return typeof issuer === "string" ? issuer : undefined;
}
