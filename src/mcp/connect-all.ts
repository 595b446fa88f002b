// Connects to many servers at once: exec's real connection path, and the health probe of list --status and doctor; one server's failure
// never affects another's report.
import type { Context } from "../context.ts";
import type { ServerConfig } from "../config/types.ts";
import { TetherError } from "../errors.ts";
import type { ConnectOptions, McpConnection } from "./connect.ts";
import { rememberNames } from "./name-cache.ts";

export type ProbeResult =
  | { server: ServerConfig; status: "disabled" }
  | { server: ServerConfig; status: "ok"; connection: McpConnection }
  | { server: ServerConfig; status: "error"; error: TetherError; latencyMs: number };

/**
 * Connects to every enabled server at once; keeps connections open for the caller. `options`: what exec listens for (list changes).
 * `keepAlive` (exec): keep_alive servers are used through the keep-alive daemon; a probe (doctor, list --status) connects itself.
 */
export async function connectAll(
  ctx: Context,
  servers: ServerConfig[],
  options?: (server: ServerConfig) => ConnectOptions,
  { keepAlive = false }: { keepAlive?: boolean } = {},
): Promise<ProbeResult[]> {
  return Promise.all(servers.map((server) => probeOne(ctx, server, options?.(server), keepAlive && server.keepAlive === true)));
}

async function probeOne(ctx: Context, server: ServerConfig, options?: ConnectOptions, keptAlive = false): Promise<ProbeResult> {
  if (!server.enabled) return { server, status: "disabled" };
  const started = performance.now();
  try {
    // connect.ts and errors.ts load the MCP SDK: an exec whose servers all run in the keep-alive
    // daemon does without it (as operations.ts's openServer does).
    const connection = keptAlive
      ? await (await import("../daemon/remote.ts")).openKeptAlive(ctx, server)
      : await (await import("./connect.ts")).connectServer(ctx, server, options);
    rememberNames(ctx, server, { tools: connection.tools.map((t) => t.name) });
    return { server, status: "ok", connection };
  } catch (error) {
    // Ours already (the daemon's errors are); anything else is described as a connection failure.
    const described = error instanceof TetherError ? error : (await import("./errors.ts")).describeConnectError(server, error, []);
    return { server, status: "error", error: described, latencyMs: performance.now() - started };
  }
}

/** Probes and closes: for `list --status` and `doctor`. */
export async function probeServers(ctx: Context, servers: ServerConfig[]): Promise<ProbeResult[]> {
  const results = await connectAll(ctx, servers);
  await Promise.all(results.map((r) => (r.status === "ok" ? r.connection.close() : undefined)));
  return results;
}
