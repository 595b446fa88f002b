// The keep-alive daemon's side of a command a caller hands it whole (`run`, sent by
// daemon-relay.ts): the caller's process only relays, so a warm `mcp call` costs it no command
// tree, no config validation and no MCP SDK. The command runs here through runCli as it would in
// the caller, in a context made of the caller's facts — argv, directory, environment, which of its
// streams are terminals — with its output, stdin and stop signals relayed over the connection.
// The config is the daemon's own file (its socket is keyed by it), read once per change.
//
// Only a command that would use a server kept alive here is run; any other (another server, an
// ad-hoc one, help, a usage error) is handed back before anything of it ran, and the caller runs
// it itself: its messages and exit codes are then exactly those of a run without the daemon.
import { type ArgsDef, type CommandDef, defineCommand } from "citty";
import { lazy } from "./command.ts";
import { readlinkSync, type Stats, statSync } from "node:fs";
import { getServer } from "../config/servers.ts";
import type { LoadedConfig } from "../config/types.ts";
import type { Context, OutputStream } from "../context.ts";
import type { RunRelay } from "../daemon/host.ts";
import { DAEMON_PROTOCOL, type DaemonChannel, type RunOutcome, type RunRequest } from "../daemon/protocol.ts";
import { beforeSeparator, keepAliveOf } from "./args.ts";
import { takeConfigFlag } from "./config-flag.ts";
import type { RunContext } from "./factory.ts";
import { colorAllowed, isTerminalStat } from "./process-io.ts";
import { type Interrupts, invoke } from "./invoke.ts";
import { type ParseArgsOptionConfig, parseArgs } from "./parse-args.ts";
import { runContext } from "./system.ts";

/** The commands a caller may hand over (daemon-relay.ts asks only for these). */
export const RELAYED_COMMANDS: readonly (readonly string[])[] = [["mcp", "call"]];

/** Runs the caller's command here when it uses a kept-alive server; otherwise says why not, having run nothing. */
export async function runForCaller(daemon: Context, request: RunRequest, relay: RunRelay, servers: DaemonChannel, configCache: ConfigCache): Promise<RunOutcome> {
  if (request.protocol !== DAEMON_PROTOCOL || request.version !== daemon.version) return { fallback: "the caller is another tether version" };
  let configPath: string | undefined;
  let rest: string[];
  try {
    ({ configPath, rest } = takeConfigFlag(request.argv));
  } catch {
    return { fallback: "a usage error" };
  }
  const tty = request.tty ?? terminalsOfProcess(request.pid);
  if (!tty) return { fallback: "the caller's terminals cannot be told" };
  const accepting = acceptOnFirstEffect(relay, servers);
  const ctx = callerContext({ ...request, tty }, accepting.relay, configPath, configCache);
  if (ctx.paths.config !== daemon.paths.config) return { fallback: "another config file" };
  ctx.keptAlive = accepting.servers;
  if (!(await usesKeptAliveServer(ctx, rest))) return { fallback: "no server kept alive here" };
  daemon.log.debug(`running "tether ${rest.slice(0, 2).join(" ")}" for a caller`);
  const interrupts: Interrupts = {
    listen: (handler) => relay.onInterrupt(handler),
    // The caller ends itself on its second signal; the run here has been aborted by its first.
    exitNow: () => {},
  };
  return { exitCode: await invoke(request.argv, relayedCommands, () => ctx, interrupts) };
}

/**
 * The relay and the servers for a run that tells its caller it was accepted (from then on the
 * caller must not run the command again) just before its first act the caller could see or a
 * server could: output, a read of stdin, a request to a server other than opening it. Not at the
 * start: the caller would then wake up, mid-run, to a message that needs nothing of it, on the CPU
 * this run is using (the kernel wakes it beside its waker), which cost a warm call ~0.5 ms
 * (issue 22). A run that ends before any such act has done nothing: its answer says the rest.
 */
function acceptOnFirstEffect(relay: RunRelay, servers: DaemonChannel): { relay: RunRelay; servers: DaemonChannel } {
  let accepted = false;
  const accept = () => {
    if (accepted) return;
    accepted = true;
    relay.accepted();
  };
  return {
    relay: {
      ...relay,
      write(stream, text) {
        accept();
        relay.write(stream, text);
      },
      read() {
        accept();
        return relay.read();
      },
    },
    servers: {
      request(method, params, handlers, signal) {
        // Opening the kept server changes nothing the caller would do differently on its own.
        if (method !== "open") accept();
        return servers.request(method, params, handlers, signal);
      },
      close: () => servers.close(),
    },
  };
}

/**
 * Whether the caller's stdin, stdout and stderr are terminals, through /proc (Linux): what its fds
 * point to, followed as fstat would. A pipe, a socket or /dev/null is told by the link alone, and
 * only a device is looked at (a terminal is a character device other than /dev/null, as
 * process-io.ts's isTerminal has it). Undefined where there is no /proc, or it cannot be read.
 */
function terminalsOfProcess(pid: number): { stdin: boolean; stdout: boolean; stderr: boolean } | undefined {
  if (process.platform !== "linux" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    let devNull: Stats | undefined;
    const [stdin, stdout, stderr] = [0, 1, 2].map((fd) => {
      const path = `/proc/${pid}/fd/${fd}`;
      const target = readlinkSync(path);
      // `pipe:[…]`, `socket:[…]`, `anon_inode:…`: never a terminal.
      if (!target.startsWith("/") || target === "/dev/null") return false;
      return isTerminalStat(statSync(path), (devNull ??= statSync("/dev/null")));
    });
    return { stdin: stdin!, stdout: stdout!, stderr: stderr! };
  } catch {
    return undefined;
  }
}

