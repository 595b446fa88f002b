// Builds the real Context from the process: the one place that reads process.env, the real
// streams, the clock and global fetch. Start-up matters (tether is called in loops), so the
// costly parts — Node's stream objects, node:tty, child_process — load only when first used.
import type { Env, IO, OutputStream } from "../context.ts";
import { runLifecycle, type RunContext, withServices } from "./factory.ts";
import { proxyingFetch } from "../net/proxy.ts";
import { sleepFor } from "../agent/retry.ts";
import { VERSION } from "../version.ts";
import { colorAllowed, type FdStream, fdStream, isTerminal, runPaths } from "./process-io.ts";

export interface SystemContextOptions {
  configPath?: string;
}

export type SystemContext = RunContext;

export function createSystemContext(options: SystemContextOptions = {}): SystemContext {
  const env = process.env;
  const stdout = fdStream(1);
  const stderr = fdStream(2);
  silenceLibraryConsole(env.TETHER_DEBUG === "1" ? stderr : undefined);
  interpretSchemas();
  return runContext({
    env,
    cwd: process.cwd(),
    io: createSystemIO(env, stdout, stderr),
    configPath: options.configPath,
    drainOutput: async () => void (await Promise.all([stdout.drain(), stderr.drain()])),
  });
}

/** What a run's context is built from: its process's facts, here or (daemon-run.ts) relayed from a caller. */
export interface RunFacts {
  env: Env;
  cwd: string;
  io: IO;
  configPath?: string;
  drainOutput(): Promise<void>;
}

/** The context of one run, from what its process knows; the clock, fetch and services are this process's. */
export function runContext(facts: RunFacts): RunContext {
  const { env } = facts;
  return withServices({
    io: facts.io,
    env,
    paths: runPaths(env, facts.configPath, facts.cwd),
    version: VERSION,
    debug: env.TETHER_DEBUG === "1",
    now: () => Date.now(),
    sleep: sleepFor,
    fetch: proxyingFetch(env, globalThis.fetch),
    openUrl: async (url) => (await import("./open-url.ts")).openUrl(url, env),
    cwd: facts.cwd,
    ...runLifecycle(),
    drainOutput: facts.drainOutput,
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
      return colorAllowed(env, tty(1));
    },
  };
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
