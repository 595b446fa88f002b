// What a command may touch: streams, environment, clock, network, paths, and the run's lazily
// built services (config, credential store, log). cli/system.ts builds the real one, cli/factory.ts
// wires the services, and tests build a twin over buffers (test/support/context.ts).
import type { CredentialStore } from "./auth/store/credentials.ts";
import type { LoadedConfig } from "./config/types.ts";
import type { DaemonChannel } from "./daemon/protocol.ts";
import type { ServerRequestHandlers } from "./mcp/server-requests.ts";
import type { RunTracing } from "./telemetry/traces.ts";
import type { WorkerChannel } from "./telemetry/worker-channel.ts";
import type { Env } from "./env.ts";

export interface OutputStream {
  write(chunk: string): void;
}

export interface IO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Reads stdin; absent in contexts that have none. */
  stdin?: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Colour allowed on stderr/stdout (TTY and no NO_COLOR). */
  color: boolean;
}

export interface Paths {
  /** $TETHER_HOME, default ~/.tether. */
  home: string;
  /** The config file: --config or $TETHER_HOME/config.toml. */
  config: string;
  /** The user's home directory (`~` in config paths; other apps' configs live under it). */
  userHome: string;
}

export type { Env };

/** The one way services talk to the user besides their results; prefixes and colour are the log's. */
export interface Log {
  /** Something the user should know that is not a problem (e.g. where credentials went). */
  notice(message: string): void;
  /** Something went wrong but the command goes on. */
  warn(message: string): void;
  /** Only with TETHER_DEBUG=1. */
  debug(message: string): void;
}

export interface Context {
  io: IO;
  env: Env;
  paths: Paths;
  version: string;
  debug: boolean;
  now(): number;
  /** Waits `ms`, or rejects with `signal`'s reason once it aborts; tests give one that moves their clock instead. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  fetch: typeof fetch;
  /** Opens a URL in the user's browser; resolves even if no opener exists. */
  openUrl(url: string): Promise<void>;
  /** Aborted on Ctrl-C, and on SIGTERM (the reason says which: CancelledError, TerminatedError). */
  signal: AbortSignal;
  /**
   * SIGTERM asks this command to finish rather than to stop: ctx.signal still aborts, but the run
   * waits up to `limitMs` for the command to end on its own, and its ending (its exit code) stands.
   * A second signal still exits at once. For `tether mcp serve`'s drain.
   */
  finishOnTerminate(limitMs: number): void;
  /** Registers cleanup (kill children, flush telemetry) run once before tether exits, on every path. */
  atExit(cleanup: () => Promise<void> | void): void;
  /** The working directory the command was started in. */
  cwd: string;
  log: Log;
  /** config.toml, read and validated once per run. */
  config(): Promise<LoadedConfig>;
  /** After tether wrote config.toml: the next config() reads it again. */
  forgetConfig(): void;
  /** The credential store `mcp_oauth_credentials_store` chooses, opened once per run. */
  credentialStore(): Promise<CredentialStore>;
  /** Who answers servers' requests (elicitation); a command that can ask the user sets it. */
  serverRequests: ServerRequestHandlers;
  /** Traces (issue 23): the run's tracer, started on first use from `[otel] trace_exporter` and TRACEPARENT. */
  tracing: RunTracing;
  /** The run's one telemetry worker thread, shared by log records and spans; started by its first message. */
  telemetryWorker(): Promise<WorkerChannel>;
  /**
   * How long a command waits on a keep-alive daemon that does not answer (src/daemon/client.ts's
   * defaults when absent): for its status, and for its process to end before it is killed. Tests
   * of a hung daemon shorten them rather than wait the defaults out.
   */
  daemonWaits?: { statusMs: number; stopMs: number };
  /**
   * The command line that runs tether when the keep-alive daemon is started (its arguments follow);
   * absent, this very executable (src/daemon/launch.ts). Tests whose commands run in process give
   * the compiled test executable rather than `bun src/main.ts`, which costs ~6x the CPU to start.
   */
  daemonCommand?: () => Promise<string[]>;
  /**
   * Set only for a command the keep-alive daemon runs for a caller (cli/daemon-run.ts): the daemon
   * itself, so the command reaches the servers kept there in process rather than over its socket.
   */
  keptAlive?: DaemonChannel;
}
