// One server entry of another app → a `[mcp_servers.NAME]` table, pure. Secrets are never copied:
// an inline token becomes an env-var reference (bearer_token_env_var, env_vars, env_http_headers)
// and a note saying which variable to set. Fields tether has no place for are reported, not dropped.
import { SERVER_NAME_PATTERN } from "../config/names.ts";
import type { RawServer } from "../config/schema.ts";
import type { Entry, ImportSource } from "./sources.ts";

export interface MappedServer {
  /** The name in config.toml (the app's name, made valid if it was not). */
  name: string;
  server?: RawServer;
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

/** Header names whose values are credentials. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token|x-access-token|.*token.*|.*secret.*)$/i;
/** Env names whose values are credentials. */
const SECRET_ENV = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|(^|_)PAT($|_)|(^|_)AUTH($|_))/i;
/** Values that are credentials whatever their name says. */
const SECRET_VALUE = /^(ghp_|gho_|ghs_|github_pat_|glpat-|sk-|sk_live_|xox[abpr]-|AKIA|AIza|eyJ)[A-Za-z0-9_\-.]{8,}/;

export function envVarFor(server: string, what: string): string {
  return `${server}_${what}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/** `${env:VAR}` (VS Code, Cursor, Windsurf) and `$VAR` (Gemini) → tether's `${VAR}`. */
export function convertVariables(value: string, source: ImportSource): string {
  let out = value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, "${$1}");
  if (source === "gemini") out = out.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, "${$1}");
  return out;
}

/** The one variable a value consists of (`${VAR}` after conversion), if it is only that. */
function onlyVariable(value: string): string | undefined {
  return /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1];
}

/** Placeholders of the other app tether cannot resolve (`${input:…}`, `${workspaceFolder}`, …). */
function unresolvable(value: string): string | undefined {
  return /\$\{(input:[^}]*|workspaceFolder[^}]*|userHome|cwd|fileDirname|[a-zA-Z]+:[^}]*)\}/.exec(value)?.[0];
}

export function mapServer(source: ImportSource, appName: string, entry: Entry): MappedServer {
  const attention: string[] = [];
  const info: string[] = [];
  const name = SERVER_NAME_PATTERN.test(appName) ? appName : appName.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 64) || "server";
  if (name !== appName) attention.push(`renamed from "${appName}"`);
  const seen = new Set<string>();
  const field = <T>(key: string): T | undefined => {
    seen.add(key);
    return entry[key] as T | undefined;
  };
  const server: RawServer = {};

  const type = field<string>("type") ?? field<string>("transport");
  const command = field<string>("command");
  const url = field<string>("url") ?? field<string>("serverUrl") ?? field<string>("httpUrl");
  if (typeof command === "string" && command.length > 0) {
    server.command = command;
    const args = field<unknown[]>("args");
    if (Array.isArray(args) && args.length > 0) server.args = args.map((a) => convertVariables(String(a), source));
    const cwd = field<string>("cwd");
    if (typeof cwd === "string") server.cwd = convertVariables(cwd, source);
    mapEnv(source, name, field<Record<string, unknown>>("env"), server, attention);
    for (const key of ["env_vars"]) {
      const list = field<string[]>(key);
      if (Array.isArray(list)) server.env_vars = [...new Set([...(server.env_vars ?? []), ...list])];
    }
  } else if (typeof url === "string" && url.length > 0) {
    server.url = convertVariables(url, source);
    // tether reaches legacy SSE servers through the same url (it falls back on its own).
    if (type === "sse" || (source === "gemini" && entry.url !== undefined && entry.httpUrl === undefined)) info.push("legacy SSE server: tether falls back to HTTP+SSE on its own");
    if (/[?&](token|key|api_key|apikey|access_token)=/i.test(url)) attention.push("the URL carries a credential in its query string; move it into a header or bearer_token_env_var");
    mapHeaders(source, name, field<Record<string, unknown>>("headers") ?? field<Record<string, unknown>>("http_headers"), server, attention);
    const bearer = field<string>("bearer_token_env_var");
    if (typeof bearer === "string") server.bearer_token_env_var = bearer;
    const envHeaders = field<Record<string, string>>("env_http_headers");
    if (envHeaders) server.env_http_headers = { ...server.env_http_headers, ...envHeaders };
    const inline = field<string>("bearer_token");
    if (typeof inline === "string") {
      server.bearer_token_env_var = envVarFor(name, "token");
      attention.push(`set ${server.bearer_token_env_var} to the bearer token (not copied)`);
    }
    if (entry.env !== undefined) {
      seen.add("env");
      attention.push("env is ignored for an HTTP server");
    }
  } else {
    for (const key of Object.keys(entry)) seen.add(key);
    return { name, attention: [...attention, "no command or url: not imported"], info };
  }

  mapTimeouts(source, entry, seen, server);
  mapToolLists(entry, seen, server);
  const disabled = field<boolean>("disabled");
  const enabled = field<boolean>("enabled");
  if (disabled === true || enabled === false) server.enabled = false;
  for (const key of ["required", "oauth_client_id", "oauth_client_secret_env_var", "oauth_scopes", "scopes", "oauth_resource", "approve_tools"] as const) {
    const value = field<never>(key);
    if (value !== undefined) (server as Record<string, unknown>)[key] = value;
  }
  if (source === "gemini" && field<boolean>("trust") === true) attention.push("trust = true (Gemini's skip-confirmation) is not imported; use approve_tools");
  if (field("envFile") !== undefined) attention.push("envFile is not imported; list the variables in env_vars");
  field("oauth"); // Gemini/Claude per-server OAuth blocks: tether discovers OAuth on its own.
  if (entry.oauth !== undefined) attention.push("oauth settings are not imported; run: tether mcp login " + name);

  const unknown = Object.keys(entry).filter((k) => !seen.has(k) && !HARMLESS[source].includes(k));
  if (unknown.length > 0) attention.push(`not imported: ${unknown.join(", ")}`);
  return { name, server, attention, info };
}

function mapEnv(source: ImportSource, name: string, env: Record<string, unknown> | undefined, server: RawServer, attention: string[]): void {
  if (!env) return;
  const plain: Record<string, string> = {};
  const passThrough: string[] = [];
  for (const [key, raw] of Object.entries(env)) {
    const value = convertVariables(String(raw), source);
    const variable = onlyVariable(value);
    const placeholder = unresolvable(value);
    if (variable === key) passThrough.push(key);
    else if (variable !== undefined || (value.includes("${") && !placeholder)) plain[key] = value;
    else if (placeholder || SECRET_ENV.test(key) || SECRET_VALUE.test(value)) {
      // The value stays behind: tether copies the variable from its own environment instead.
      passThrough.push(key);
      attention.push(placeholder ? `set ${key} (was ${placeholder})` : `set ${key} in tether's environment (secret not copied)`);
    } else plain[key] = value;
  }
  if (Object.keys(plain).length > 0) server.env = plain;
  if (passThrough.length > 0) server.env_vars = passThrough;
}

