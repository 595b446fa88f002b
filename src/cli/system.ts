// Builds the real Context from the process: the one place that reads process.env, the real
// streams, the clock and global fetch. Start-up matters (tether is called in loops), so the
// costly parts — Node's stream objects, node:tty, child_process — load only when first used.
import { fstatSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { IO, OutputStream } from "../context.ts";
import { runLifecycle, type RunContext, withServices } from "./factory.ts";
import { proxyingFetch } from "../net/proxy.ts";
import { sleepFor } from "../agent/retry.ts";
import { VERSION } from "../version.ts";

export interface SystemContextOptions {
  configPath?: string;
}

export type SystemContext = RunContext;

export function createSystemContext(options: SystemContextOptions = {}): SystemContext {
  const env = process.env;
  const home = userHome(env);
  const tetherHome = env.TETHER_HOME ? resolve(env.TETHER_HOME) : join(home, ".tether");
  const stdout = fdStream(1);
  const stderr = fdStream(2);
  silenceLibraryConsole(env.TETHER_DEBUG === "1" ? stderr : undefined);
  interpretSchemas();
  return withServices({
    io: createSystemIO(env, stdout, stderr),
    env,
    paths: { home: tetherHome, config: options.configPath ? resolve(options.configPath) : join(tetherHome, "config.toml"), userHome: home },
    version: VERSION,
    debug: env.TETHER_DEBUG === "1",
    now: () => Date.now(),
    sleep: sleepFor,
    fetch: proxyingFetch(env, globalThis.fetch),
    openUrl: async (url) => (await import("./open-url.ts")).openUrl(url, env),
    cwd: process.cwd(),
    ...runLifecycle(),
    drainOutput: async () => void (await Promise.all([stdout.drain(), stderr.drain()])),
  });
}

/**
 * Libraries (the MCP SDK among them) report recoverable trouble with console.warn/error, and notes
 * with console.debug/info/log (which go to stdout, where they would break `--json | jq`); tether
 * reports the outcome itself, so their lines are shown only with TETHER_DEBUG=1, as debug lines.
 */
function silenceLibraryConsole(debug: OutputStream | undefined): void {
  const toDebug = (...args: unknown[]) => {
    debug?.write(`debug: ${args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(" ")}\n`);
  };
  console.warn = toDebug;
  console.error = toDebug;
  console.debug = toDebug;
  console.info = toDebug;
  console.log = toDebug;
}

/**
 * The MCP SDK checks every message with zod, whose object schemas compile a parser (`new Function`)
 * the first time each one parses. A run of `mcp call` parses a few messages once: compiling cost
 * 7-9 ms of a ~45 ms warm call over HTTP (bench/mcp.ts). Interpreting costs a few µs more per
 * message (a call and its result ~2 µs, a 20-tool list ~11 µs), which a long `mcp serve` or the
 * keep-alive daemon can afford. zod reads `jitless` as each schema is built, so
 * it is set before anything loads the SDK; through the global zod keeps for every copy of itself
 * (`z.config`), because importing zod here would load it for every command.
 */
export function interpretSchemas(): void {
  const shared = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
  (shared.__zod_globalConfig ??= {}).jitless = true;
}

interface FdStream extends OutputStream {
  drain(): Promise<void>;
}

/** Writes go straight to the fd through Bun's file sink, flushed per write so output streams. */
function fdStream(fd: 1 | 2): FdStream {
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

function createSystemIO(env: NodeJS.ProcessEnv, stdout: FdStream, stderr: FdStream): IO {
  const tty = lazyTty();
  return {
    stdout,
    stderr,
    get stdin() {
      return process.stdin;
    },
    get stdinIsTTY() {
      return tty(0);
    },
    get stdoutIsTTY() {
      return tty(1);
    },
    get stderrIsTTY() {
      return tty(2);
    },
    get color() {
      return tty(1) && !env.NO_COLOR && env.TERM !== "dumb";
    },
  };
}

/** HOME without node:os (which costs milliseconds at start-up); os.homedir only as a fallback. */
function userHome(env: NodeJS.ProcessEnv): string {
  return (process.platform === "win32" ? env.USERPROFILE : env.HOME) || (require("node:os").homedir() as string);
}

function lazyTty(): (fd: number) => boolean {
  const known = new Map<number, boolean>();
  return (fd) => {
    let value = known.get(fd);
    if (value === undefined) {
      value = isTerminal(fd);
      known.set(fd, value);
    }
    return value;
  };
}

/**
 * isatty without node:tty (~10 ms to load): a terminal is a character device other than
 * /dev/null. Windows consoles need the real check.
 */
function isTerminal(fd: number): boolean {
  if (process.platform === "win32") return require("node:tty").isatty(fd) as boolean;
  try {
    const stat = fstatSync(fd);
    return stat.isCharacterDevice() && stat.rdev !== statSync("/dev/null").rdev;
  } catch {
    return false;
  }
}
