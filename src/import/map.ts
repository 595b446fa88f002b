// One server entry of another app → a `[mcp_servers.NAME]` table, pure. Secrets are never copied
// (./secrets.ts says what looks like one): each becomes a reference to an environment variable
// (env_vars, bearer_token_env_var, env_http_headers, or `${VAR}` in args and the url) and a note
// naming the variable to set. A field of the wrong type skips the entry with a reason; fields
// tether has no place for are reported, not dropped.
import { SERVER_NAME_PATTERN } from "../config/names.ts";
import type { RawServer } from "../config/schema.ts";
import { isPlainlyHarmless, isReference, isSecretName, isSecretQueryValue, looksSecret } from "./secrets.ts";
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

/** Keys that name an object's prototype in JavaScript: never a setting, never copied. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `NAME_WHAT` in the shape of an environment variable (`${…}` needs a leading letter or `_`). */
export function envVarFor(server: string, what: string): string {
  const name = `${server}_${what}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[0-9]/.test(name) ? `_${name}` : name;
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

/** A field of the wrong type: the entry is skipped with this reason. */
class OddField extends Error {}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a table" : `a ${typeof value}`;
}

/** Reads an entry's fields by type, remembering which it looked at. */
class Fields {
  readonly seen = new Set<string>();
  constructor(private readonly entry: Entry) {}

  has(key: string): boolean {
    return this.entry[key] !== undefined;
  }

  private get(key: string): unknown {
    this.seen.add(key);
    return this.entry[key];
  }

  private odd(key: string, want: string, got: unknown): never {
    throw new OddField(`'${key}' must be ${want}, got ${kindOf(got)}`);
  }

  string(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === "string") return value;
    return this.odd(key, "a string", value);
  }

  number(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined || (typeof value === "number" && Number.isFinite(value))) return value;
    return this.odd(key, "a number", value);
  }

  boolean(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === "boolean") return value;
    return this.odd(key, "true or false", value);
  }

  /** A list of strings; numbers and booleans are taken as their text (`"--port", 8080`). */
  strings(key: string): string[] | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.odd(key, "a list of strings", value);
    const bad = value.find((item) => !isScalar(item));
    if (bad !== undefined) return this.odd(key, "a list of strings", `a list holding ${kindOf(bad)}`);
    return value.map(String);
  }

  /** A table of strings (env, headers); numbers and booleans are taken as their text. */
  table(key: string): [string, string][] | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return this.odd(key, "a table of strings", value);
    const entries = Object.entries(value);
    const bad = entries.find(([, item]) => !isScalar(item));
    if (bad) throw new OddField(`'${key}.${bad[0]}' must be a string, got ${kindOf(bad[1])}`);
    return entries.map(([k, item]) => [k, String(item)]);
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean";
}

/** Where a server's secrets go instead of config.toml: variables named after the server, each named in a note. */
class References {
  private readonly used = new Set<string>();
  constructor(
    private readonly server: string,
    private readonly attention: string[],
  ) {}

  /** A new `NAME_WHAT` variable (made distinct within the server) with a note; returns its name. */
  variable(what: string, description: string, was?: string): string {
    const base = envVarFor(this.server, what);
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    this.attention.push(`set ${name} to ${description} (${was ? `was ${was}` : "not copied"})`);
    return name;
  }

  /** The same, as a `${VAR}` reference for a string. */
  reference(what: string, description: string, was?: string): string {
    return `\${${this.variable(what, description, was)}}`;
  }
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
  return { server };
}

/** A key that cannot be copied as it is, and why; undefined when it can. */
function oddKey(where: string, key: string, valid: boolean): string | undefined {
  if (PROTOTYPE_KEYS.has(key)) return `${where} ${JSON.stringify(key)} not imported (a reserved name)`;
  if (!valid) return `${where} ${JSON.stringify(key)} not imported (not a valid name)`;
  return undefined;
}

/**
 * Env values stay in config.toml when they are references or plainly harmless (under a name that
 * does not look secret); any other value stays behind, and tether copies the variable from its own
 * environment instead (env_vars).
 */
function mapEnv(env: [string, string][] | undefined, server: RawServer, attention: string[]): void {
  if (!env) return;
  const plain: Record<string, string> = {};
  const passThrough: string[] = [];
  for (const [key, value] of env) {
    const odd = oddKey("env key", key, key !== "" && !/[=\0]/.test(key));
    if (odd) {
      attention.push(odd);
      continue;
    }
    const variable = onlyVariable(value);
    const placeholder = unresolvable(value);
    if (variable === key) passThrough.push(key);
    else if (variable !== undefined) plain[key] = value;
    else if (placeholder || isSecretValue(key, value)) {
      passThrough.push(key);
      attention.push(placeholder ? `set ${key} (was ${placeholder})` : `set ${key} in tether's environment (secret not copied)`);
    } else plain[key] = value;
  }
  if (Object.keys(plain).length > 0) server.env = plain;
  if (passThrough.length > 0) server.env_vars = [...new Set(passThrough)];
}

