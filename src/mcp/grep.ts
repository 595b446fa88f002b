// `tether mcp grep`: tools, prompts and resources whose name, title or description match, across
// the enabled servers. Lists come from the list cache (list-cache.ts) while they are fresh; only the
// servers with a stale or missing list are started, all at once (connect-all.ts), each within its
// own startup_timeout_sec / tool_timeout_sec. One server's failure is reported, never fatal alone.
import type { Context } from "../context.ts";
import type { ServerConfig } from "../config/types.ts";
import { disabledServer, listServers, unknownServer } from "../config/servers.ts";
import { ConnectionError, TetherError, UsageError } from "../errors.ts";
import { isPlainObject } from "../values.ts";
import type { ListKind, McpConnection } from "./connect.ts";
import { authorizationContext, FileListCache } from "./list-cache.ts";
import { filterTools } from "./tool-filter.ts";

export type GrepKind = "tool" | "prompt" | "resource";
/** Which field matched best: the rank, name over title over description. */
export type MatchedField = "name" | "title" | "description";

export interface GrepMatch {
  server: string;
  kind: GrepKind;
  name: string;
  title?: string;
  description?: string;
  /** Resources only. */
  uri?: string;
  matched: MatchedField;
}

export interface GrepOutcome {
  matches: GrepMatch[];
  /** Servers that could not be searched, with why. */
  failures: { server: string; error: TetherError }[];
  /** Servers searched (from the cache or live), failures included. */
  searched: number;
}

export interface GrepRequest {
  pattern: string;
  /** `--servers a,b`: only these (each must exist and be enabled); default every enabled server. */
  servers?: string[];
}

const KINDS: ListKind[] = ["tools", "prompts", "resources"];
const KIND_OF: Record<ListKind, GrepKind> = { tools: "tool", prompts: "prompt", resources: "resource" };
const FIELD_RANK: Record<MatchedField, number> = { name: 0, title: 1, description: 2 };
const KIND_RANK: Record<GrepKind, number> = { tool: 0, prompt: 1, resource: 2 };

/**
 * The matcher for PATTERN: a case-insensitive substring, or, written `/…/`, a case-insensitive
 * regular expression (JavaScript syntax). An empty pattern or a broken expression is a usage error.
 */
function compilePattern(pattern: string): (text: string) => boolean {
  if (pattern.length === 0) throw new UsageError("mcp grep: PATTERN is empty", { hint: "give a word to look for, or /REGEX/" });
  if (pattern.length >= 2 && pattern.startsWith("/") && pattern.endsWith("/")) {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern.slice(1, -1), "i");
    } catch (error) {
      throw new UsageError(`mcp grep: ${pattern} is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`, {
        hint: "to search for the text itself, leave out the slashes",
      });
    }
    return (text) => regex.test(text);
  }
  const needle = pattern.toLowerCase();
  return (text) => text.toLowerCase().includes(needle);
}

export async function grepServers(ctx: Context, request: GrepRequest): Promise<GrepOutcome> {
  const test = compilePattern(request.pattern);
  const servers = await chosenServers(ctx, request.servers);
  const lists = new Map<ServerConfig, Partial<Record<ListKind, unknown[]>>>();
  const failures: GrepOutcome["failures"] = [];
  // A server to ask, with its cache as read here: the connection serves the fresh kinds from it.
  const live = new Map<ServerConfig, FileListCache>();
  for (const server of servers) {
    const store = new FileListCache(ctx, server);
    const cached = await cachedLists(ctx, server, store);
    if (cached) lists.set(server, cached);
    else live.set(server, store);
  }
  if (live.size > 0) {
    // Loaded only when some server must be asked: a warm grep never loads the SDK.
    const { connectAll } = await import("./connect-all.ts");
    const results = await connectAll(ctx, [...live.keys()], (server) => ({ lists: "cache", listCache: live.get(server) }));
    await Promise.all(
      results.map(async (result) => {
        if (result.status === "error") return void failures.push({ server: result.server.name, error: result.error });
        if (result.status !== "ok") return;
        try {
          lists.set(result.server, await listAll(result.connection));
        } catch (error) {
          failures.push({ server: result.server.name, error: asTetherError(result.server, error) });
        } finally {
          await result.connection.close();
        }
      }),
    );
  }
  const matches: GrepMatch[] = [];
  for (const server of servers) {
    const found = lists.get(server);
    if (found) matches.push(...matchLists(server, found, test));
  }
  const order = new Map(servers.map((s, i) => [s.name, i]));
  return { matches: rank(matches, request.pattern, order), failures: failures.sort((a, b) => order.get(a.server)! - order.get(b.server)!), searched: servers.length };
}

