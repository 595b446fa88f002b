// What decides whether the daemon's running copy of a server is still the one this command would
// start: the config entry, and what its environment resolves to in this command's environment.
// Hashed, so the values (tokens among them) never leave the command as themselves.
import { isAbsolute, resolve } from "node:path";
import type { Context } from "../context.ts";
import type { ServerConfig } from "../config/types.ts";
import { resolveHeaders, serverUrl } from "../config/expand.ts";
import { childEnvironment, launchParameters } from "../mcp/stdio-launch.ts";

/**
 * TERM says which terminal the command runs in, not how the server should run: a server started
 * from a script and used from a terminal (or the other way round) is not restarted for it.
 */
const NOT_IDENTIFYING = new Set(["TERM"]);

export function serverFingerprint(ctx: Context, server: ServerConfig): string {
  const hash = new Bun.CryptoHasher("sha256");
  hash.update(JSON.stringify(server));
  if (server.transport === "stdio") {
    const env = Object.entries(childEnvironment(ctx, server)).filter(([name]) => !NOT_IDENTIFYING.has(name));
    // A server without `cwd` starts where the first command that needs it runs; a command in another
    // directory uses it as it is (set `cwd` when the directory matters).
    hash.update(JSON.stringify([launchParameters(ctx, server), env.sort(), server.cwd === undefined ? null : stdioDirectory(ctx, server)]));
  } else {
    const env = server.bearerTokenEnvVar ? ctx.env[server.bearerTokenEnvVar] : undefined;
    hash.update(JSON.stringify([serverUrl(ctx, server).href, resolveHeaders(ctx.env, server.httpHeaders, server.envHttpHeaders, `server "${server.name}"`), env ?? null]));
  }
  return hash.digest("hex").slice(0, 32);
}

/**
 * The directory a stdio server runs in when started for this command: its `cwd` (relative ones
 * against the command's directory), else the command's directory, as when tether starts it itself.
 */
export function stdioDirectory(ctx: Context, server: ServerConfig): string | undefined {
  if (server.transport !== "stdio") return undefined;
  const cwd = launchParameters(ctx, server).cwd;
  if (cwd === undefined) return ctx.cwd;
  return isAbsolute(cwd) ? cwd : resolve(ctx.cwd, cwd);
}
