// The MCP work behind `mcp tools` and `mcp call`: open one configured server, find a tool,
// coerce arguments from the command line and call it.
import type { Context } from "../context.ts";
import { disabledServer, getServer } from "../config/servers.ts";
import type { ServerConfig } from "../config/types.ts";
import type { CallProgress, McpConnection } from "./connect.ts";
import { readArgumentInput } from "./argument-files.ts";
import { rememberNames } from "./name-cache.ts";
import { callWithFreshSchema, type ToolCallOutcome } from "./stale-schema.ts";

/**
 * Connects to the named server; a disabled server is a usage error (enable it first). Its tool
 * names go to the completion cache; `rememberTools: false` when the caller records them itself,
 * with the names it lists next, so a command writes the cache once.
 */
export async function openServer(
  ctx: Context,
  name: ServerRef,
  options: { rememberTools?: boolean; lists?: "cache" | "server"; keepAlive?: boolean } = {},
): Promise<McpConnection> {
  // A ServerConfig is one already resolved (an ad-hoc server: src/config/adhoc.ts).
  const server = typeof name === "string" ? await getServer(ctx, name) : name;
  if (!server.enabled) throw disabledServer(server.name);
  // keep_alive (or --keep-alive; --no-keep-alive wins over the config): the server runs in the
  // daemon. connect.ts (and with it the MCP SDK) loads only when tether connects itself.
  const connection =
    (options.keepAlive ?? server.keepAlive)
      ? await openKeptAlive(ctx, server)
      : await (await import("./connect.ts")).connectServer(ctx, server, { lists: options.lists });
  if (options.rememberTools ?? true) rememberNames(ctx, server, { tools: connection.tools.map((t) => t.name) });
  return connection;
}

/** A configured server's name, or the server itself. */
export type ServerRef = string | ServerConfig;

export interface ToolCallRequest {
  server: ServerRef;
  tool: string;
  /** `--arg k=v` pairs, in order (`k=@PATH` / `k=@-` read a file / stdin). */
  args: string[];
  /** JSON, `@PATH` or `-` (stdin). */
  argsJson?: string;
  /** --keep-alive / --no-keep-alive; undefined follows the server's keep_alive. */
  keepAlive?: boolean;
}

/**
 * Calls a tool with the tool list from the cache when it is fresh (no tools/list first); a list
 * that turns out stale (the tool is missing, or the server refuses the call as if its schema had
 * changed) is listed again and the call made once more (stale-schema.ts).
 */
export async function callServerTool(ctx: Context, request: ToolCallRequest, onProgress?: (update: CallProgress) => void): Promise<ToolCallOutcome> {
  // Files and stdin first: a missing file must not cost a server start.
  const input = await readArgumentInput(ctx, request);
  const connection = await openServer(ctx, request.server, { lists: "cache", keepAlive: request.keepAlive });
  return callWithFreshSchema(connection, request.tool, input, (tool, args) => connection.callTool(tool.name, args, { onProgress }));
}

/** Loaded only for keep-alive servers: the daemon's client stays off every other command's path. */
async function openKeptAlive(ctx: Context, server: ServerConfig): Promise<McpConnection> {
  return (await import("../daemon/remote.ts")).openKeptAlive(ctx, server);
}
