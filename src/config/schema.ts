// The one arktype schema of config.toml (SPEC §2). Heavy to import: only schema-nodes.ts loads it,
// when the code is transpiled; validate.ts checks configs with the nodes it yields.
import { type } from "arktype";

const stringMap = type({ "[string]": "string" });
const stringList = type("string[]");
const positiveSeconds = type("number > 0");
const samplingPolicy = type("'off' | 'ask' | 'auto'");

/** Every key a server table may hold; anything else is an error (see validate.ts). */
export const serverSchema = type({
  "command?": "string > 0",
  "args?": stringList,
  "env?": stringMap,
  "env_vars?": stringList,
  "cwd?": "string > 0",
  "url?": "string > 0",
  "bearer_token_env_var?": "string > 0",
  "http_headers?": stringMap,
  "env_http_headers?": stringMap,
  "oauth_client_id?": "string > 0",
  "oauth_client_secret_env_var?": "string > 0",
  "oauth_scopes?": stringList,
  "scopes?": stringList,
  "oauth_resource?": "string > 0",
  "oauth_grant?": "'authorization_code' | 'client_credentials' | 'jwt_bearer'",
  "oauth_private_key_file?": "string > 0",
  "oauth_private_key_alg?": "string > 0",
  "oauth_client_metadata_url?": "string > 0",
  // DPoP (RFC 9449): on/off; unset follows the authorization server's metadata.
  "oauth_dpop?": "boolean",
  // Enterprise-managed authorization (SEP-990): the enterprise IdP and the ID token it hands out.
  "oauth_idp_issuer?": "string > 0",
  "oauth_idp_token_endpoint?": "string > 0",
  "oauth_idp_client_id?": "string > 0",
  "oauth_idp_client_secret_env_var?": "string > 0",
  "oauth_idp_private_key_file?": "string > 0",
  "oauth_id_token_env_var?": "string > 0",
  "startup_timeout_sec?": positiveSeconds,
  "startup_timeout_ms?": "number.integer > 0",
  "tool_timeout_sec?": positiveSeconds,
  "tool_max_total_timeout_sec?": positiveSeconds,
  "enabled?": "boolean",
  "enabled_tools?": stringList,
  "disabled_tools?": stringList,
  "approve_tools?": stringList,
  "auto_approve_read_only?": "boolean",
  "required?": "boolean",
  "roots?": stringList,
  "sampling?": samplingPolicy,
  // Workload identity (issue 21 item 5): oauth_grant = "jwt_bearer", the platform's token as the assertion.
  "oauth_assertion_file?": "string > 0",
  "oauth_assertion_env_var?": "string > 0",
  "oauth_assertion_platform?": "'github-actions'",
  "oauth_assertion_audience?": "string > 0",
  // Era probes (issue 21 item 7): pin the protocol era, or probe for it ("auto").
  "protocol?": "'2025-11-25' | '2026-07-28' | 'auto'",
  // Keep-alive (issue 22): this server runs in the per-config background daemon.
  "keep_alive?": "boolean",
}).onUndeclaredKey("reject");

const providerSchema = type({
  "name?": "string",
  "base_url?": "string > 0",
  "env_key?": "string > 0",
  "query_params?": stringMap,
  "http_headers?": stringMap,
  "env_http_headers?": stringMap,
  "wire_api?": "string",
  "stream_idle_timeout_sec?": positiveSeconds,
  "stream_idle_timeout_ms?": "number.integer > 0",
  "stream_total_timeout_sec?": positiveSeconds,
  "stream_max_bytes?": "number.integer > 0",
  "stream_max_event_bytes?": "number.integer > 0",
});

const otlpHttpSchema = type({
  endpoint: "string > 0",
  "protocol?": "'binary' | 'json'",
  "headers?": stringMap,
}).onUndeclaredKey("reject");

const otlpGrpcSchema = type({
  endpoint: "string > 0",
  "headers?": stringMap,
}).onUndeclaredKey("reject");

const exporterSchema = type("'none'")
  .or(type({ "otlp-http": otlpHttpSchema }).onUndeclaredKey("reject"))
  .or(type({ "otlp-grpc": otlpGrpcSchema }).onUndeclaredKey("reject"));

const otelSchema = type({
  "environment?": "string > 0",
  "exporter?": exporterSchema,
  "log_user_prompt?": "boolean",
  // Metrics (issue 23): where they go, and how often a long run (mcp serve) sends them.
  "metrics_exporter?": exporterSchema,
  "metrics_export_interval_sec?": "1 <= number.integer <= 86400",
  // Traces (issue 23): where spans go, the same shapes as `exporter`.
  "trace_exporter?": exporterSchema,
}).onUndeclaredKey("reject");

/**
 * `[serve]`: a key for every `tether mcp serve` flag (the flag wins). Durations are whole seconds,
 * as the flags take them.
 */
const serveSchema = type({
  "http?": "string > 0",
  "servers?": stringList,
  "tool_search?": "boolean",
  "prefix?": "boolean",
  "token_env_var?": "string > 0",
  "token?": "boolean",
  "allow_origins?": stringList,
  "body_timeout_sec?": "1 <= number.integer <= 999999",
  "max_connections_per_peer?": "0 <= number.integer <= 999999",
  "event_store_bytes?": "number.integer >= 1",
  "sse_poll_sec?": "0 <= number.integer <= 999999",
  "per_session_upstreams?": stringList,
  "max_upstream_sessions?": "1 <= number.integer <= 999999",
  "question_timeout_sec?": "1 <= number.integer <= 999999",
  "drain_timeout_sec?": "0 <= number.integer <= 999999",
  "auth_issuer?": "string > 0",
  "auth_audience?": "string > 0",
  "auth_scopes?": stringList,
  "public_url?": "string > 0",
  "rate_limit?": "string > 0",
  "state?": "string > 0",
  "state_env_var?": "string > 0",
  "state_key_env_var?": "string > 0",
}).onUndeclaredKey("reject");

/** Top level: known keys are typed; unknown ones (Codex's [tui], [projects], ...) are ignored. */
export const configSchema = type({
  "model?": "string > 0",
  "model_provider?": "string > 0",
  "approval_policy?": "'ask' | 'auto' | 'deny'",
  "max_turns?": "number.integer > 0",
  "auto_approve_read_only?": "boolean",
  "tool_output_max_bytes?": "number.integer >= 1024",
  "mcp_oauth_credentials_store?": "'auto' | 'keyring' | 'file'",
  "mcp_oauth_callback_port?": "0 <= number.integer <= 65535",
  "model_providers?": { "[string]": providerSchema },
  "mcp_servers?": { "[string]": "object" },
  "otel?": otelSchema,
  "serve?": serveSchema,
  "roots?": stringList,
  "sampling?": samplingPolicy,
  // Registry install (`mcp add --registry`, `mcp registry search`): the MCP Registry's base URL.
  "registry_url?": "string > 0",
  // Keep-alive (issue 22): the daemon exits after this many seconds without use.
  "keep_alive_idle_sec?": "1 <= number.integer <= 999999",
});

export type RawServer = typeof serverSchema.infer;
export type RawProvider = typeof providerSchema.infer;
export type RawOtel = typeof otelSchema.infer;
export type RawServe = typeof serveSchema.infer;
export type RawConfig = Omit<typeof configSchema.infer, "mcp_servers"> & {
  mcp_servers?: Record<string, RawServer>;
};
