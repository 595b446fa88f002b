// Validates a parsed config: tether's rules first (for precise messages), then the arktype schema.
import { isPlainObject } from "../values.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { findLine, scanToml, type TomlLayout } from "./toml-layout.ts";
import { ArkErrors, rootSchema, type RootSchema } from "@ark/schema";
import { schemaNodes } from "./schema-nodes.ts" with { type: "macro" };
import { isLoopbackHost, SERVER_NAME_PATTERN, splitHttpBind } from "./names.ts";
import { closest } from "../suggest.ts";

// The default (compiled) checks, not jitless: jitless saves ~4 ms per write but words some
// messages differently (unions, repeated paths); test/config/schema-nodes.test.ts holds them equal.
// Each schema is built when first used: building one costs a command ~15-20 ms, and `mcp add`
// or `mcp remove` checks one server entry, not the whole file.
const nodes = schemaNodes();
let builtServerSchema: ReturnType<typeof rootSchema> | undefined;
let builtConfigSchema: ReturnType<typeof rootSchema> | undefined;
const serverSchema = () => (builtServerSchema ??= rootSchema(nodes.server as RootSchema));
const configSchema = () => (builtConfigSchema ??= rootSchema(nodes.config as RootSchema));
/** Every key a server table may hold; anything else is an error. */
const SERVER_KEYS: readonly string[] = ["required", "optional"].flatMap((kind) => ((nodes.server as Record<string, { key: string }[] | undefined>)[kind] ?? []).map((prop) => prop.key));

const STDIO_ONLY = ["args", "env", "env_vars", "cwd"] as const;
const HTTP_ONLY = ["bearer_token_env_var", "http_headers", "env_http_headers"] as const;

/** What a validation failure points at; turned into a ConfigError with file and line. */
export interface Problem {
  message: string;
  hint?: string;
  /** Table path and key used to find the line. */
  table: string[];
  key?: string;
}

/** Makes the Problem for one key of the server table being checked. */
type At = (key: string, message: string, hint?: string) => Problem;

/** Throws a ConfigError for the first problem in `raw`, naming `file` and the line in `source`. */
export function validateConfig(raw: Record<string, unknown>, source: string, file: string): void {
  const problem = findProblem(raw);
  if (!problem) return;
  throw toConfigError(problem, scanToml(source), file);
}

export function toConfigError(problem: Problem, layout: TomlLayout, file: string): ConfigError {
  const line = findLine(layout, problem.table, problem.key);
  return new ConfigError(problem.message, { file, line, hint: problem.hint });
}

/** The first problem in a parsed config, or undefined when it is valid. */
export function findProblem(raw: Record<string, unknown>): Problem | undefined {
  const servers = raw.mcp_servers;
  // `[[mcp_servers]]` or `mcp_servers = [...]` would slip past the per-server rules (arktype's
  // "object" takes arrays), so it is refused before anything else.
  if (Array.isArray(servers)) {
    return {
      table: ["mcp_servers"],
      message: "'mcp_servers' must be a table of named servers, not an array",
      hint: 'write each server as its own table: [mcp_servers.NAME] with command = "..." or url = "..."',
    };
  }
  if (servers !== undefined && isPlainObject(servers)) {
    for (const [name, server] of Object.entries(servers)) {
      const problem = findServerProblem(name, server);
      if (problem) return problem;
    }
  }
  return findSchemaProblem(raw) ?? findServeProblem(raw.serve) ?? findRegistryUrlProblem(raw.registry_url);
}

/**
 * Registry install: `registry_url` says which commands `mcp add --registry` writes, so it must
 * be https (plain http only to loopback): anyone on the path could otherwise choose what runs.
 */
function findRegistryUrlProblem(value: unknown): Problem | undefined {
  if (typeof value !== "string" || isSecureUrl(value)) return undefined;
  const at = (message: string, hint?: string): Problem => ({ table: [], key: "registry_url", message, hint });
  if (!URL.canParse(value)) return at(`'registry_url' is not a valid URL (got "${value}")`, "the default is https://registry.modelcontextprotocol.io");
  return at(`'registry_url' must be https:// (plain http:// only to 127.0.0.1 or localhost), got "${value}"`);
}

/** What the schema cannot say about `[serve]` (its types are already checked). */
function findServeProblem(serve: unknown): Problem | undefined {
  if (!isPlainObject(serve) || typeof serve.http !== "string" || splitHttpBind(serve.http)) return undefined;
  return {
    table: ["serve"],
    key: "http",
    message: `'serve.http' must be HOST:PORT (e.g. 127.0.0.1:8080), got "${serve.http}"`,
  };
}

/**
 * An entry from the command line (`mcp add`, `--registry`, an ad-hoc `--stdio`/`--url` server),
 * held to the rules of config.toml: its first problem as a usage error, since the flags made it.
 */
export function checkServerEntry(name: string, server: unknown): void {
  const problem = findServerProblem(name, server);
  if (problem) throw new UsageError(problem.message, { hint: problem.hint });
}

