// The server-entry operations behind `mcp add | remove | list | get`.
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { removeServerFromSource, upsertServerInSource } from "./edit.ts";
import { parseConfigSource } from "./load.ts";
import { normalizeServer } from "./normalize.ts";
import type { RawServer } from "./schema.ts";
import type { ServerConfig } from "./types.ts";
import { updateConfigFile } from "./write.ts";

export interface AddServerOptions {
  name: string;
  server: RawServer;
  force: boolean;
}

export interface AddServerResult {
  server: ServerConfig;
  replaced: boolean;
  path: string;
}

/** Adds a server entry; the same rules as config.toml, reported as usage errors. */
export async function addServer(ctx: Context, options: AddServerOptions): Promise<AddServerResult> {
  const { findServerProblem } = await import("./validate.ts");
  const problem = findServerProblem(options.name, options.server);
  if (problem) throw new UsageError(problem.message, { hint: problem.hint });
  const replaced = await updateConfigFile(ctx, (source) => {
    const names = Object.keys(parseConfigSource(source, ctx.paths.config).mcp_servers ?? {});
    const exists = names.includes(options.name);
    if (exists && !options.force) {
      throw new UsageError(`server "${options.name}" already exists in ${ctx.paths.config}`, {
        hint: `use --force to replace it, or: tether mcp remove ${options.name}`,
      });
    }
    return { source: upsertServerInSource(source, options.name, options.server), result: exists };
  });
  return { server: normalizeServer(options.name, options.server), replaced, path: ctx.paths.config };
}

/** Removes a server entry and returns what it was. */
export async function removeServer(ctx: Context, name: string): Promise<ServerConfig> {
  return updateConfigFile(ctx, (source) => {
    const raw = parseConfigSource(source, ctx.paths.config);
    const server = raw.mcp_servers?.[name];
    if (!server) throw unknownServer(name, Object.keys(raw.mcp_servers ?? {}), ctx.paths.config);
    return { source: removeServerFromSource(source, name), result: normalizeServer(name, server) };
  });
}

export async function listServers(ctx: Context): Promise<ServerConfig[]> {
  return (await ctx.config()).config.servers;
}

export async function getServer(ctx: Context, name: string): Promise<ServerConfig> {
  const servers = await listServers(ctx);
  const server = servers.find((s) => s.name === name);
  if (!server) throw unknownServer(name, servers.map((s) => s.name), ctx.paths.config);
  return server;
}

export function unknownServer(name: string, known: string[], path: string): UsageError {
  return new UsageError(`no server named "${name}" in ${path}`, {
    hint: known.length > 0 ? `servers: ${known.join(", ")}` : "no servers are configured; add one with: tether mcp add NAME -- COMMAND",
  });
}