/** The tree a caller's command runs in here: only the commands callers hand over (RELAYED_COMMANDS). */
function relayedCommands(ctx: RunContext): CommandDef<any> {
  const call = lazy(ctx, () => import("./commands/mcp/call.ts"));
  return defineCommand({ meta: { name: "tether" }, subCommands: { mcp: defineCommand({ meta: { name: "mcp" }, subCommands: { call } }) } });
}

/**
 * Whether argv is a command this daemon runs for its caller: `mcp call` on a configured server
 * that runs here (keep_alive, or --keep-alive), as callServerTool decides. Anything this cannot
 * tell, or would fail on, is left to the caller, whose own run reports it.
 */
async function usesKeptAliveServer(ctx: RunContext, argv: string[]): Promise<boolean> {
  if (!RELAYED_COMMANDS.some((command) => command.every((word, i) => argv[i] === word))) return false;
  const { default: callCommand } = await import("./commands/mcp/call.ts");
  const rawArgs = argv.slice(2);
  let options = flagTables.get(callCommand);
  if (!options) flagTables.set(callCommand, (options = optionsOf(callCommand(ctx).args as ArgsDef)));
  const name = serverNameOf(rawArgs, options);
  if (name === undefined) return false;
  try {
    const server = await getServer(ctx, name);
    return server.enabled && (keepAliveOf(rawArgs) ?? server.keepAlive) === true;
  } catch {
    return false;
  }
}

/**
 * The configured server's NAME in a one-server command's arguments, split as citty splits them
 * (its parseArgs is cli/parse-args.ts in the executable, told each flag's type), without citty's
 * cost of spelling every flag three ways. Undefined when argv holds anything that would need that:
 * a flag spelled other than as declared (`--argsJson`, `-x`, `--no-keep-alive`), help, --stdio,
 * --url, or no NAME.
 */
function serverNameOf(rawArgs: string[], options: Record<string, ParseArgsOptionConfig>): string | undefined {
  const flags = beforeSeparator(rawArgs).filter((token) => token.startsWith("-"));
  // A value that starts with "-" (`--arg -1`) is looked at as a flag too: it only costs the fast path.
  if (flags.some((token) => !(token.slice(2).split("=")[0]! in options) || !token.startsWith("--") || token === "--help")) return undefined;
  const { values, positionals } = parseArgs({ args: rawArgs, options, strict: false, allowPositionals: true });
  if (values.stdio !== undefined || values.url !== undefined) return undefined;
  return positionals[0];
}

/** Each relayed command's flags as parseArgs takes them, by its module's command factory: the same for every run. */
const flagTables = new WeakMap<object, Record<string, ParseArgsOptionConfig>>();

function optionsOf(args: ArgsDef): Record<string, ParseArgsOptionConfig> {
  const options: Record<string, ParseArgsOptionConfig> = {};
  for (const [flag, def] of Object.entries(args)) if (def.type === "string" || def.type === "boolean") options[flag] = { type: def.type };
  return options;
}

/**
 * The config as last read, keyed by what says the file changed (path, device, inode, size, mtime,
 * ctime): a warm command does not parse an unchanged config again. A file that changed is read
 * again, and a server whose entry changed is restarted as before (its fingerprint differs). The
 * runs share what was read, so it is frozen: a run cannot change what the next one sees.
 */
export class ConfigCache {
  private last?: { key: string; loaded: LoadedConfig };

  async read(path: string, load: () => Promise<LoadedConfig>): Promise<LoadedConfig> {
    const key = fileIdentity(path);
    if (key !== undefined && this.last?.key === key) return this.last.loaded;
    const loaded = deepFreeze(await load());
    // Checked again after the read: a file written meanwhile is not remembered as the one read.
    if (key !== undefined && fileIdentity(path) === key) this.last = { key, loaded };
    return loaded;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function fileIdentity(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${path}\0${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** The caller's run, here: its environment, directory and terminals; its streams and stdin relayed. */
function callerContext(request: RunRequest & Required<Pick<RunRequest, "tty">>, relay: RunRelay, configPath: string | undefined, configCache: ConfigCache): RunContext {
  const relayed = (stream: "stdout" | "stderr"): OutputStream => ({ write: (text) => relay.write(stream, text) });
  let stdin: NodeJS.ReadableStream | undefined;
  const ctx = runContext({
    env: request.env,
    cwd: request.cwd,
    configPath,
    io: {
      stdout: relayed("stdout"),
      stderr: relayed("stderr"),
      get stdin() {
        return (stdin ??= relayedStdin(relay));
      },
      stdinIsTTY: request.tty.stdin,
      stdoutIsTTY: request.tty.stdout,
      stderrIsTTY: request.tty.stderr,
      color: colorAllowed(request.env, request.tty.stdout),
    },
    // Output is written to the connection in order, and the answer follows it there.
    drainOutput: async () => {},
  });
  const read = ctx.config.bind(ctx);
  ctx.config = () => configCache.read(ctx.paths.config, read);
  return ctx;
}

/** The caller's stdin, read a chunk at a time as this run asks for it (it may never). */
function relayedStdin(relay: RunRelay): NodeJS.ReadableStream {
  const { Readable } = require("node:stream") as typeof import("node:stream");
  return new Readable({
    read() {
      relay.read().then(
        (chunk) => this.push(chunk ?? null),
        () => this.push(null),
      );
    },
  });
}
