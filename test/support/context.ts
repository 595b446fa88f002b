// The test twin of the real context (gh's iostreams.Test()): output into strings, TTY flags and
// colour chosen per test, a controllable clock, the environment given, a temp TETHER_HOME. The same
// factory wires config, credential store and log as in the real run, so commands run in process.
import { Readable } from "node:stream";
import { join, resolve } from "node:path";
import type { Context, IO } from "../../src/context.ts";
import { runLifecycle, type RunContext, withServices } from "../../src/cli/factory.ts";
import { proxyingFetch } from "../../src/net/proxy.ts";
import { sleepFor } from "../../src/agent/retry.ts";
import { ensureHostBinary } from "./binary.ts";
import { FakeKeyring } from "./keyring.ts";
import { VERSION } from "../../src/version.ts";

/**
 * In process, the keyring addon would read the test process's own D-Bus address, which a child
 * process started with this env would not have: without one in `env`, the keyring is unavailable,
 * as it would be for that child.
 */
const NO_KEYRING_ERROR = "no D-Bus session bus in this run's environment";

export interface TestContextOptions {
  env: Record<string, string>;
  /** Relative --config paths resolve against it. */
  cwd: string;
  configPath?: string;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  stdinTTY?: boolean;
  color?: boolean;
  stdin?: string;
  /** The clock the run sees (token expiry and the like); real time by default. */
  now?: () => number;
  /** How the run waits (device login's polling); real timers by default. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  fetch?: typeof fetch;
  openUrl?: (url: string) => Promise<void>;
  /** How long daemon commands wait on a daemon that does not answer (Context.daemonWaits); the product's by default. */
  daemonWaits?: Context["daemonWaits"];
}

export interface TestContext extends RunContext {
  stdout(): string;
  stderr(): string;
}


export function createTestContext(options: TestContextOptions): TestContext {
  let out = "";
  let err = "";
  const env = options.env;
  const userHome = env.HOME ?? options.cwd;
  const home = env.TETHER_HOME ? resolve(options.cwd, env.TETHER_HOME) : join(userHome, ".tether");
  const io: IO = {
    stdout: { write: (chunk) => void (out += chunk) },
    stderr: { write: (chunk) => void (err += chunk) },
    stdin: Readable.from(options.stdin !== undefined ? [options.stdin] : []),
    stdinIsTTY: options.stdinTTY ?? false,
    stdoutIsTTY: options.stdoutTTY ?? false,
    stderrIsTTY: options.stderrTTY ?? false,
    color: options.color ?? false,
  };
  const ctx = withServices({
    io,
    env,
    paths: { home, config: options.configPath ? resolve(options.cwd, options.configPath) : join(home, "config.toml"), userHome },
    version: VERSION,
    debug: env.TETHER_DEBUG === "1",
    now: options.now ?? (() => Date.now()),
    sleep: options.sleep ?? sleepFor,
    fetch: options.fetch ?? proxyingFetch(env, globalThis.fetch),
    openUrl: options.openUrl ?? (async (url) => (await import("../../src/cli/open-url.ts")).openUrl(url, env)),
    cwd: options.cwd,
    ...runLifecycle(),
    drainOutput: async () => {},
    daemonWaits: options.daemonWaits,
    // Not `bun src/main.ts` (the test file is Bun.main here): the compiled executable the e2e tests
    // run starts in a sixth of the CPU, and keep-alive tests start a daemon per test.
    daemonCommand: async () => [await ensureHostBinary()],
  }, { keyring: env.DBUS_SESSION_BUS_ADDRESS ? undefined : new FakeKeyring({ failWith: NO_KEYRING_ERROR }) });
  return Object.assign(ctx, { stdout: () => out, stderr: () => err });
}
