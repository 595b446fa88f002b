// The normalized config every service uses: defaults applied, names in camelCase.
import type { RawConfig } from "./schema.ts";

export type ApprovalPolicy = "ask" | "auto" | "deny";
export type CredentialsStoreMode = "auto" | "keyring" | "file";
/** Whether a server's sampling/createMessage reaches the model: declined, asked on a terminal, or allowed. */
export type SamplingPolicy = "off" | "ask" | "auto";
/**
 * Era probes (issue 21 item 7): a server's `protocol`. `auto` probes with `server/discover` (the
 * verdict remembered in protocol-eras.json); a revision pins the era and nothing is probed.
 */
export type ProtocolSetting = "2025-11-25" | "2026-07-28" | "auto";
export const PROTOCOL_SETTINGS: readonly ProtocolSetting[] = ["2025-11-25", "2026-07-28", "auto"];

export const DEFAULT_STARTUP_TIMEOUT_SEC = 10;
export const DEFAULT_TOOL_TIMEOUT_SEC = 60;
/** The default tool_max_total_timeout_sec cap: ten tool timeouts, but not more than an hour (unless tool_timeout_sec itself is longer). */
export const MAX_DEFAULT_TOOL_TOTAL_TIMEOUT_SEC = 3600;

/** tool_max_total_timeout_sec when unset: 10 × tool_timeout_sec, capped at an hour, never below tool_timeout_sec. */
export function defaultMaxTotalTimeoutSec(toolTimeoutSec: number): number {
  return Math.max(toolTimeoutSec, Math.min(10 * toolTimeoutSec, MAX_DEFAULT_TOOL_TOTAL_TIMEOUT_SEC));
}
export const DEFAULT_MAX_TURNS = 20;
/** Keep-alive (issue 22): keep_alive_idle_sec when unset, ten minutes. */
export const DEFAULT_KEEP_ALIVE_IDLE_SEC = 600;
/** The most bytes of one tool result the model reads; the rest is saved under $TETHER_HOME/outputs/. */
export const DEFAULT_TOOL_OUTPUT_MAX_BYTES = 32 * 1024;
export const DEFAULT_PROVIDER = "openai";

/** A model stream that sends nothing for this long is cut (and retried). Codex's default too. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_SEC = 300;
/** One model response may stream this long in all (not retried: it would run as long again). */
export const DEFAULT_STREAM_TOTAL_TIMEOUT_SEC = 3600;
/**
 * The most bytes one model response may stream. Every delta is kept (the turn's text, the
 * response's items), so this bounds memory: 32 MiB is hundreds of times a long answer.
 */
export const DEFAULT_STREAM_MAX_BYTES = 32 * 1024 * 1024;
/** The most bytes one SSE event may have (`response.completed` repeats the whole output). */
export const DEFAULT_STREAM_MAX_EVENT_BYTES = 8 * 1024 * 1024;

interface ServerCommon {
  name: string;
  enabled: boolean;
  required: boolean;
  startupTimeoutSec: number;
  toolTimeoutSec: number;
  /** How long progress notifications may keep one call alive in all. */
  toolMaxTotalTimeoutSec: number;
  /** Allow-list; undefined allows every tool. */
  enabledTools?: string[];
  disabledTools: string[];
  approveTools: string[];
  /** `roots` as written (resolved when a server asks); undefined falls back to the top level. */
  roots?: string[];
  /** Undefined falls back to the top-level `sampling`. */
  sampling?: SamplingPolicy;
  /** Runs tools annotated `readOnlyHint: true` without asking; undefined follows the top-level setting. */
  autoApproveReadOnly?: boolean;
  /** Era probes (issue 21 item 7): the pinned era, or `auto` (also when undefined). */
  protocol?: ProtocolSetting;
  /** Keep-alive (issue 22): runs in the config's background daemon, kept between commands. */
  keepAlive?: boolean;
}

export interface StdioServerConfig extends ServerCommon {
  transport: "stdio";
  command: string;
  args: string[];
  env: Record<string, string>;
  envVars: string[];
  cwd?: string;
}

export interface OAuthServerSettings {
  clientId?: string;
  clientSecretEnvVar?: string;
  scopes?: string[];
  resource?: string;
  /**
   * `client_credentials`: a machine login, fetched and renewed on demand; no `mcp login`, no browser.
   * `jwt_bearer` (workload identity): the same, with the platform's token as the grant (`assertion`).
   */
  grant: "authorization_code" | "client_credentials" | "jwt_bearer";
  /** A PEM private key for private_key_jwt client authentication (client_credentials). */
  privateKeyFile?: string;
  /** Its JWS algorithm; by default what the key implies (ES256 for P-256, RS256 for RSA, EdDSA for Ed25519). */
  privateKeyAlg?: string;
  /** An https URL used as the client_id (Client ID Metadata Document) where the authorization server supports it. */
  clientMetadataUrl?: string;
  /** Workload identity (issue 21 item 5): where the jwt_bearer grant's assertion comes from. */
  assertion?: AssertionSource;
  /** DPoP (RFC 9449) `oauth_dpop`: true always, false never; unset: when the authorization server advertises it. */
  dpop?: boolean;
  // Enterprise-managed authorization (SEP-990): set when `oauth_idp_issuer` is.
  enterprise?: EnterpriseAuthSettings;
}

/**
 * Enterprise-managed authorization: an ID token from the enterprise IdP is exchanged there for an
 * ID-JAG (RFC 8693), which the MCP server's authorization server takes as a JWT bearer grant (RFC 7523).
 */