function mapHeaders(source: ImportSource, name: string, headers: Record<string, unknown> | undefined, server: RawServer, attention: string[]): void {
  if (!headers) return;
  const plain: Record<string, string> = {};
  const fromEnv: Record<string, string> = {};
  for (const [header, raw] of Object.entries(headers)) {
    const value = convertVariables(String(raw), source);
    if (header.toLowerCase() === "authorization") {
      const bearer = /^Bearer\s+(.*)$/i.exec(value)?.[1]?.trim();
      const variable = bearer === undefined ? undefined : onlyVariable(bearer);
      if (variable) {
        server.bearer_token_env_var = variable;
        continue;
      }
      if (bearer !== undefined) {
        server.bearer_token_env_var = envVarFor(name, "token");
        attention.push(`set ${server.bearer_token_env_var} to the bearer token (not copied)`);
        continue;
      }
    }
    const variable = onlyVariable(value);
    if (variable) fromEnv[header] = variable;
    else if (SECRET_HEADER.test(header) || SECRET_VALUE.test(value) || unresolvable(value)) {
      const envVar = envVarFor(name, header);
      fromEnv[header] = envVar;
      attention.push(`set ${envVar} to the ${header} header value (not copied)`);
    } else plain[header] = value;
  }
  if (Object.keys(plain).length > 0) server.http_headers = plain;
  if (Object.keys(fromEnv).length > 0) server.env_http_headers = fromEnv;
}

function mapTimeouts(source: ImportSource, entry: Entry, seen: Set<string>, server: RawServer): void {
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 100) / 10);
  if (source === "gemini" && typeof entry.timeout === "number") {
    // Gemini's `timeout` is the request timeout in milliseconds.
    seen.add("timeout");
    server.tool_timeout_sec = seconds(entry.timeout);
  }
  for (const key of ["startup_timeout_sec", "tool_timeout_sec", "tool_max_total_timeout_sec"] as const) {
    if (typeof entry[key] === "number") {
      seen.add(key);
      server[key] = entry[key] as number;
    }
  }
  if (typeof entry.startup_timeout_ms === "number") {
    seen.add("startup_timeout_ms");
    server.startup_timeout_sec ??= seconds(entry.startup_timeout_ms);
  }
}

function mapToolLists(entry: Entry, seen: Set<string>, server: RawServer): void {
  const list = (...keys: string[]) => {
    for (const key of keys) {
      if (Array.isArray(entry[key])) {
        seen.add(key);
        return (entry[key] as unknown[]).map(String);
      }
    }
    return undefined;
  };
  const enabled = list("enabled_tools", "includeTools");
  const disabled = list("disabled_tools", "excludeTools", "disabledTools");
  if (enabled) server.enabled_tools = enabled;
  if (disabled) server.disabled_tools = disabled;
  // Claude Code / Cursor's autoApprove lists: tools that run without asking.
  const approve = list("approve_tools", "autoApprove", "alwaysAllow");
  if (approve) server.approve_tools = approve;
}
