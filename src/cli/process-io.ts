// What a run learns from its own process without loading anything costly: where its files are,
// whether each standard stream is a terminal, and stdout/stderr as Bun file sinks. Shared by the
// real context (system.ts) and the thin client that hands a command to the keep-alive daemon
// (daemon-relay.ts), which must start about as fast as `--version`: loading node:fs alone costs it
// more than a millisecond, so nothing here imports it, or node:path, at the top.
import type { Env, OutputStream, Paths } from "../context.ts";

/** $TETHER_HOME (default ~/.tether), the config file (--config, else $TETHER_HOME/config.toml) and the user's home. */
export function runPaths(env: Env, configPath: string | undefined, cwd: string): Paths {
  const { join, resolve } = require("node:path") as typeof import("node:path");
  const home = userHome(env);
  const at = (path: string) => resolve(cwd, path);
  const tetherHome = env.TETHER_HOME ? at(env.TETHER_HOME) : join(home, ".tether");
  return { home: tetherHome, config: configPath ? at(configPath) : join(tetherHome, "config.toml"), userHome: home };
}

/** HOME without node:os (which costs milliseconds at start-up); os.homedir only as a fallback. */
function userHome(env: Env): string {
  return (process.platform === "win32" ? env.USERPROFILE : env.HOME) || (require("node:os").homedir() as string);
}

/** Colour on stdout/stderr: a terminal, and neither NO_COLOR nor TERM=dumb. */
export function colorAllowed(env: Env, stdoutIsTTY: boolean): boolean {
  return stdoutIsTTY && !env.NO_COLOR && env.TERM !== "dumb";
}

/**
 * isatty without node:tty (~10 ms to load): a terminal is a character device other than
 * /dev/null. Windows consoles need the real check.
 */
export function isTerminal(fd: number): boolean {
  if (process.platform === "win32") return require("node:tty").isatty(fd) as boolean;
  const { fstatSync, statSync } = require("node:fs") as typeof import("node:fs");
  try {
    return isTerminalStat(fstatSync(fd), statSync("/dev/null"));
  } catch {
    return false;
  }
}

/** isTerminal for stdin, stdout and stderr at once, through Bun's own stat (no node:fs). */
export async function standardTerminals(): Promise<{ stdin: boolean; stdout: boolean; stderr: boolean }> {
  if (process.platform === "win32") return { stdin: isTerminal(0), stdout: isTerminal(1), stderr: isTerminal(2) };
  const stat = (file: number | string) => (typeof file === "number" ? Bun.file(file) : Bun.file(file)).stat().catch(() => undefined);
  const [devNull, ...fds] = await Promise.all([stat("/dev/null"), stat(0), stat(1), stat(2)]);
  const [stdin, stdout, stderr] = fds.map((fd) => fd !== undefined && devNull !== undefined && isTerminalStat(fd, devNull));
  return { stdin: stdin!, stdout: stdout!, stderr: stderr! };
}

export function isTerminalStat(stat: import("node:fs").Stats, devNull: import("node:fs").Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev !== devNull.rdev;
}

export interface FdStream extends OutputStream {
  drain(): Promise<void>;
}

/** Writes go straight to the fd through Bun's file sink, flushed per write so output streams. */
export function fdStream(fd: 1 | 2): FdStream {
  let sink: ReturnType<typeof Bun.stdout.writer> | undefined;
  let pending: Promise<unknown> = Promise.resolve();
  // The reader went away (`tether mcp tools x | head`): what it did not read is nobody's loss, and
  // the command finishes as it would have, without an EPIPE error.
  let readerGone = false;
  return {
    write(chunk) {
      if (readerGone) return;
      sink ??= (fd === 1 ? Bun.stdout : Bun.stderr).writer();
      // A chunk larger than the pipe can take is finished asynchronously: its failure arrives as a
      // rejected promise from write or flush, not as a throw, and must be handled like one.
      const settle = (result: number | Promise<number>) => {
        if (!(result instanceof Promise)) return;
        pending = Promise.all([pending, result.catch((error: NodeJS.ErrnoException) => void (readerGone ||= error?.code === "EPIPE"))]);
      };
      try {
        settle(sink.write(chunk));
        settle(sink.flush());
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
        readerGone = true;
      }
    },
    drain: async () => void (await pending),
  };
}
