// Runs the CLI against a temp TETHER_HOME: in process through the test twin of the context by
// default (argv → runCli → output and exit code, as gh's command tests do), or as a real process
// (`process: true`, or `binary`) where the process itself is under test: signals, the exit path,
// several processes racing for a lock.
import { afterEach, beforeEach } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../../src/cli/run.ts";
import { ensureHostBinary } from "./binary.ts";
import { createTestContext, type TestContext } from "./context.ts";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const MAIN_PATH = join(REPO_ROOT, "src/main.ts");

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  home: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdin?: string;
  /** Run this executable instead of `bun src/main.ts` (the compiled binary). */
  binary?: string;
  /** Run the compiled executable as a child process instead of in process. */
  process?: boolean;
  /** The clock the run sees (in process only): token expiry without waiting for it. */
  now?: () => number;
  /** How the run waits (in process only): a test's sleep that moves its clock instead of waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  timeoutMs?: number;
  /** In process only: how long the run waits on a keep-alive daemon that does not answer (Context.daemonWaits). */
  daemonWaits?: { statusMs: number; stopMs: number };
  /** In process only: which streams the twin context reports as terminals, and whether colour is on. */
  tty?: { stdout?: boolean; stderr?: boolean; stdin?: boolean; color?: boolean };
}

/** A minimal environment: no inherited secrets, colour off, a temp home. */
export function baseEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    TETHER_HOME: join(home, ".tether"),
    NO_COLOR: "1",
    LANG: "C.UTF-8",
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export async function runTether(args: string[], options: RunOptions): Promise<RunResult> {
  if (options.binary || options.process) return runTetherProcess(args, options);
  const made: TestContext[] = [];
  const code = await runCli(args, ({ configPath }) => {
    const ctx = createTestContext({
      env: baseEnv(options.home, options.env),
      cwd: options.cwd ?? options.home,
      stdin: options.stdin,
      configPath,
      now: options.now,
      sleep: options.sleep,
      stdoutTTY: options.tty?.stdout,
      stderrTTY: options.tty?.stderr,
      stdinTTY: options.tty?.stdin,
      color: options.tty?.color,
      daemonWaits: options.daemonWaits,
    });
    made.push(ctx);
    return ctx;
  });
  return { stdout: made.map((c) => c.stdout()).join(""), stderr: made.map((c) => c.stderr()).join(""), code };
}

async function runTetherProcess(args: string[], options: RunOptions): Promise<RunResult> {
  // The product as shipped, and far quicker to start than `bun src/main.ts` when tests start many.
  const binary = options.binary ?? (await ensureHostBinary());
  const command = [binary, ...args];
  const child = Bun.spawn(command, {
    cwd: options.cwd ?? options.home,
    env: baseEnv(options.home, options.env),
    stdin: options.stdin !== undefined ? new Blob([options.stdin]) : "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: options.timeoutMs ?? 60_000,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, code };
}

/** A fresh temp directory used as HOME (TETHER_HOME is HOME/.tether). */
export function makeHome(): { home: string; tetherHome: string; configPath: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), "tether-test-"));
  const tetherHome = join(home, ".tether");
  return {
    home,
    tetherHome,
    configPath: join(tetherHome, "config.toml"),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** The result, or a failure that shows what the command printed. */
export function expectOk(result: RunResult): RunResult {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

/**
 * Whether a process still runs (signal 0 checks without touching it). On Linux a zombie counts as
 * gone: it has ended and only waits for a parent to reap it, which for an orphan may take a while.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    // The state follows the command name, which is in parentheses and may itself hold ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false; // reaped between the two checks
  }
}

/**
 * A fresh temp home for each test of the file (or describe block it is called in), and the fixtures
 * a test started (push them on `fixtures`) stopped after it.
 */
export function homePerTest(): { readonly home: ReturnType<typeof makeHome>; fixtures: { stop(): Promise<void> }[] } {
  let home: ReturnType<typeof makeHome> | undefined;
  const fixtures: { stop(): Promise<void> }[] = [];
  beforeEach(() => {
    home = makeHome();
  });
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.stop()));
    home?.cleanup();
  });
  return {
    get home() {
      if (!home) throw new Error("homePerTest: used outside a test");
      return home;
    },
    fixtures,
  };
}
