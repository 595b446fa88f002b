// Runs one CLI invocation over a command tree: global options, help, dispatch through citty, and
// the one place errors become `error:`/`hint:` lines and exit codes (SPEC §1). The tree is a
// parameter (./run.ts gives the whole one; the keep-alive daemon its own few commands), so nothing
// here imports the commands that may run an invocation themselves.
import { existsSync } from "node:fs";
import { renderUsage, runCommand, type CommandDef } from "citty";
import type { IO } from "../context.ts";
import { CancelledError, ConfigError, ConnectionError, TerminatedError, TetherError, UsageError } from "../errors.ts";
import { closest } from "../suggest.ts";
import { beforeSeparator } from "./args.ts";
import { redactKnownSecrets } from "../config/secrets.ts";
import { terminalText } from "../text/sanitize.ts";
import { paint } from "./render.ts";
import { createsConfig, resolve } from "./command.ts";
import { takeConfigFlag } from "./config-flag.ts";
import type { RunContext } from "./factory.ts";
import { createSystemContext, type SystemContextOptions } from "./system.ts";
import { CLEANUPS_LIMIT_MS } from "../telemetry/exit-budget.ts";

/**
 * One invocation. The real context is built only when the caller gives no factory: tests pass
 * one that builds the twin (test/support/context.ts) and run commands in process.
 */
export async function invoke(
  argv: string[],
  createRootCommand: (ctx: RunContext) => CommandDef<any>,
  createContext: (options: SystemContextOptions) => RunContext = createSystemContext,
  interrupts: Interrupts = PROCESS_SIGNALS,
): Promise<number> {
  let ctx: RunContext | undefined;
  try {
    const { configPath, rest } = takeConfigFlag(argv);
    ctx = createContext({ configPath });
    const root: CommandDef<any> = createRootCommand(ctx);
    if (wantsHelp(rest)) {
      await printHelp(ctx.io, root, rest);
      return 0;
    }
    // A mistyped --config must not quietly read as an empty config; `mcp add` and `mcp import` create the file.
    if (configPath !== undefined && !existsSync(ctx.paths.config) && !createsConfig((await findCommand(root, rest)).command)) {
      throw new ConfigError(`config file ${ctx.paths.config} does not exist (--config)`, {
        hint: "create it first (an empty file is a valid config), or leave out --config to use $TETHER_HOME/config.toml",
      });
    }
    // Traces (issue 23): the root span is named after the command, resolved only if tracing starts.
    ctx.tracing.command(async () => (await findCommand(root, rest)).names);
    try {
      await runWithInterrupt(ctx, interrupts, () => runCommand(root, { rawArgs: rest }));
    } catch (error) {
      ctx.tracing.fail(error);
      throw await withCommandHint(error, root, rest);
    }
    return 0;
  } catch (error) {
    // A bad --config flag fails before the run's context exists: report through one without it.
    const reporter = ctx ?? (ctx = createContext({}));
    return reportError(reporter.io, error, reporter.debug, await secretsOf(reporter));
  } finally {
    await ctx?.runCleanups(CLEANUPS_LIMIT_MS);
    await ctx?.drainOutput();
  }
}

/** What each signal that stops a run becomes: the error it ends with (and so its exit code). */
const STOP_SIGNALS = {
  SIGINT: () => new CancelledError("interrupted"),
  SIGTERM: () => new TerminatedError("terminated"),
} as const;

export type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * Where a run's stop signals come from: this process's own, or, for a command the keep-alive
 * daemon runs for a caller (daemon-run.ts), the caller's, relayed over its connection.
 */
export interface Interrupts {
  /** Calls `handler` on each stop signal until the returned function is called. */
  listen(handler: (signal: StopSignal) => void): () => void;
  /** A second signal: the run ends at once with `code`. */
  exitNow(code: number): void;
}

const PROCESS_SIGNALS: Interrupts = {
  listen(handler) {
    const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((signal) => [signal, () => handler(signal)] as const);
    for (const [signal, on] of handlers) process.on(signal, on);
    return () => {
      for (const [signal, on] of handlers) process.off(signal, on);
    };
  },
  exitNow: (code) => process.exit(code),
};

/**
 * Ctrl-C aborts ctx.signal and ends the command with exit 130; a second signal exits at once.
 * SIGTERM (kill, docker stop, systemd) is the same request from outside a terminal: it takes the
 * same path, so servers are closed and telemetry flushed by the cleanups instead of being cut
 * off, and ends with 143 as a terminated process does. A command that asked with
 * ctx.finishOnTerminate (serve draining its calls) is given that long to end on its own instead.
 */