/** Problems with one `[mcp_servers.NAME]` table. */
export function findServerProblem(name: string, server: unknown): Problem | undefined {
  const table = ["mcp_servers", name];
  const at = (key: string | undefined, message: string, hint?: string): Problem => ({
    table,
    key,
    message: `server "${name}": ${message}`,
    hint,
  });
  if (!SERVER_NAME_PATTERN.test(name)) {
    return {
      table,
      message: `invalid server name "${name}": use 1-64 letters, digits, '_' or '-'`,
    };
  }
  if (!isPlainObject(server)) return at(undefined, "must be a table");
  const keys = Object.keys(server);
  if ("bearer_token" in server) {
    return at(
      "bearer_token",
      "'bearer_token' is not allowed: a token must not be stored in config.toml",
      `put the token in an environment variable and set bearer_token_env_var = "VAR" (mcp add: --bearer-token-env-var VAR)`,
    );
  }
  const unknown = keys.find((key) => !SERVER_KEYS.includes(key));
  if (unknown) {
    const near = closest(unknown, SERVER_KEYS);
    return at(unknown, `unknown field '${unknown}'`, near ? `did you mean '${near}'?` : `known fields: ${SERVER_KEYS.join(", ")}`);
  }
  const hasCommand = "command" in server;
  const hasUrl = "url" in server;
  if (hasCommand && hasUrl) {
    return at("url", "has both 'command' and 'url'; a server is either stdio (command) or streamable HTTP (url)");
  }
  if (!hasCommand && !hasUrl) {
    return at(undefined, "needs 'command' (a stdio server) or 'url' (a streamable HTTP server)");
  }
  const misplaced = hasUrl ? STDIO_ONLY.find((k) => k in server) : HTTP_ONLY.find((k) => k in server);
  if (misplaced) {
    return hasUrl
      ? at(misplaced, `'${misplaced}' is only for stdio servers (command), but this server has a 'url'`)
      : at(misplaced, `'${misplaced}' is only for HTTP servers (url), but this server has a 'command'`);
  }
  const typed = serverSchema()(server);
  if (typed instanceof ArkErrors) {
    const error = typed[0]!;
    return at(String(error.path[0]), `'${error.path.join(".")}' ${problemText(error)}`);
  }
  if (hasUrl) {
    return findOAuthProblem(server, at) ?? findDpopProblem(server, at) ?? findEnterpriseProblem(server, at) ?? findWorkloadIdentityProblem(server, at) ?? findUrlProblem(server as { url: string } & Record<string, unknown>, at);
  }
  return undefined;
}

/** A client_credentials server must say who it is: a client id and a secret or a private key, never both. */
function findOAuthProblem(server: Record<string, unknown>, at: At): Problem | undefined {
  if (server.oauth_grant !== "client_credentials") {
    const machineOnly = ["oauth_private_key_file", "oauth_private_key_alg"].find((k) => k in server);
    return machineOnly ? at(machineOnly, `'${machineOnly}' is only used with oauth_grant = "client_credentials"`) : undefined;
  }
  if (!("oauth_client_id" in server)) {
    return at("oauth_grant", "oauth_grant = \"client_credentials\" needs 'oauth_client_id'");
  }
  const secret = "oauth_client_secret_env_var" in server;
  const key = "oauth_private_key_file" in server;
  if (secret === key) {
    return at(
      "oauth_grant",
      secret ? "set either 'oauth_client_secret_env_var' or 'oauth_private_key_file', not both" : "oauth_grant = \"client_credentials\" needs 'oauth_client_secret_env_var' or 'oauth_private_key_file'",
    );
  }
  if ("bearer_token_env_var" in server) {
    return at("bearer_token_env_var", "'bearer_token_env_var' and oauth_grant = \"client_credentials\" both set the token; keep one");
  }
  return undefined;
}

/** DPoP (RFC 9449): oauth_dpop binds OAuth tokens; a bearer token from the environment is sent as it is. */
function findDpopProblem(server: Record<string, unknown>, at: At): Problem | undefined {
  if (server.oauth_dpop === true && "bearer_token_env_var" in server) {
    return at("oauth_dpop", "'oauth_dpop' applies to OAuth logins, but 'bearer_token_env_var' sends a fixed token", "remove one of the two");
  }
  return undefined;
}

// Enterprise-managed authorization (SEP-990) ------------------------------------------------------

const ENTERPRISE_KEYS = ["oauth_idp_token_endpoint", "oauth_idp_client_id", "oauth_idp_client_secret_env_var", "oauth_idp_private_key_file", "oauth_id_token_env_var"] as const;

/**
 * `oauth_idp_issuer` turns the enterprise login on; it needs tether's client at the IdP and at the
 * MCP server's authorization server (the ID-JAG names that client, and the JWT bearer grant is
 * made by it), and it replaces the other ways to a token.
 */