/** A value under `name` (env key, header, `KEY=` of an argument) that must not be copied. */
function isSecretValue(name: string, value: string): boolean {
  if (isSecretName(name)) return !(value.includes("${") && isPlainlyHarmless(value)) && value !== "";
  return !isPlainlyHarmless(value);
}

function mapHeaders(headers: [string, string][] | undefined, server: RawServer, refs: References, attention: string[]): void {
  if (!headers) return;
  const plain: Record<string, string> = {};
  const fromEnv: Record<string, string> = {};
  for (const [header, value] of headers) {
    const odd = oddKey("header", header, HEADER_NAME.test(header));
    if (odd) {
      attention.push(odd);
      continue;
    }
    if (header.toLowerCase() === "authorization") {
      const bearer = /^Bearer\s+(.*)$/i.exec(value)?.[1]?.trim();
      if (bearer !== undefined) {
        server.bearer_token_env_var = onlyVariable(bearer) ?? refs.variable("token", "the bearer token", unresolvable(bearer));
        continue;
      }
    }
    const variable = onlyVariable(value);
    const placeholder = unresolvable(value);
    if (variable) fromEnv[header] = variable;
    else if (placeholder || isSecretValue(header, value)) fromEnv[header] = refs.variable(header, `the ${header} header value`, placeholder);
    else plain[header] = value;
  }
  if (Object.keys(plain).length > 0) server.http_headers = plain;
  if (Object.keys(fromEnv).length > 0) server.env_http_headers = fromEnv;
}

/**
 * Arguments: the value after a secret-named flag (`--api-key X`, `--token=X`), a `KEY=value`
 * whose value is not plainly harmless, and any secret-looking value become `${NAME_…}` references,
 * which tether expands from its environment when it starts the server.
 */
function mapArgs(args: string[], refs: References): string[] {
  const out: string[] = [];
  let flag: string | undefined;
  for (const [i, arg] of args.entries()) {
    const after = flag;
    flag = undefined;
    const placeholder = unresolvable(arg);
    const flagValue = /^(--?[A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s.exec(arg);
    const pair = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s.exec(arg);
    if (flagValue) {
      const [, name, value] = flagValue as unknown as [string, string, string];
      const secret = unresolvable(value) || (isSecretName(name) ? !isReference(value) && value !== "" : looksSecret(value));
      out.push(secret ? `${name}=${refs.reference(name, `the ${name} argument`, unresolvable(value))}` : arg);
    } else if (/^--?[A-Za-z]/.test(arg)) {
      if (isSecretName(arg)) flag = arg;
      out.push(arg);
    } else if (pair && !placeholder) {
      const [, key, value] = pair as unknown as [string, string, string];
      out.push(isSecretValue(key, value) ? `${key}=${refs.reference(key, `the ${key}= argument`)}` : arg);
    } else if (after !== undefined && !isReference(arg)) {
      out.push(refs.reference(after, `the ${after} argument`, placeholder));
    } else if (placeholder || looksSecret(arg)) {
      const what = after ?? `arg ${i + 1}`;
      out.push(refs.reference(what, `argument ${i + 1}`, placeholder));
    } else out.push(arg);
  }
  return out;
}

/**
 * A URL's user:password (a user name only when it looks like a token) and its query values
 * become `${NAME_…}` references; the rest of the URL is kept as written.
 */
function mapUrl(url: string, refs: References): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    const password = colon < 0 ? undefined : userinfo.slice(colon + 1);
    const keptUser = user === "" || isReference(decode(user)) || !looksSecret(decode(user)) ? user : refs.reference("url user", "the URL's user name, percent-encoded");
    const keptPassword = password === undefined || password === "" || isReference(decode(password)) ? password : refs.reference("url password", "the URL's password, percent-encoded");
    return `${scheme}${keptUser}${keptPassword === undefined ? "" : `:${keptPassword}`}@`;
  });
  const query = /^([^?#]*\?)([^#]*)(#.*)?$/s.exec(out);
  if (query) {
    const pairs = query[2]!.split("&").map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const key = pair.slice(0, eq);
      const value = decode(pair.slice(eq + 1));
      if (!isSecretQueryValue(decode(key), value)) return pair;
      return `${key}=${refs.reference(decode(key), `the URL's ${decode(key)} query value, percent-encoded`)}`;
    });
    out = query[1]! + pairs.join("&") + (query[3] ?? "");
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
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