async function runWithInterrupt(ctx: RunContext, interrupts: Interrupts, body: () => Promise<unknown>): Promise<void> {
  let finishing: ReturnType<typeof setTimeout> | undefined;
  let stopListening = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    stopListening = interrupts.listen((signal) => {
      const reason = STOP_SIGNALS[signal]();
      if (ctx.signal.aborted) return interrupts.exitNow(reason.exitCode);
      ctx.abort(reason);
      const limitMs = reason instanceof TerminatedError ? ctx.terminateLimitMs() : undefined;
      if (limitMs === undefined) reject(reason);
      else finishing = setTimeout(() => reject(reason), limitMs);
    });
  });
  try {
    await Promise.race([body(), interrupted]);
  } finally {
    clearTimeout(finishing);
    stopListening();
  }
}

function wantsHelp(argv: string[]): boolean {
  const args = beforeSeparator(argv);
  return args.length === 0 || args.includes("--help") || args.includes("-h");
}

/** The command named by the leading words of argv, and its full name ("tether mcp add"). */
async function findCommand(root: CommandDef, argv: string[]): Promise<{ command: CommandDef; names: string[] }> {
  let command = root;
  const names = ["tether"];
  for (const word of beforeSeparator(argv)) {
    if (word.startsWith("-")) continue;
    const subCommands = await resolve(command.subCommands);
    const next = subCommands?.[word];
    if (!next) break;
    command = await resolve(next);
    names.push(word);
  }
  return { command, names };
}

/** citty's argument errors become usage errors that point at the right command's help. */
async function withCommandHint(error: unknown, root: CommandDef, argv: string[]): Promise<unknown> {
  if (!(error instanceof Error) || error.name !== "CLIError") return error;
  const { command, names } = await findCommand(root, argv);
  const message = stripAnsi(error.message).replace(/\.$/, "");
  const typo = /^unknown command `?([^`\s]+)`?/i.exec(message)?.[1];
  const near = typo ? closest(typo, Object.keys((await resolve(command.subCommands)) ?? {})) : undefined;
  const hint = near ? `did you mean ${[...names, near].join(" ")}?` : `see: ${names.join(" ")} --help`;
  return new UsageError(message.charAt(0).toLowerCase() + message.slice(1), { hint });
}

async function printHelp(io: IO, root: CommandDef, argv: string[]): Promise<void> {
  const { command, names } = await findCommand(root, argv);
  const parent = names.length > 1 ? ({ meta: { name: names.slice(0, -1).join(" ") } } as CommandDef) : undefined;
  const usage = (await renderUsage(command, parent)).replace(/[ \t]+$/gm, "");
  io.stdout.write((io.color ? usage : stripAnsi(usage)) + "\n");
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/** The run's known secret values (from config and env), or none when the config cannot be read. */
async function secretsOf(ctx: RunContext): Promise<string[]> {
  try {
    const { knownSecrets } = await import("../config/secrets.ts");
    return knownSecrets(ctx.env, (await ctx.config()).config);
  } catch {
    return [];
  }
}

/**
 * Prints one error line (plus hint and server stderr) and returns the exit code. Messages quote
 * servers, models and files: control characters are made visible, and any known secret (an API
 * key or header a server echoed back) is replaced by [redacted].
 */
export function reportError(io: IO, error: unknown, debug: boolean, secrets: readonly string[] = []): number {
  const known = asTetherError(error);
  const where = known instanceof ConfigError && known.location ? `${known.location}: ` : "";
  const show = (text: string) => terminalText(redactKnownSecrets(text, secrets));
  io.stderr.write(`${paint(io, "red", "error:")} ${show(where + known.message)}\n`);
  if (known instanceof ConnectionError && known.stderrTail.length > 0) {
    io.stderr.write("server stderr (last lines):\n");
    for (const line of known.stderrTail.slice(-10)) io.stderr.write(`  ${show(line)}\n`);
  }
  if (known.hint) io.stderr.write(`${paint(io, "yellow", "hint:")} ${show(known.hint)}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(redactKnownSecrets(error.stack, secrets) + "\n");
  return known.exitCode;
}

function asTetherError(error: unknown): TetherError {
  if (error instanceof TetherError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TetherError(message, { hint: "run with TETHER_DEBUG=1 for details" });
}
