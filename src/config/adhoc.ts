// Servers that are not in config.toml: `--stdio "CMD ARGS"`, `--url URL`, or an http(s) URL in place
// of NAME, on every command that opens a server. They become the same ServerConfig an entry would
// (the same checks, the same defaults), and with `--save NAME` they are written as that entry, the
// way `mcp add` writes it. A plain NAME still means a configured server, and only that.
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { quoteWord, splitCommandLine } from "./command-line.ts";
import { displayUrl } from "./describe.ts";
import { isLoopbackHost, SERVER_NAME_PATTERN } from "./names.ts";
import { normalizeServer } from "./normalize.ts";
import type { RawServer } from "./schema.ts";
import { disabledServer, listServers, unknownServer } from "./servers.ts";
import type { ServerConfig } from "./types.ts";

/** What a command line says about its one server (flags as given; checked by resolveServerTarget). */
export interface ServerTarget {
  /** The NAME positional: a configured server's name, or an http(s) URL. */
  name?: string;
  /** `--stdio "CMD ARGS"`, split like a shell would, never run through one. */
  stdio?: string;
  url?: string;
  /** `--header 'K: V'`, in order. */
  headers: string[];
  bearerTokenEnvVar?: string;
  /** `--env K=V`, in order (stdio). */
  env: string[];
  /** `--save NAME`: write the ad-hoc server to config.toml under this name, then use it by that name. */
  save?: string;
}

export interface ResolvedServer {
  server: ServerConfig;
  /** True when the server came from the command line rather than config.toml. */
  adHoc: boolean;
  /** How a command line reaches this server again: its NAME, its URL, or `--stdio '…'` (for hints). */
  ref: string;
  /** The config file an ad-hoc server was just written to (`--save`). */
  savedTo?: string;
}

/** True for a NAME that is really an ad-hoc server's URL. */
function isServerUrl(name: string): boolean {
  return /^https?:\/\//i.test(name);
}

/** True when the command line says nothing about a server (`mcp doctor` then checks every one); `--save` or `--env` alone is not nothing. */
export function isEmptyTarget(target: ServerTarget): boolean {
  const { name, stdio, url, save, bearerTokenEnvVar, headers, env } = target;
  return [name, stdio, url, save, bearerTokenEnvVar].every((v) => v === undefined) && headers.length === 0 && env.length === 0;
}

/**
 * The server a command works on. A configured NAME is looked up as always; `--stdio`, `--url` or a
 * URL make an ad-hoc server, named as adHocServerName says unless `--save NAME` gives it a name (and
 * writes it, before connecting, exactly as `mcp add NAME` would).
 */
export async function resolveServerTarget(ctx: Context, target: ServerTarget): Promise<ResolvedServer> {
  checkTarget(target);
  const adHoc = target.stdio !== undefined || target.url !== undefined || (target.name !== undefined && isServerUrl(target.name));
  if (!adHoc) return { server: await configuredServer(ctx, target.name!), adHoc: false, ref: target.name! };
  const raw = adHocRawServer(target);
  const ref = target.stdio !== undefined ? `--stdio ${quoteWord(target.stdio)}` : displayUrl(raw.url!);
  if (target.save === undefined) {
    const server = await checkedServer(adHocServerName(raw), raw);
    return { server, adHoc: true, ref };
  }
  const { addServer } = await import("./server-edits.ts");
  if ((await listServers(ctx)).some((s) => s.name === target.save)) {
    throw new UsageError(`--save: server "${target.save}" already exists in ${ctx.paths.config}`, {
      hint: `pick another name, or use it as it is: tether mcp tools ${target.save}`,
    });
  }
  const saved = await addServer(ctx, { name: target.save, server: raw, force: false });
  return { server: saved.server, adHoc: false, ref: target.save, savedTo: saved.path };
}

