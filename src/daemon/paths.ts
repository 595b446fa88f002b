// Where one config file's keep-alive daemon keeps its files: a 0700 directory under $TETHER_HOME
// holding the socket, the metadata (pid), the start lock and the log. One daemon per config file:
// the key is a digest of the config's absolute path. Reading the metadata and removing what a
// daemon leaves are here too, for the command's side and the daemon's alike.
import { chmodSync, lstatSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "../context.ts";
import { ConfigError } from "../errors.ts";
import { DAEMON_DIR, daemonKey, MAX_SOCKET_PATH_BYTES, socketFileName } from "./key.ts";



export interface DaemonFiles {
  key: string;
  /** $TETHER_HOME/daemon (0700): metadata, lock and log. */
  dir: string;
  /** The Unix socket (or a Windows named pipe). */
  socket: string;
  /** `{pid, socket, config, …}` of the daemon that owns the socket (0600). */
  meta: string;
  /** Held while one command starts the daemon, so two never start two. */
  lock: string;
  log: string;
}

/** What the daemon writes to `meta` once it listens. */
export interface DaemonMeta {
  pid: number;
  socket: string;
  config: string;
  version: string;
  protocol: number;
  startedAt: number;
}

/** The metadata of the daemon that owns the socket, or undefined when there is none (or it is unreadable). */
export function readMeta(files: DaemonFiles): DaemonMeta | undefined {
  try {
    const meta = JSON.parse(readFileSync(files.meta, "utf8")) as DaemonMeta;
    return typeof meta.pid === "number" ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the metadata and the socket file (a Windows named pipe leaves no file). */
export function removeDaemonFiles(files: DaemonFiles): void {
  rmSync(files.meta, { force: true });
  if (process.platform !== "win32") rmSync(files.socket, { force: true });
}


export function daemonFiles(ctx: Pick<Context, "paths" | "env">, platform: NodeJS.Platform = process.platform): DaemonFiles {
  const key = daemonKey(ctx.paths.config);
  const dir = join(ctx.paths.home, DAEMON_DIR);
  return {
    key,
    dir,
    socket: socketPath(ctx, dir, key, platform),
    meta: join(dir, `${key}.json`),
    lock: join(dir, `${key}.lock`),
    log: join(dir, `${key}.log`),
  };
}

function socketPath(ctx: Pick<Context, "env">, dir: string, key: string, platform: NodeJS.Platform): string {
  if (platform === "win32") return `\\\\.\\pipe\\tether-${key}`;
  const preferred = join(dir, socketFileName(key));
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred;
  // Too long to bind (a deep $TETHER_HOME): a short private directory instead.
  const uid = process.getuid?.() ?? 0;
  const runtime = ctx.env.XDG_RUNTIME_DIR;
  const base = runtime && Buffer.byteLength(join(runtime, "tether", `${key}.sock`)) <= MAX_SOCKET_PATH_BYTES ? join(runtime, "tether") : `/tmp/tether-${uid}`;
  return join(base, socketFileName(key));
}

/**
 * Creates `dir` 0700 and checks it is a directory of this user's that nobody else can enter: the
 * socket inside answers anyone who can reach it, and runs servers with the caller's environment.
 * A directory with a looser mode is tightened when it is ours; one owned by someone else is refused.
 */
export function ensureOwnDir(dir: string): void {
  if (process.platform === "win32") return void mkdirSync(dir, { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new ConfigError(`${dir} is not a directory owned by this user; tether will not put its keep-alive socket there`, {
      hint: "remove it, or point $TETHER_HOME (or $XDG_RUNTIME_DIR) elsewhere",
    });
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
