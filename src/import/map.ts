// One server entry of another app → a `[mcp_servers.NAME]` table, pure. Secrets are never copied
// (./secrets.ts says what looks like one): each becomes a reference to an environment variable
// (env_vars, bearer_token_env_var, env_http_headers, or `${VAR}` in args and the url) and a note
// naming the variable to set. A field of the wrong type skips the entry with a reason; fields
// tether has no place for are reported, not dropped.
import { SERVER_NAME_PATTERN } from "../config/names.ts";
import type { RawServer } from "../config/schema.ts";
import { Fields, kindOf, OddField } from "./fields.ts";
import { HEADER_NAME, mapArgs, mapEnv, mapHeaders, mapUrl, PROTOTYPE_KEYS, References } from "./references.ts";
import { looksSecret } from "./secrets.ts";
import type { Entry, ImportSource } from "./sources.ts";

export interface MappedServer {
  /** The name in config.toml (the app's name, made valid if it was not). */
  name: string;
  server?: RawServer;
  /** Why the entry was left out (a field of the wrong type, nothing to run). */
  skipped?: string;
  /** Why the user must act: a variable to set, a field not imported, a rename. */
  attention: string[];
  /** Worth knowing, nothing to do. */
  info: string[];
}

/** Fields each app documents per server, beyond the ones mapped below (ignored with no loss). */
const HARMLESS: Record<ImportSource, string[]> = {
  "claude-desktop": [],
  "claude-code": [],
  cursor: [],
  vscode: ["gallery", "version"],
  windsurf: [],
  gemini: ["description"],
  codex: [],
};

/** `${env:VAR}` (VS Code, Cursor, Windsurf) and `$VAR` (Gemini) → tether's `${VAR}`. */
export function convertVariables(value: string, source: ImportSource): string {
  let out = value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, "${$1}");
  if (source === "gemini") out = out.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, "${$1}");
  return out;
}

/** Whether the app's name can be the config.toml name as it is (not starting with `-`, which reads as a flag). */
export function isImportableName(appName: string): boolean {
  return SERVER_NAME_PATTERN.test(appName) && !appName.startsWith("-");
}

/**
 * The config.toml name for the app's `appName`: kept when it can be, else made valid (letters,
 * digits, `_`, `-`, no leading `-`) and distinct from `taken` (the names kept or given so far).
 */