/** The flag combinations that cannot mean anything, as usage errors naming both sides. */
function checkTarget(target: ServerTarget): void {
  const { name, stdio, url } = target;
  if (stdio !== undefined && url !== undefined) {
    throw new UsageError("--stdio and --url cannot be used together: a server is either a command to start or a URL", {
      hint: 'use --stdio "CMD ARGS" for a local server, --url URL for an HTTP one',
    });
  }
  const flag = stdio !== undefined ? "--stdio" : url !== undefined ? "--url" : undefined;
  if (flag && name !== undefined) {
    throw new UsageError(`${flag} and the server ${JSON.stringify(name)} cannot be used together: give one server`, {
      hint: isServerUrl(name) ? `a URL in place of NAME already is an ad-hoc server; leave out ${flag}` : `leave out ${flag} to use the configured "${name}", or leave out the name`,
    });
  }
  if (name === undefined && !flag) {
    throw new UsageError("no server given: name a configured server, or give one ad hoc", {
      hint: 'NAME, a URL (https://…), --url URL, or --stdio "CMD ARGS"',
    });
  }
  const isUrl = url !== undefined || (name !== undefined && isServerUrl(name));
  if (target.env.length > 0 && stdio === undefined) {
    throw new UsageError("--env is for a server started with --stdio", {
      hint: isUrl ? "an HTTP server gets headers: --header 'K: V'" : `set a configured server's environment under [mcp_servers.${name}] env`,
    });
  }
  const httpFlag = target.headers.length > 0 ? "--header" : target.bearerTokenEnvVar !== undefined ? "--bearer-token-env-var" : undefined;
  if (httpFlag && !isUrl) {
    throw new UsageError(`${httpFlag} is for a server given by URL (--url URL, or a URL in place of NAME)`, {
      hint: stdio !== undefined ? "a --stdio server gets environment variables: --env K=V" : `set a configured server's headers under [mcp_servers.${name}]`,
    });
  }
  if (target.save !== undefined && !isUrl && stdio === undefined) {
    throw new UsageError(`--save is for a server given ad hoc; "${name}" is already configured`, {
      hint: 'use it with --stdio "CMD ARGS", --url URL or a URL in place of NAME',
    });
  }
}

/** The entry `mcp add` would write for these flags. */
function adHocRawServer(target: ServerTarget): RawServer {
  const raw: RawServer = {};
  if (target.stdio !== undefined) {
    const words = splitCommandLine(target.stdio);
    if (words.length === 0) throw new UsageError("--stdio needs a command", { hint: 'e.g. --stdio "npx -y @modelcontextprotocol/server-everything"' });
    raw.command = words[0];
    if (words.length > 1) raw.args = words.slice(1);
    if (target.env.length > 0) raw.env = Object.fromEntries(target.env.map(parseEnvPair));
    return raw;
  }
  raw.url = target.url ?? target.name!;
  if (target.bearerTokenEnvVar !== undefined) raw.bearer_token_env_var = target.bearerTokenEnvVar;
  if (target.headers.length > 0) raw.http_headers = Object.fromEntries(target.headers.map(parseHeader));
  return raw;
}

/** The same rules as an entry in config.toml (a bad URL, a token over plain http), as usage errors. */
async function checkedServer(name: string, raw: RawServer): Promise<ServerConfig> {
  (await import("./validate.ts")).checkServerEntry(name, raw);
  return normalizeServer(name, raw);
}

/** A configured server; an unknown name that looks like a host gets told how to use it ad hoc. */
async function configuredServer(ctx: Context, name: string): Promise<ServerConfig> {
  const servers = await listServers(ctx);
  const server = servers.find((s) => s.name === name);
  if (server) return server;
  if (!SERVER_NAME_PATTERN.test(name) && /^[A-Za-z0-9.[\]-]+(:\d{1,5})?(\/\S*)?$/.test(name) && /[.:/]/.test(name)) {
    const host = name.split(/[/]/)[0]!.replace(/:\d+$/, "");
    const scheme = isLoopbackHost(host) ? "http" : "https";
    throw new UsageError(`no server named "${name}" in ${ctx.paths.config}`, {
      hint: `to reach it without configuring it, give the URL with its scheme: ${scheme}://${name}`,
    });
  }
  throw unknownServer(name, servers.map((s) => s.name), ctx.paths.config);
}

/** Commands that only start something else: the server is named after what they start. */
const LAUNCHERS = new Set(["npx", "bunx", "pnpx", "uvx", "pipx", "uv", "pnpm", "yarn", "npm", "bun", "deno", "node", "python", "python3", "docker", "podman", "java", "ruby", "go", "cargo", "dotnet"]);
/** Words of a launcher that say how, not what: `uv run`, `pnpm dlx`, `docker run`. */
const LAUNCHER_VERBS = new Set(["run", "exec", "dlx", "x", "tool", "start"]);
const SCRIPT_EXTENSIONS = /\.(m?js|cjs|ts|mts|py|rb|jar|exe|sh|cmd|bat)$/i;

