// Wires the run's services onto a base context, lazily and in dependency order (gh's
// pkg/cmd/factory/default.go): config first, then the credential store it names, both built on
// first use and kept for the run. The real context (system.ts) and the test twin share this.
import type { CredentialStore } from "../auth/store/credentials.ts";
import type { KeyringBackend } from "../auth/store/keyring-store.ts";
import type { LoadedConfig } from "../config/types.ts";
import type { Context, Log, OutputStream } from "../context.ts";
import { DECLINE_EVERYTHING } from "../mcp/server-requests.ts";
import { terminalText } from "../text/sanitize.ts";
import { paint } from "./render.ts";
import { runTracing } from "../telemetry/run-tracing.ts";
import type { WorkerChannel } from "../telemetry/worker-channel.ts";

export type BaseContext = Omit<Context, "log" | "config" | "forgetConfig" | "credentialStore" | "serverRequests" | "tracing" | "telemetryWorker">;

/** What runs a command beyond what it may touch: Ctrl-C, the exit cleanups, flushing output. */
export interface RunControl {
  abort(reason: unknown): void;
  /** Runs the atExit cleanups once, in reverse order, bounded by `timeoutMs` in all. */
  runCleanups(timeoutMs: number): Promise<void>;
  /** Resolves once everything written to stdout and stderr has reached its destination. */
  drainOutput(): Promise<void>;
  /** What the command asked with finishOnTerminate: how long SIGTERM lets it finish; undefined: it is stopped at once. */
  terminateLimitMs(): number | undefined;
}

export type RunContext = Context & RunControl;

/** The abort signal and the exit cleanups of one run. */
export function runLifecycle(): Pick<Context, "signal" | "atExit" | "finishOnTerminate"> & Pick<RunControl, "abort" | "runCleanups" | "terminateLimitMs"> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const controller = new AbortController();
  let terminateLimitMs: number | undefined;
  return {
    signal: controller.signal,
    atExit: (cleanup) => void cleanups.push(cleanup),
    finishOnTerminate: (limitMs) => void (terminateLimitMs = limitMs),
    terminateLimitMs: () => terminateLimitMs,
    abort: (reason) => controller.abort(reason),
    async runCleanups(timeoutMs) {
      const pending = cleanups.splice(0).reverse();
      // Most runs register none: no timer is armed for them.
      if (pending.length === 0) return;
      const all = Promise.allSettled(pending.map(async (cleanup) => cleanup()));
      await Promise.race([all, Bun.sleep(timeoutMs)]);
    },
  };
}

/** What a test twin may put in place of a real adapter. */
export interface ServiceOverrides {
  /** The OS keyring (the store's documented seam); the real one otherwise. */
  keyring?: KeyringBackend;
}

export function withServices<T extends BaseContext>(base: T, overrides: ServiceOverrides = {}): T & Context {
  let config: Promise<LoadedConfig> | undefined;
  let store: Promise<CredentialStore> | undefined;
  let telemetryWorker: Promise<WorkerChannel> | undefined;
  const ctx: T & Context = {
    ...base,
    log: createLog(base),
    // Until a command that can ask sets its own: doctor and list --status decline every elicitation.
    serverRequests: DECLINE_EVERYTHING,
    config() {
      config ??= import("../config/load.ts").then(({ readConfig }) => readConfig(ctx));
      // A failed read is not remembered: the error is reported, and a later call may succeed.
      config.catch(() => (config = undefined));
      return config;
    },
    forgetConfig() {
      config = undefined;
    },
    credentialStore() {
      store ??= Promise.all([ctx.config(), import("../auth/store/index.ts")]).then(([{ config: settings }, { createCredentialStore }]) =>
        createCredentialStore(settings.credentialsStore, {
          home: ctx.paths.home,
          notice: ctx.log.notice,
          debug: ctx.log.debug,
          keyring: overrides.keyring,
        }),
      );
      return store;
    },
    telemetryWorker() {
      telemetryWorker ??= import("../telemetry/worker-channel.ts").then(({ workerChannel }) => workerChannel());
      return telemetryWorker;
    },
    // Traces (issue 23): nothing loads until a command asks for the tracer.
    tracing: runTracing({
      ...base,
      config: () => ctx.config(),
      telemetryWorker: () => ctx.telemetryWorker(),
      log: { notice: (m) => ctx.log.notice(m), warn: (m) => ctx.log.warn(m), debug: (m) => ctx.log.debug(m) },
    }),
  };
  return ctx;
}

/** One prefix style for every line a service writes; text is made terminal-safe here. */
export function createLog(base: Pick<Context, "io" | "debug">): Log {
  const line = (stream: OutputStream, prefix: string, message: string) => stream.write(`${prefix}${terminalText(message)}\n`);
  return {
    notice: (message) => line(base.io.stderr, "", message),
    warn: (message) => line(base.io.stderr, `${paint(base.io, "yellow", "warning:")} `, message),
    debug: (message) => {
      if (base.debug) line(base.io.stderr, "debug: ", message);
    },
  };
}
