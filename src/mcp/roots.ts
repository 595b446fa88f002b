// The roots tether offers a server (roots/list): `--root DIR` for one run, else the server's
// `roots`, else the top-level `roots`, else the directory tether was started in. Paths in
// config.toml are relative to the config file's directory (a config means the same from any
// directory); `--root` paths are relative to the current directory, as shell arguments are.
// `~` and `~/…` are the user's home in both.
import { basename, dirname, isAbsolute, resolve } from "node:path";
import type { Root } from "@modelcontextprotocol/client";
import type { ServerConfig, TetherConfig } from "../config/types.ts";
import type { Context } from "../context.ts";

/** The roots for `server`; `flagRoots` are the run's `--root` values (they win over config). */
export function rootsFor(
  ctx: Pick<Context, "cwd" | "paths">,
  server: ServerConfig,
  config: Pick<TetherConfig, "roots">,
  flagRoots: readonly string[],
): Root[] {
  if (flagRoots.length > 0) return flagRoots.map((dir) => toRoot(resolveRootPath(dir, ctx.cwd, ctx.paths.userHome)));
  const configured = server.roots ?? config.roots;
  if (configured) return configured.map((dir) => toRoot(resolveRootPath(dir, dirname(ctx.paths.config), ctx.paths.userHome)));
  return [toRoot(ctx.cwd)];
}

function resolveRootPath(dir: string, base: string, home: string): string {
  if (dir === "~" || dir.startsWith("~/")) return resolve(home, dir.slice(2));
  return isAbsolute(dir) ? resolve(dir) : resolve(base, dir);
}

function toRoot(path: string): Root {
  return { uri: Bun.pathToFileURL(path).href, name: basename(path) || path };
}