async function chosenServers(ctx: Context, names: string[] | undefined): Promise<ServerConfig[]> {
  const all = await listServers(ctx);
  if (!names) return all.filter((s) => s.enabled);
  return [...new Set(names)].map((name) => {
    const server = all.find((s) => s.name === name);
    if (!server) throw unknownServer(name, all.map((s) => s.name), ctx.paths.config);
    if (!server.enabled) throw disabledServer(name, "--servers");
    return server;
  });
}

/**
 * Every kind from the cache, or undefined when one is missing or stale (then the server is asked,
 * and the SDK still serves the fresh kinds from the cache). Private lists count only for this
 * run's authorization context, which for an HTTP server means resolving its credentials: done only
 * when the public lists do not already cover everything.
 */
async function cachedLists(ctx: Context, server: ServerConfig, store: FileListCache): Promise<Partial<Record<ListKind, unknown[]>> | undefined> {
  const attempt = (principal: string | undefined) => {
    const out: Partial<Record<ListKind, unknown[]>> = {};
    for (const kind of KINDS) {
      const found = store.freshList(kind, principal);
      if (found === undefined) return undefined;
      if (found !== "absent") out[kind] = found.items;
    }
    return out;
  };
  if (server.transport === "stdio") return attempt("");
  const shared = attempt(undefined);
  if (shared) return shared;
  try {
    const { resolveHttpAuth } = await import("./http-auth.ts");
    return attempt(await authorizationContext(await resolveHttpAuth(ctx, server)));
  } catch {
    // Whatever stopped that (a missing variable, say) will be said when the server is asked.
    return undefined;
  }
}

/** Lists every kind the server offers (fresh cached ones served by the SDK); notes the kinds it lacks. */
async function listAll(connection: McpConnection): Promise<Partial<Record<ListKind, unknown[]>>> {
  const caps = connection.capabilities();
  const [prompts, resources] = await Promise.all([
    caps?.prompts ? connection.listPrompts() : undefined,
    caps?.resources ? connection.listResources() : undefined,
  ]);
  connection.listCache?.markAbsent(KINDS.filter((kind) => !caps?.[kind]));
  return { tools: connection.tools, ...(prompts && { prompts }), ...(resources && { resources }) };
}

function asTetherError(server: ServerConfig, error: unknown): TetherError {
  if (error instanceof TetherError) return error;
  return new ConnectionError(`server "${server.name}": ${error instanceof Error ? error.message : String(error)}`);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function matchLists(server: ServerConfig, lists: Partial<Record<ListKind, unknown[]>>, test: (text: string) => boolean): GrepMatch[] {
  const matches: GrepMatch[] = [];
  for (const kind of KINDS) {
    let items = (lists[kind] ?? []).filter(isPlainObject);
    // Cached lists are the server's whole list: enabled_tools / disabled_tools apply here too.
    if (kind === "tools") items = filterTools(server, items.filter((t): t is { name: string } => typeof t.name === "string"));
    for (const item of items) {
      const name = text(item.name);
      if (!name) continue;
      const title = text(item.title);
      const description = text(item.description);
      const uri = kind === "resources" ? text(item.uri) : undefined;
      // A resource's URI is part of its name: people search for `file://` or a path.
      const matched: MatchedField | undefined =
        test(name) || (uri !== undefined && test(uri)) ? "name" : title && test(title) ? "title" : description && test(description) ? "description" : undefined;
      if (!matched) continue;
      matches.push({ server: server.name, kind: KIND_OF[kind], name, ...(title && { title }), ...(description && { description }), ...(uri && { uri }), matched });
    }
  }
  return matches;
}

/**
 * Best first: the field that matched (name, then title, then description); within a field, a name
 * equal to the pattern first; then the servers in config order, tools before prompts before
 * resources, and names alphabetically. The same lists always give the same order.
 */
function rank(matches: GrepMatch[], pattern: string, order: Map<string, number>): GrepMatch[] {
  const exact = pattern.toLowerCase();
  const key = (m: GrepMatch) => (m.name.toLowerCase() === exact ? 0 : 1);
  return matches.sort(
    (a, b) =>
      FIELD_RANK[a.matched] - FIELD_RANK[b.matched] ||
      key(a) - key(b) ||
      order.get(a.server)! - order.get(b.server)! ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