/**
 * The name an ad-hoc server goes by in output, hints and caches: an HTTP server's host (and port),
 * a stdio server's program, or for a launcher (npx, uvx, docker, node, …) what it launches:
 * `npx -y @acme/docs-mcp@1.2` → `docs-mcp`, `https://mcp.linear.app/mcp` → `mcp-linear-app`.
 * Always a valid server name (1-64 of [A-Za-z0-9_-]). Credentials are stored under it and the URL,
 * so `mcp login URL` and a later `mcp call URL …` find the same login.
 */
export function adHocServerName(raw: RawServer): string {
  if (raw.url !== undefined) {
    let host = raw.url;
    try {
      const url = new URL(raw.url);
      host = url.hostname + (url.port ? `-${url.port}` : "");
    } catch {
      // checkServerEntry reports the URL itself; the name only has to be valid meanwhile.
    }
    return validName(host, "http");
  }
  const words = [raw.command ?? "", ...(raw.args ?? [])];
  let program = words[0]!;
  if (LAUNCHERS.has(baseName(program).replace(/\.exe$/i, "").toLowerCase())) {
    const launched = words.slice(1).find((w) => !w.startsWith("-") && !w.includes("=") && !LAUNCHER_VERBS.has(w));
    if (launched) program = launched.replace(/(.)@[^/@]*$/, "$1").replace(/:[^/:]*$/, "");
  }
  return validName(baseName(program).replace(SCRIPT_EXTENSIONS, ""), "stdio");
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}

function validName(text: string, fallback: string): string {
  const name = text.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");
  return name || fallback;
}

/** `K=V` of `--env` (also `mcp add --env`). */
export function parseEnvPair(pair: string): [string, string] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE (got "${pair.split("=")[0]}")`);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** `Name: value` of `--header` (also `mcp add --header`). */
export function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(":");
  if (colon <= 0) throw new UsageError(`--header expects 'Name: value' (got a value without ':')`);
  return [header.slice(0, colon).trim(), header.slice(colon + 1).trim()];
}

/**
 * exec's servers from its flags: `--mcp NAME|URL`, `--url URL` and `--stdio "CMD ARGS"`, each
 * repeatable. Given any of them, the run uses exactly those servers instead of every enabled one.
 */
export interface ServerSelection {
  mcp: string[];
  urls: string[];
  stdio: string[];
  headers: string[];
  bearerTokenEnvVar?: string;
  env: string[];
}

/** The checks that need no config (exec makes them with its other flag checks, before the model is resolved). */
export function checkServerSelection(selection: ServerSelection): void {
  const urls = [...selection.mcp.filter(isServerUrl), ...selection.urls];
  const httpFlag = selection.headers.length > 0 ? "--header" : selection.bearerTokenEnvVar !== undefined ? "--bearer-token-env-var" : undefined;
  // Headers may carry a token: they go to one server the user named, never to several.
  if (httpFlag && urls.length !== 1) {
    throw new UsageError(`${httpFlag} is for one server given by URL; this run has ${urls.length}`, {
      hint: "configure servers that need their own headers: tether mcp add NAME --url URL --header 'K: V'",
    });
  }
  if (selection.env.length > 0 && selection.stdio.length === 0) throw new UsageError("--env is for servers started with --stdio");
}

export async function selectServers(ctx: Context, selection: ServerSelection): Promise<ServerConfig[]> {
  checkServerSelection(selection);
  const urls = [...selection.mcp.filter(isServerUrl), ...selection.urls];
  const chosen: ServerConfig[] = [];
  const taken = new Set<string>();
  // Two ad-hoc servers on one host (or one named like a configured server) get -2, -3, … to tell them apart.
  const add = (server: ServerConfig) => {
    let name = server.name;
    for (let n = 2; taken.has(name); n++) name = `${server.name.slice(0, 60)}-${n}`;
    taken.add(name);
    chosen.push(name === server.name ? server : { ...server, name });
  };
  for (const name of selection.mcp.filter((m) => !isServerUrl(m))) {
    if (taken.has(name)) continue;
    const server = await configuredServer(ctx, name);
    if (!server.enabled) throw disabledServer(name, "--mcp");
    add(server);
  }
  for (const url of urls) {
    const raw = adHocRawServer({ url, headers: selection.headers, bearerTokenEnvVar: selection.bearerTokenEnvVar, env: [] });
    add(await checkedServer(adHocServerName(raw), raw));
  }
  for (const stdio of selection.stdio) {
    const raw = adHocRawServer({ stdio, headers: [], env: selection.env });
    add(await checkedServer(adHocServerName(raw), raw));
  }
  return chosen;
}
