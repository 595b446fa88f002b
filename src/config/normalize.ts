// Turns a validated raw config into TetherConfig with defaults. Plain TS: no schema library here,
// so an already-validated config loads without importing arktype.
import { clampTimeoutSec } from "../timers.ts";
import type { RawConfig, RawOtel, RawProvider, RawServe, RawServer } from "./schema.ts";
import {
  type AssertionSource,
  DEFAULT_KEEP_ALIVE_IDLE_SEC,
  DEFAULT_MAX_TURNS,
  DEFAULT_METRICS_EXPORT_INTERVAL_SEC,
  DEFAULT_PROVIDER,
  DEFAULT_REGISTRY_URL,
  DEFAULT_STARTUP_TIMEOUT_SEC,
  DEFAULT_TOOL_OUTPUT_MAX_BYTES,
  DEFAULT_TOOL_TIMEOUT_SEC,
  defaultMaxTotalTimeoutSec,
  type OtelConfig,
  type OtelExporterConfig,
  type ProviderConfig,
  type ServeConfig,
  type ServerConfig,
  type TetherConfig,
} from "./types.ts";

const BUILTIN_PROVIDERS: Record<string, RawProvider> = {
  openai: { name: "OpenAI", base_url: "https://api.openai.com/v1", env_key: "OPENAI_API_KEY" },
};

export function normalizeConfig(raw: RawConfig): TetherConfig {
  return {
    model: raw.model,
    modelProvider: raw.model_provider ?? DEFAULT_PROVIDER,
    approvalPolicy: raw.approval_policy ?? "ask",
    maxTurns: raw.max_turns ?? DEFAULT_MAX_TURNS,
    autoApproveReadOnly: raw.auto_approve_read_only ?? false,
    toolOutputMaxBytes: raw.tool_output_max_bytes ?? DEFAULT_TOOL_OUTPUT_MAX_BYTES,
    credentialsStore: raw.mcp_oauth_credentials_store ?? "auto",
    callbackPort: raw.mcp_oauth_callback_port ?? 0,
    providers: normalizeProviders(raw.model_providers ?? {}),
    servers: Object.entries(raw.mcp_servers ?? {}).map(([name, server]) => normalizeServer(name, server)),
    otel: normalizeOtel(raw.otel ?? {}),
    serve: normalizeServe(raw.serve ?? {}),
    roots: raw.roots,
    sampling: raw.sampling ?? "off",
    // Registry install: where `mcp add --registry` and `mcp registry search` look servers up.
    registryUrl: raw.registry_url ?? DEFAULT_REGISTRY_URL,
    // Keep-alive (issue 22)
    keepAliveIdleSec: raw.keep_alive_idle_sec ?? DEFAULT_KEEP_ALIVE_IDLE_SEC,
  };
}

export function normalizeServer(name: string, raw: RawServer): ServerConfig {
  const common = {
    name,
    enabled: raw.enabled ?? true,
    required: raw.required ?? false,
    // Past the timer limit (~24.8 days, `inf` too) a timeout means "none"; unclamped, setTimeout would fire at once.
    startupTimeoutSec: clampTimeoutSec(
      raw.startup_timeout_sec ?? (raw.startup_timeout_ms !== undefined ? raw.startup_timeout_ms / 1000 : DEFAULT_STARTUP_TIMEOUT_SEC),
    ),
    toolTimeoutSec: clampTimeoutSec(raw.tool_timeout_sec ?? DEFAULT_TOOL_TIMEOUT_SEC),
    toolMaxTotalTimeoutSec: clampTimeoutSec(raw.tool_max_total_timeout_sec ?? defaultMaxTotalTimeoutSec(raw.tool_timeout_sec ?? DEFAULT_TOOL_TIMEOUT_SEC)),
    enabledTools: raw.enabled_tools,
    disabledTools: raw.disabled_tools ?? [],
    approveTools: raw.approve_tools ?? [],
    roots: raw.roots,
    sampling: raw.sampling,
    autoApproveReadOnly: raw.auto_approve_read_only,
    // Era probes (issue 21 item 7): undefined is "auto", and `mcp get` shows the key only when set.
    protocol: raw.protocol,
    // Keep-alive (issue 22)
    keepAlive: raw.keep_alive,
  };
  if (raw.url !== undefined) {
    return {
      ...common,
      transport: "http",
      url: raw.url,
      bearerTokenEnvVar: raw.bearer_token_env_var,
      httpHeaders: raw.http_headers ?? {},
      envHttpHeaders: raw.env_http_headers ?? {},
      oauth: {
        clientId: raw.oauth_client_id,
        clientSecretEnvVar: raw.oauth_client_secret_env_var,
        scopes: raw.oauth_scopes ?? raw.scopes,
        resource: raw.oauth_resource,
        grant: raw.oauth_grant ?? "authorization_code",
        privateKeyFile: raw.oauth_private_key_file,
        privateKeyAlg: raw.oauth_private_key_alg,
        clientMetadataUrl: raw.oauth_client_metadata_url,
        // DPoP (RFC 9449)
        dpop: raw.oauth_dpop,
        // Enterprise-managed authorization (SEP-990); validate.ts makes sure the client id is there.
        enterprise:
          raw.oauth_idp_issuer === undefined
            ? undefined
            : {
                idpIssuer: raw.oauth_idp_issuer,
                idpTokenEndpoint: raw.oauth_idp_token_endpoint,
                idpClientId: raw.oauth_idp_client_id ?? "",
                idpClientSecretEnvVar: raw.oauth_idp_client_secret_env_var,
                idpPrivateKeyFile: raw.oauth_idp_private_key_file,
                idTokenEnvVar: raw.oauth_id_token_env_var,
              },
        assertion: assertionSource(raw),
      },
    };
  }
  return {
    ...common,
    transport: "stdio",
    command: raw.command ?? "",
    args: raw.args ?? [],
    env: raw.env ?? {},
    envVars: raw.env_vars ?? [],
    cwd: raw.cwd,
  };
}