function findEnterpriseProblem(server: Record<string, unknown>, at: At): Problem | undefined {
  if (!("oauth_idp_issuer" in server)) {
    const stray = ENTERPRISE_KEYS.find((k) => k in server);
    return stray ? at(stray, `'${stray}' is only used with 'oauth_idp_issuer' (enterprise-managed authorization)`, "set oauth_idp_issuer to the identity provider's issuer URL") : undefined;
  }
  for (const key of ["oauth_idp_issuer", "oauth_idp_token_endpoint"]) {
    if (key in server && !isSecureUrl(String(server[key]))) {
      return at(key, `'${key}' must be an https:// URL (got "${String(server[key])}")`, "plain http is allowed only for 127.0.0.1, localhost and ::1");
    }
  }
  if (!("oauth_idp_client_id" in server)) {
    return at("oauth_idp_issuer", "'oauth_idp_issuer' needs 'oauth_idp_client_id' (tether's client at the identity provider)");
  }
  if ("oauth_idp_client_secret_env_var" in server && "oauth_idp_private_key_file" in server) {
    return at("oauth_idp_private_key_file", "set either 'oauth_idp_client_secret_env_var' or 'oauth_idp_private_key_file', not both");
  }
  if (!("oauth_client_id" in server) || !("oauth_client_secret_env_var" in server)) {
    const missing = "oauth_client_id" in server ? "'oauth_client_secret_env_var'" : "'oauth_client_id' and 'oauth_client_secret_env_var'";
    return at("oauth_idp_issuer", `'oauth_idp_issuer' needs ${missing} (tether's client at the MCP server's authorization server)`);
  }
  const conflict = ["oauth_grant", "bearer_token_env_var", "oauth_client_metadata_url"].find((k) => k in server);
  if (conflict) return at(conflict, `'${conflict}' and 'oauth_idp_issuer' are two ways to a token; keep one`);
  return undefined;
}

function isSecureUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

/** Workload identity (issue 21 item 5): where the platform's token comes from. */
const ASSERTION_SOURCES = ["oauth_assertion_file", "oauth_assertion_env_var", "oauth_assertion_platform"] as const;

/** A jwt_bearer server names its client and exactly one source of the platform's token. */
function findWorkloadIdentityProblem(server: Record<string, unknown>, at: At): Problem | undefined {
  const grant = 'oauth_grant = "jwt_bearer"';
  if (server.oauth_grant !== "jwt_bearer") {
    const misplaced = [...ASSERTION_SOURCES, "oauth_assertion_audience"].find((k) => k in server);
    return misplaced ? at(misplaced, `'${misplaced}' is only used with ${grant}`) : undefined;
  }
  if (!("oauth_client_id" in server)) return at("oauth_grant", `${grant} needs 'oauth_client_id'`);
  const sources = ASSERTION_SOURCES.filter((k) => k in server);
  if (sources.length === 0) {
    return at("oauth_grant", `${grant} needs the platform's token: set one of ${ASSERTION_SOURCES.join(", ")}`, 'in a GitHub Actions job: oauth_assertion_platform = "github-actions"');
  }
  if (sources.length > 1) return at(sources[1]!, `set one of ${sources.join(", ")}, not ${sources.length}`);
  if ("oauth_assertion_audience" in server && sources[0] !== "oauth_assertion_platform") {
    return at("oauth_assertion_audience", "'oauth_assertion_audience' is only used with oauth_assertion_platform: a token from a file or an env var has its audience already");
  }
  if ("bearer_token_env_var" in server) return at("bearer_token_env_var", `'bearer_token_env_var' and ${grant} both set the token; keep one`);
  return undefined;
}

function findUrlProblem(server: { url: string } & Record<string, unknown>, at: At): Problem | undefined {
  if (server.url.startsWith("${")) return undefined;
  // Without "://", URL() reads "localhost:3000/mcp" as scheme "localhost:": name the real mistake.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(server.url)) {
    const host = server.url.split(/[:/]/)[0] ?? "";
    const scheme = isLoopbackHost(host) ? "http" : "https";
    return at("url", `'url' must start with http:// or https:// (got "${server.url}")`, `did you mean ${scheme}://${server.url}?`);
  }
  let url: URL;
  try {
    url = new URL(server.url);
  } catch {
    return at("url", "'url' is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return at("url", `'url' must be http:// or https:// (got ${url.protocol}//)`);
  }
  const sendsToken = "bearer_token_env_var" in server || "oauth_client_id" in server || "oauth_grant" in server || "oauth_idp_issuer" in server;
  if (url.protocol === "http:" && sendsToken && !isLoopbackHost(url.hostname)) {
    return at(
      "url",
      `a token would be sent over plain http:// to ${url.hostname}`,
      "use https://; plain http is allowed only for 127.0.0.1, localhost and ::1",
    );
  }
  return undefined;
}

function findSchemaProblem(raw: Record<string, unknown>): Problem | undefined {
  const result = configSchema()(raw);
  if (!(result instanceof ArkErrors)) return undefined;
  const error = result[0]!;
  const path = error.path.map(String);
  return {
    table: path.slice(0, -1),
    key: path.at(-1),
    message: `'${path.join(".") || "config"}' ${problemText(error)}`,
  };
}

/** arktype's problem without the path it sometimes repeats (as in unions like boolean). */
function problemText(error: { path: readonly PropertyKey[]; problem: string }): string {
  const prefix = error.path.map(String).join(".") + " ";
  return error.problem.startsWith(prefix) ? error.problem.slice(prefix.length) : error.problem;
}

