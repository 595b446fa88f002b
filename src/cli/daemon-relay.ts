// The caller's side of a command handed whole to the keep-alive daemon (daemon-run.ts runs it).
// When this config's daemon is up, `tether mcp call` sends it argv, the directory, the
// environment and which streams are terminals, then only relays: output to stdout and stderr,
// stdin as the command reads it (an `@-` argument, an elicitation's answers), Ctrl-C and SIGTERM.
// Nothing here loads the command tree, the config schema or the MCP SDK: a warm call starts about
// as fast as `--version`.
//
// Its start is what a warm call costs beyond `--version`, so this file avoids what costs it a tenth
// of a millisecond or more: node:fs and node:path, regular expressions, and the builtins written in
// JavaScript (Promise.all/race, Object.entries, Array's every/filter/map…), each compiled on first use.
//
// Whenever the daemon does not take the command on (no daemon, another version, a server not
// kept alive, anything it cannot tell), it has run none of it, and the caller runs it as it always
// has (main.ts): the cold path's behaviour, messages and exit codes are unchanged.
import type { IO } from "../context.ts";
import { ConnectionError } from "../errors.ts";
import { DaemonClient } from "../daemon/connection.ts";
import { DAEMON_DIR, daemonKey, MAX_SOCKET_PATH_BYTES, socketFileName } from "../daemon/key.ts";
import { DAEMON_PROTOCOL, type RunOutcome, type RunRequest } from "../daemon/protocol.ts";
import { definedEnv } from "../env.ts";
import { VERSION } from "../version.ts";
import { takeConfigFlag } from "./config-flag.ts";
import { colorAllowed, fdStream, isTerminal, standardTerminals } from "./process-io.ts";

/** How long connecting to a socket that exists may take before the caller runs the command itself. */
const CONNECT_TIMEOUT_MS = 2_000;

/** How a run stopped by a signal ends (as run.ts's STOP_SIGNALS end it). */
const STOPPED = { SIGINT: { code: 130, message: "interrupted" }, SIGTERM: { code: 143, message: "terminated" } } as const;
type StopSignal = keyof typeof STOPPED;

/**
 * Runs argv in this config's keep-alive daemon and returns its exit code, or undefined when the
 * daemon did not take it on (nothing of it ran): the caller then runs it itself.
 */
export async function relayToDaemon(argv: string[]): Promise<number | undefined> {
  let configPath: string | undefined;
  try {
    configPath = takeConfigFlag(argv).configPath;
  } catch {
    // The run reports the bad flag.
    return undefined;
  }
  const env = process.env;
  const cwd = process.cwd();
  const socket = socketOf(env, cwd, configPath);
  if (socket === undefined) return undefined;

  const client = await DaemonClient.connect(socket, CONNECT_TIMEOUT_MS);
  if (!client) return undefined;

  const stdout = fdStream(1);
  const stderr = fdStream(2);
  /** An `error:` line (and a hint) as run.ts prints one; returns the exit code. */
  const reportError = async (message: string, hint: string | undefined, code: number) => {
    const { paint } = await import("./render.ts");
    const io: IO = { stdout, stderr, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: colorAllowed(env, isTerminal(1)) };
    stderr.write(`${paint(io, "red", "error:")} ${message}\n`);
    if (hint) stderr.write(`${paint(io, "yellow", "hint:")} ${hint}\n`);
    return code;
  };
  let accepted = false;
  let stdin: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let signalled: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    // A second signal: the caller stops at once (its connection closing aborts the daemon's run).
    if (signalled) process.exit(STOPPED[signal].code);
    // The first reaches the run, even one not started yet (the daemon keeps it for the run).
    signalled = signal;
    client.interrupt(signal);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const request: RunRequest = {
    argv,
    cwd,
    env: definedEnv(env),
    pid: process.pid,
    // On Linux the daemon looks in /proc: Bun's stat calls would cost this process a millisecond.
    tty: process.platform === "linux" ? undefined : await standardTerminals(),
    version: VERSION,
    protocol: DAEMON_PROTOCOL,
  };
  try {
    const outcome = (await client.request("run", request, {
      onAccepted: () => void (accepted = true),
      onOutput: (stream, text) => (stream === "stdout" ? stdout : stderr).write(text),
      async onRead() {
        stdin ??= Bun.stdin.stream().getReader();
        const { done, value } = await stdin.read();
        return done ? undefined : value;
      },
    })) as RunOutcome;
    if (!("fallback" in outcome)) return outcome.exitCode;
    // Handed back: the caller runs it, unless it was stopped meanwhile.
    if (signalled) return await reportError(STOPPED[signalled].message, undefined, STOPPED[signalled].code);
    return undefined;
  } catch (error) {
    // Refused before it ran (a daemon of another version that knows no `run`, one that went away): run it here.
    if (!accepted && !signalled) return undefined;
    if (!accepted) return await reportError(STOPPED[signalled!].message, undefined, STOPPED[signalled!].code);
    // It ran, or may have: running it again could repeat what the tool did.
    const message = error instanceof Error ? error.message : String(error);
    return await reportError(`${message} (the command may have run in part)`, "see: tether mcp daemon logs", error instanceof ConnectionError ? error.exitCode : 1);
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    client.close();
    await stdout.drain();
    await stderr.drain();
  }
}

/**
 * This config's daemon socket as daemon/paths.ts names it, found without node:path (see
 * process-io.ts): exact for absolute, normalised paths (the usual HOME and TETHER_HOME) and a
 * plain --config path; for anything else (`..` in a path, a socket path too long to bind, Windows)
 * undefined, and the command runs the ordinary way, which finds its daemon too. A path got wrong
 * here only misses the daemon: the daemon checks the caller's config path, resolved properly,
 * against its own before it runs anything.
 */
function socketOf(env: NodeJS.ProcessEnv, cwd: string, configPath: string | undefined): string | undefined {
  if (process.platform === "win32") return undefined;
  const home = env.TETHER_HOME ? under(cwd, env.TETHER_HOME) : env.HOME && isPlainAbsolute(env.HOME) ? `${env.HOME}/.tether` : undefined;
  if (home === undefined) return undefined;
  const config = configPath === undefined ? `${home}/config.toml` : under(cwd, configPath);
  if (config === undefined) return undefined;
  const socket = `${home}/${DAEMON_DIR}/${socketFileName(daemonKey(config))}`;
  return Buffer.byteLength(socket) <= MAX_SOCKET_PATH_BYTES ? socket : undefined;
}

/** `path` against `cwd` when both are plain (no `.`, `..` or empty segments); else undefined. */
function under(cwd: string, path: string): string | undefined {
  if (isPlainAbsolute(path)) return path;
  return isPlainAbsolute(cwd) && isPlainAbsolute(`/${path}`) ? `${cwd}/${path}` : undefined;
}

/** No empty, `.` or `..` segment. */
function isPlainAbsolute(path: string): boolean {
  return path.length > 1 && path.startsWith("/") && !(path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..") || path.includes("//") || path.includes("/./") || path.includes("/../"));
}
