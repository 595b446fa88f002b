// What commands may show of a server: a JSON-ready view with every secret-bearing value masked.
import type { AssertionSource, HttpServerConfig, ProtocolSetting, ServerConfig } from "./types.ts";

export const MASK = "*****";

export type AuthView =
  | { type: "none" }
  | { type: "bearer"; env_var: string }
  | { type: "oauth"; state: "logged_in" | "expired" | "not_logged_in"; refreshable?: boolean }
  /** oauth_grant = "client_credentials": tether fetches tokens itself, there is no login state. */
  | { type: "oauth_client_credentials"; client_id: string }
  /** Workload identity (issue 21 item 5): oauth_grant = "jwt_bearer", the platform's token as the grant; no login state either. */
  | { type: "oauth_jwt_bearer"; client_id: string; assertion: AssertionSource["kind"] };

export interface ServerView {
  name: string;
  transport: "stdio" | "http";
  enabled: boolean;
  required: boolean;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  env_vars?: string[];
  cwd?: string;
  url?: string;
  bearer_token_env_var?: string;
  http_headers?: Record<string, string>;
  env_http_headers?: Record<string, string>;
  oauth_client_id?: string;
  oauth_scopes?: string[];
  /** DPoP (RFC 9449): only when the server sets oauth_dpop. */
  oauth_dpop?: boolean;
  // Enterprise-managed authorization (SEP-990): who the IdP is and where the ID token comes from (names only).
  oauth_idp_issuer?: string;
  oauth_idp_client_id?: string;
  oauth_id_token_env_var?: string;
  startup_timeout_sec: number;
  tool_timeout_sec: number;
  tool_max_total_timeout_sec: number;
  enabled_tools?: string[];
  disabled_tools: string[];
  approve_tools: string[];
  /** Only when the server sets it; otherwise the top-level setting applies. */
  auto_approve_read_only?: boolean;
  /** Era probes (issue 21 item 7): only when the server sets it; otherwise "auto". */
  protocol?: ProtocolSetting;
  /** Keep-alive (issue 22): only when the server sets keep_alive. */
  keep_alive?: boolean;
  auth: AuthView;
}

/** The auth a server uses as far as config tells; OAuth state is filled in by auth/. */
export function configuredAuth(server: ServerConfig): AuthView {
  if (server.transport === "stdio") return { type: "none" };
  if (server.bearerTokenEnvVar) return { type: "bearer", env_var: server.bearerTokenEnvVar };
  if (server.oauth.grant === "client_credentials") return { type: "oauth_client_credentials", client_id: server.oauth.clientId ?? "" };
  if (server.oauth.grant === "jwt_bearer" && server.oauth.assertion) {
    return { type: "oauth_jwt_bearer", client_id: server.oauth.clientId ?? "", assertion: server.oauth.assertion.kind };
  }
  return { type: "none" };
}

/** Whether a server's auth depends on a stored OAuth login (config alone cannot tell its state). */
export function mayUseOAuth(server: ServerConfig): server is HttpServerConfig {
  if (server.transport !== "http" || server.bearerTokenEnvVar) return false;
  // A configured Authorization header wins over a login: the user chose it explicitly.
  const headers = [...Object.keys(server.httpHeaders), ...Object.keys(server.envHttpHeaders)];
  return !headers.some((name) => name.toLowerCase() === "authorization");
}

export function authLabel(auth: AuthView): string {
  switch (auth.type) {
    case "none":
      return "none";
    case "bearer":
      return `bearer (${auth.env_var})`;
    case "oauth":
      return `oauth: ${auth.state.replaceAll("_", " ")}`;
    case "oauth_client_credentials":
      return "oauth: client credentials";
    case "oauth_jwt_bearer":
      return `oauth: workload identity (${auth.assertion.replace("_", " ")})`;
  }
}

/** Command line or URL, as one string for a table. */
export function serverTarget(server: ServerConfig): string {
  if (server.transport === "http") return displayUrl(server.url);
  return [server.command, ...server.args].map(quoteIfNeeded).join(" ");
}

function quoteIfNeeded(word: string): string {
  return /^[\w@%+=:,./${}-]+$/.test(word) ? word : JSON.stringify(word);
}

/** The URL with any password in it masked (`https://user:*****@host/`). */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, `$1:${MASK}@`);
}

function maskValues(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(map).map((key) => [key, MASK]));
}

export function describeServer(server: ServerConfig, auth: AuthView = configuredAuth(server)): ServerView {
  const common = {
    name: server.name,
    transport: server.transport,
    enabled: server.enabled,
    required: server.required,
    startup_timeout_sec: server.startupTimeoutSec,
    tool_timeout_sec: server.toolTimeoutSec,
    tool_max_total_timeout_sec: server.toolMaxTotalTimeoutSec,
    enabled_tools: server.enabledTools,
    disabled_tools: server.disabledTools,
    approve_tools: server.approveTools,
    auto_approve_read_only: server.autoApproveReadOnly,
    protocol: server.protocol,
    // Keep-alive (issue 22)
    keep_alive: server.keepAlive,
    auth,
  };
  if (server.transport === "stdio") {
    return {
      ...common,
      command: server.command,
      args: server.args,
      env: maskValues(server.env),
      env_vars: server.envVars,
      cwd: server.cwd,
    };
  }
  return {
    ...common,
    url: displayUrl(server.url),
    bearer_token_env_var: server.bearerTokenEnvVar,
    http_headers: maskValues(server.httpHeaders),
    env_http_headers: server.envHttpHeaders,
    oauth_client_id: server.oauth.clientId,
    oauth_scopes: server.oauth.scopes,
    oauth_dpop: server.oauth.dpop,
    oauth_idp_issuer: server.oauth.enterprise?.idpIssuer,
    oauth_idp_client_id: server.oauth.enterprise?.idpClientId,
    oauth_id_token_env_var: server.oauth.enterprise?.idTokenEnvVar,
  };
}
