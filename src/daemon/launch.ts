// Starts the daemon as a detached copy of this tether (`tether mcp daemon run`), its output in the
// daemon's log file. The one place that reads how this process was started (execPath, Bun.main),
// unless the run's Context names another command (Context.daemonCommand).
import { spawn } from "node:child_process";
import { closeSync, openSync, renameSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Context } from "../context.ts";
import type { DaemonFiles } from "./paths.ts";

/** The log is kept under this size: at start, a larger one becomes `<log>.1` (replacing the older one). */
export const MAX_DAEMON_LOG_BYTES = 1024 * 1024;

/**
 * The command line that runs this tether again. A compiled binary's Bun.main is a virtual
 * `/$bunfs/…` (or `B:/~BUN/…`) path that must not be passed on; from source (and in tests, where
 * Bun.main is the test file) it is bun with src/main.ts.
 */
function selfCommand(): string[] {
  const main = Bun.main;
  if (main.startsWith("/$bunfs/") || main.includes("~BUN")) return [process.execPath];
  return [process.execPath, resolve(import.meta.dir, "../main.ts")];
}

/** Spawns the daemon for `files` (detached, its own process group) and returns its pid. */
export async function launchDaemon(ctx: Context, files: DaemonFiles): Promise<{ pid: number; exited: Promise<number | null> }> {
  const [command, ...prefix] = ctx.daemonCommand ? await ctx.daemonCommand() : selfCommand();
  rotateLog(files.log);
  const log = openSync(files.log, "a", 0o600);
  try {
    const child = spawn(command!, [...prefix, "--config", ctx.paths.config, "mcp", "daemon", "run"], {
      detached: true,
      stdio: ["ignore", log, log],
      cwd: ctx.paths.home,
      // The daemon's own environment: tether's (PATH, HOME, TETHER_HOME, proxies). Each server is
      // started with the environment of the command that first needs it instead.
      // Traces (issue 23): not the trace of the command that happened to start it, which it outlives.
      env: { ...ctx.env, TRACEPARENT: undefined, TRACESTATE: undefined, TETHER_HOME: ctx.paths.home, NO_COLOR: "1" } as NodeJS.ProcessEnv,
    });
    child.unref();
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.once("error", () => resolve(-1));
    });
    return { pid: child.pid ?? -1, exited };
  } finally {
    closeSync(log);
  }
}

function rotateLog(path: string): void {
  try {
    if (statSync(path).size > MAX_DAEMON_LOG_BYTES) renameSync(path, `${path}.1`);
  } catch {
    // No log yet.
  }
}
