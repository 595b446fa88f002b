// The OAuthClientProvider of one `mcp login`: memory only, so the SDK's auth() runs discovery,
// registration and PKCE, and tether stores the result once the code exchange succeeded.
import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/client";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/client";

export interface LoginProviderOptions {
  redirectUrl: string;
  state: string;
  version: string;
  /** From `oauth_client_id` (+ secret): no dynamic registration. */
  staticClient?: OAuthClientInformationMixed;
  /** `oauth_resource`: the resource indicator to ask for instead of the one the server advertises. */
  resource?: string;
}

export class LoginProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  savedTokens: OAuthTokens | undefined;
  /** Where the SDK wants the browser to go; set by the first auth() call. */
  authorizationUrl: URL | undefined;
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;

  constructor(private readonly options: LoginProviderOptions) {
    this.client = options.staticClient;
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
      software_id: "tether",
      software_version: this.options.version,
    };
  }

  state(): string {
    return this.options.state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.client = client;
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
    if (scope === "all" || scope === "client") this.client = this.options.staticClient;
    if (scope === "all" || scope === "tokens") this.savedTokens = undefined;
    if (scope === "all" || scope === "verifier") this.verifier = undefined;
    if (scope === "all" || scope === "discovery") this.discovery = undefined;
  }
}