export interface EnterpriseAuthSettings {
  /** `oauth_idp_issuer`: the IdP's issuer URL (its metadata gives the token and authorization endpoints). */
  idpIssuer: string;
  /** `oauth_idp_token_endpoint`: the IdP's token endpoint, for an IdP whose metadata cannot be read or validated. */
  idpTokenEndpoint?: string;
  /** `oauth_idp_client_id`: tether's client at the IdP. */
  idpClientId: string;
  /** `oauth_idp_client_secret_env_var`: that client's secret, if it is confidential. */
  idpClientSecretEnvVar?: string;
  /** `oauth_idp_private_key_file`: a PEM key for private_key_jwt at the IdP instead of a secret. */
  idpPrivateKeyFile?: string;
  /** `oauth_id_token_env_var`: an ID token handed in (CI, a login done elsewhere); renews silently. */
  idTokenEnvVar?: string;
}

/**
 * Workload identity (issue 21 item 5): the platform's token. A file is read again for every token
 * request (a Kubernetes projected token rotates); GitHub Actions' is requested for `audience`
 * (default: the MCP server's authorization server issuer).
 */
export type AssertionSource =
  | { kind: "file"; path: string }
  | { kind: "env_var"; name: string }
  | { kind: "github-actions"; audience?: string };

export interface HttpServerConfig extends ServerCommon {
  transport: "http";
  url: string;
  bearerTokenEnvVar?: string;
  httpHeaders: Record<string, string>;
  envHttpHeaders: Record<string, string>;
  oauth: OAuthServerSettings;
}

/** An HTTP server with enterprise-managed authorization (`oauth_idp_issuer` set; settings checked by validate.ts). */
export type EnterpriseServer = HttpServerConfig & { oauth: { enterprise: EnterpriseAuthSettings } };

export type ServerConfig = StdioServerConfig | HttpServerConfig;

export interface ProviderConfig {
  name: string;
  baseUrl: string;
  envKey?: string;
  queryParams: Record<string, string>;
  httpHeaders: Record<string, string>;
  envHttpHeaders: Record<string, string>;
  /** Model stream bounds; undefined means the DEFAULT_STREAM_* value. */
  streamIdleTimeoutSec?: number;
  streamTotalTimeoutSec?: number;
  streamMaxBytes?: number;
  streamMaxEventBytes?: number;
}

export type OtelExporterConfig =
  | { kind: "none" }
  | { kind: "otlp-http"; endpoint: string; protocol: "binary" | "json"; headers: Record<string, string> }
  | { kind: "otlp-grpc"; endpoint: string; headers: Record<string, string> };

export interface OtelConfig {
  environment: string;
  exporter: OtelExporterConfig;
  logUserPrompt: boolean;
  // Metrics (issue 23).
  /** `[otel] metrics_exporter`: the same shapes as `exporter`; "none" unless set. */
  metricsExporter: OtelExporterConfig;
  /** How often a run still going sends its metrics (they are always sent at exit). */
  metricsExportIntervalSec: number;
  /** Traces (issue 23): `[otel] trace_exporter`, where spans go. */
  traceExporter: OtelExporterConfig;
}

/** The OpenTelemetry SDK's default export interval (OTEL_METRIC_EXPORT_INTERVAL: 60 s). */
export const DEFAULT_METRICS_EXPORT_INTERVAL_SEC = 60;

/** `[serve]` as written: each key stands in for the `tether mcp serve` flag of the same name when the flag is absent. */
export interface ServeConfig {
  /** `HOST:PORT` (checked against HTTP_BIND_PATTERN when the config is validated). */
  http?: string;
  servers?: string[];
  toolSearch?: boolean;
  prefix?: boolean;
  tokenEnvVar?: string;
  token?: boolean;
  allowOrigins?: string[];
  bodyTimeoutSec?: number;
  maxConnectionsPerPeer?: number;
  eventStoreBytes?: number;
  ssePollSec?: number;
  perSessionUpstreams?: string[];
  maxUpstreamSessions?: number;
  questionTimeoutSec?: number;
  drainTimeoutSec?: number;
  authIssuer?: string;
  authAudience?: string;
  authScopes?: string[];
  publicUrl?: string;
  /** `N/min` (parsed when serve starts). */
  rateLimit?: string;
  /** `redis[s]://…`: the shared state of replicas (checked when serve starts; it may hold a password). */
  state?: string;
  stateEnvVar?: string;
  stateKeyEnvVar?: string;
}

export interface TetherConfig {
  model?: string;
  modelProvider: string;
  approvalPolicy: ApprovalPolicy;
  maxTurns: number;
  /** Top-level `auto_approve_read_only`; a server's own setting wins. */
  autoApproveReadOnly: boolean;
  toolOutputMaxBytes: number;
  credentialsStore: CredentialsStoreMode;
  callbackPort: number;
  providers: Record<string, ProviderConfig>;
  servers: ServerConfig[];
  otel: OtelConfig;
  serve: ServeConfig;
  /** Top-level `roots` as written; undefined offers the current directory. */
  roots?: string[];
  sampling: SamplingPolicy;
  /** Registry install: the MCP Registry's base URL (`registry_url`), the official one by default. */
  registryUrl: string;
  /** Keep-alive (issue 22): seconds without use after which the daemon exits. */
  keepAliveIdleSec?: number;
}

/** Registry install: the official MCP Registry. */
export const DEFAULT_REGISTRY_URL = "https://registry.modelcontextprotocol.io";

/** config.toml as a run sees it (config/load.ts reads it; ctx.config() hands it out). */
export interface LoadedConfig {
  path: string;
  /** The file's text ("" when it does not exist yet). */
  source: string;
  exists: boolean;
  raw: RawConfig;
  config: TetherConfig;
}