export function importName(appName: string, taken: ReadonlySet<string>): { name: string; note?: string } {
  if (isImportableName(appName)) return { name: appName };
  const base = appName.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+/, "").slice(0, 64) || "server";
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 64 - String(n).length - 1)}-${n}`;
  const why = appName.startsWith("-") ? "a name starting with '-' reads as a flag" : "not a valid server name";
  return { name, note: `renamed from "${appName}" (${why})` };
}

export function mapServer(source: ImportSource, name: string, entry: unknown): MappedServer {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return { name, skipped: `must be a table, got ${kindOf(entry)}`, attention: [], info: [] };
  const attention: string[] = [];
  const info: string[] = [];
  try {
    const { server, skipped } = mapFields(source, name, new Fields(entry as Entry), entry as Entry, attention, info);
    return skipped === undefined ? { name, server, attention, info } : { name, skipped, attention: [], info: [] };
  } catch (error) {
    if (!(error instanceof OddField)) throw error;
    return { name, skipped: error.message, attention: [], info: [] };
  }
}

function mapFields(source: ImportSource, name: string, fields: Fields, entry: Entry, attention: string[], info: string[]): { server?: RawServer; skipped?: string } {
  const refs = new References(name, attention);
  const server: RawServer = {};
  const type = fields.string("type") ?? fields.string("transport");
  const command = fields.string("command");
  const url = fields.string("url") ?? fields.string("serverUrl") ?? fields.string("httpUrl");
  if (command !== undefined && command.length > 0) {
    if (looksSecret(command)) return { skipped: "'command' holds a secret-looking value" };
    server.command = command;
    const args = fields.strings("args");
    if (args && args.length > 0) server.args = mapArgs(args.map((a) => convertVariables(a, source)), refs);
    const cwd = fields.string("cwd");
    if (cwd !== undefined) {
      if (looksSecret(cwd)) return { skipped: "'cwd' holds a secret-looking value" };
      server.cwd = convertVariables(cwd, source);
    }
    mapEnv(fields.table("env")?.map(([k, v]) => [k, convertVariables(v, source)]), server, attention);
    const envVars = fields.strings("env_vars");
    if (envVars) server.env_vars = [...new Set([...(server.env_vars ?? []), ...envVars])];
  } else if (url !== undefined && url.length > 0) {
    server.url = mapUrl(convertVariables(url, source), refs);
    // tether reaches legacy SSE servers through the same url (it falls back on its own). Gemini
    // CLI's `url` is SSE unless `type` says otherwise; its `httpUrl` is streamable HTTP.
    const sse = type === "sse" || (source === "gemini" && entry.url !== undefined && entry.httpUrl === undefined && type !== "http" && type !== "streamable-http");
    if (sse) info.push("legacy SSE server: tether falls back to HTTP+SSE on its own");
    const headers = fields.table("headers") ?? fields.table("http_headers");
    mapHeaders(headers?.map(([k, v]) => [k, convertVariables(v, source)]), server, refs, attention);
    const bearer = fields.string("bearer_token_env_var");
    if (bearer !== undefined) server.bearer_token_env_var = bearer;
    for (const [header, variable] of fields.table("env_http_headers") ?? []) {
      if (PROTOTYPE_KEYS.has(header) || !HEADER_NAME.test(header)) attention.push(`env_http_headers: header ${JSON.stringify(header)} not imported (not a header name)`);
      else (server.env_http_headers ??= {})[header] = variable;
    }
    if (fields.string("bearer_token") !== undefined) server.bearer_token_env_var = refs.variable("token", "the bearer token");
    if (fields.has("env")) {
      fields.table("env");
      attention.push("env is ignored for an HTTP server");
    }
  } else {
    return { skipped: "no command or url" };
  }

  mapTimeouts(source, fields, server);
  mapToolLists(fields, server);
  const disabled = fields.boolean("disabled");
  const enabled = fields.boolean("enabled");
  if (disabled === true || enabled === false) server.enabled = false;
  // Codex's keys, which are tether's: copied as they are; a wrong type fails validation (a reason too).
  for (const key of ["required", "oauth_client_id", "oauth_client_secret_env_var", "oauth_scopes", "scopes", "oauth_resource"] as const) {
    if (fields.has(key)) (server as Record<string, unknown>)[key] = entry[key];
    fields.seen.add(key);
  }
  if (source === "gemini" && fields.boolean("trust") === true) attention.push("trust = true (Gemini's skip-confirmation) is not imported; use approve_tools");
  if (fields.has("envFile")) attention.push("envFile is not imported; list the variables in env_vars");
  fields.seen.add("envFile");
  // Gemini/Claude per-server OAuth blocks: tether discovers OAuth on its own.
  if (fields.has("oauth")) attention.push("oauth settings are not imported; run: tether mcp login " + name);
  fields.seen.add("oauth");

  const unknown = Object.keys(entry).filter((k) => !fields.seen.has(k) && !HARMLESS[source].includes(k));
  if (unknown.length > 0) attention.push(`not imported: ${unknown.map((k) => JSON.stringify(k).slice(1, -1)).join(", ")}`);
  const misplaced = misplacedSecret(server);
  return misplaced ? { skipped: `'${misplaced}' should name an environment variable but holds a secret-looking value` } : { server };
}

/** A setting copied as it is that names an environment variable, holding a token instead. */
function misplacedSecret(server: RawServer): string | undefined {
  const names: [string, string | undefined][] = [
    ["bearer_token_env_var", server.bearer_token_env_var],
    ["oauth_client_secret_env_var", server.oauth_client_secret_env_var],
    ...(server.env_vars ?? []).map((v): [string, string] => ["env_vars", v]),
    ...Object.entries(server.env_http_headers ?? {}).map(([header, v]): [string, string] => [`env_http_headers.${header}`, v]),
  ];
  return names.find(([, value]) => typeof value === "string" && looksSecret(value))?.[0];
}

function mapTimeouts(source: ImportSource, fields: Fields, server: RawServer): void {
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 100) / 10);
  // Gemini's `timeout` is the request timeout in milliseconds.
  const geminiTimeout = source === "gemini" ? fields.number("timeout") : undefined;
  if (geminiTimeout !== undefined) server.tool_timeout_sec = seconds(geminiTimeout);
  for (const key of ["startup_timeout_sec", "tool_timeout_sec", "tool_max_total_timeout_sec"] as const) {
    const value = fields.number(key);
    if (value !== undefined) server[key] = value;
  }
  const startupMs = fields.number("startup_timeout_ms");
  if (startupMs !== undefined) server.startup_timeout_sec ??= seconds(startupMs);
}

function mapToolLists(fields: Fields, server: RawServer): void {
  const list = (...keys: string[]) => {
    let found: string[] | undefined;
    for (const key of keys) found ??= fields.strings(key);
    return found;
  };
  const enabled = list("enabled_tools", "includeTools");
  const disabled = list("disabled_tools", "excludeTools", "disabledTools");
  if (enabled) server.enabled_tools = enabled;
  if (disabled) server.disabled_tools = disabled;
  // Claude Code / Cursor's autoApprove lists: tools that run without asking.
  const approve = list("approve_tools", "autoApprove", "alwaysAllow");
  if (approve) server.approve_tools = approve;
}
