// Reading server entries (`mcp list | get`, and every command that opens a server). Writing them is
// in ./server-edits.ts, so a read never loads the format-preserving editor.
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import type { ServerConfig, TetherConfig } from "./types.ts";

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

/** A server that is configured but turned off; `flag` names the option that asked for it (`--mcp-prompt`). */
export function disabledServer(name: string, flag?: string): UsageError {
  return new UsageError(`${flag ? `${flag}: ` : ""}server "${name}" is disabled`, { hint: `set enabled = true under [mcp_servers.${name}] in config.toml` });
}

/**
 * `auto_approve_read_only` as it applies to this server: its own setting, else the top level's.
 * The server decides which of its tools are read-only (the readOnlyHint annotation).
 */
export function autoApprovesReadOnly(server: ServerConfig | undefined, config: Pick<TetherConfig, "autoApproveReadOnly">): boolean {
  return server?.autoApproveReadOnly ?? config.autoApproveReadOnly;
}
