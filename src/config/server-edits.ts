// The server-entry writes behind `mcp add | remove`, through the format-preserving editor.
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { removeServerFromSource, upsertServerInSource } from "./edit.ts";
import { parseConfigSource } from "./load.ts";
import { normalizeServer } from "./normalize.ts";
import type { RawServer } from "./schema.ts";
import { unknownServer } from "./servers.ts";
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
  (await import("./validate.ts")).checkServerEntry(options.name, options.server);
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