/** Workload identity (issue 21 item 5): validate.ts has checked that at most one source is set. */
function assertionSource(raw: RawServer): AssertionSource | undefined {
  if (raw.oauth_assertion_file !== undefined) return { kind: "file", path: raw.oauth_assertion_file };
  if (raw.oauth_assertion_env_var !== undefined) return { kind: "env_var", name: raw.oauth_assertion_env_var };
  if (raw.oauth_assertion_platform !== undefined) return { kind: raw.oauth_assertion_platform, audience: raw.oauth_assertion_audience };
  return undefined;
}

function normalizeProviders(raw: Record<string, RawProvider>): Record<string, ProviderConfig> {
  const merged: Record<string, RawProvider> = { ...BUILTIN_PROVIDERS };
  for (const [id, provider] of Object.entries(raw)) merged[id] = { ...BUILTIN_PROVIDERS[id], ...provider };
  const providers: Record<string, ProviderConfig> = {};
  for (const [id, provider] of Object.entries(merged)) {
    providers[id] = {
      name: provider.name ?? id,
      baseUrl: provider.base_url ?? "",
      envKey: provider.env_key,
      queryParams: provider.query_params ?? {},
      httpHeaders: provider.http_headers ?? {},
      envHttpHeaders: provider.env_http_headers ?? {},
      streamIdleTimeoutSec: optionalTimeout(
        provider.stream_idle_timeout_sec ?? (provider.stream_idle_timeout_ms !== undefined ? provider.stream_idle_timeout_ms / 1000 : undefined),
      ),
      streamTotalTimeoutSec: optionalTimeout(provider.stream_total_timeout_sec),
      streamMaxBytes: provider.stream_max_bytes,
      streamMaxEventBytes: provider.stream_max_event_bytes,
    };
  }
  return providers;
}

function optionalTimeout(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : clampTimeoutSec(seconds);
}

function normalizeOtel(raw: RawOtel): OtelConfig {
  return {
    environment: raw.environment ?? "dev",
    logUserPrompt: raw.log_user_prompt ?? false,
    exporter: normalizeExporter(raw.exporter),
    // Metrics (issue 23).
    metricsExporter: normalizeExporter(raw.metrics_exporter),
    metricsExportIntervalSec: raw.metrics_export_interval_sec ?? DEFAULT_METRICS_EXPORT_INTERVAL_SEC,
    // Traces (issue 23).
    traceExporter: normalizeExporter(raw.trace_exporter),
  };
}

function normalizeExporter(exporter: RawOtel["exporter"]): OtelExporterConfig {
  return exporter === undefined || exporter === "none"
    ? { kind: "none" }
    : "otlp-http" in exporter
      ? {
          kind: "otlp-http",
          endpoint: exporter["otlp-http"].endpoint,
          protocol: exporter["otlp-http"].protocol ?? "binary",
          headers: exporter["otlp-http"].headers ?? {},
        }
      : { kind: "otlp-grpc", endpoint: exporter["otlp-grpc"].endpoint, headers: exporter["otlp-grpc"].headers ?? {} };
}

function normalizeServe(raw: RawServe): ServeConfig {
  return {
    http: raw.http,
    servers: raw.servers,
    toolSearch: raw.tool_search,
    prefix: raw.prefix,
    tokenEnvVar: raw.token_env_var,
    token: raw.token,
    allowOrigins: raw.allow_origins,
    bodyTimeoutSec: raw.body_timeout_sec,
    maxConnectionsPerPeer: raw.max_connections_per_peer,
    eventStoreBytes: raw.event_store_bytes,
    ssePollSec: raw.sse_poll_sec,
    perSessionUpstreams: raw.per_session_upstreams,
    maxUpstreamSessions: raw.max_upstream_sessions,
    questionTimeoutSec: raw.question_timeout_sec,
    drainTimeoutSec: raw.drain_timeout_sec,
    authIssuer: raw.auth_issuer,
    authAudience: raw.auth_audience,
    authScopes: raw.auth_scopes,
    publicUrl: raw.public_url,
    rateLimit: raw.rate_limit,
    state: raw.state,
    stateEnvVar: raw.state_env_var,
    stateKeyEnvVar: raw.state_key_env_var,
  };
}
