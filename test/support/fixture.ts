// Starts the fixture MCP server (fixture-server.ts) as a real child process for tests, and cleans it up.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFresh } from "./binary.ts";

export const FIXTURE_SERVER_PATH: string = fileURLToPath(new URL("./fixture-server.ts", import.meta.url));

/** The bun binary: this one when the tests run under bun, else the project's pinned copy. */
export const BUN_PATH: string = process.versions.bun
  ? process.execPath
  : fileURLToPath(new URL("../../node_modules/.bin/bun", import.meta.url));

// Generous: test files run in parallel on two cores, and a busy machine starts processes slowly.
export const DEFAULT_FIXTURE_STARTUP_TIMEOUT_MS = 30_000;

const SUPPORT_DIR = dirname(FIXTURE_SERVER_PATH);
const FIXTURE_EXECUTABLE = join(SUPPORT_DIR, "../../.tmp/bin/fixture-server");
/**
 * JavaScriptCore's tier-up thresholds scaled at start, as build.ts does for tether: a fixture that
 * answers a few requests and exits (most of the ~1,100 a suite starts) spent a third of its CPU
 * compiling code it would not run again (58 → 38 ms for initialize, tools/list and one call).
 */
const FIXTURE_JIT_POLICY = 100;
let fixtureFresh = false;

/**
 * The fixture server compiled once per change (bun build --compile, bytecode) into .tmp/bin: it
 * starts in a third of the CPU of `bun fixture-server.ts`, and the suite starts it hundreds of
 * times. Rebuilt when a file in test/support or the lockfile is newer; parallel test workers that
 * build at once each write their own file and rename it into place.
 */
export function fixtureExecutable(): string {
  if (fixtureFresh) return FIXTURE_EXECUTABLE;
  ensureFresh(FIXTURE_EXECUTABLE, [SUPPORT_DIR, join(SUPPORT_DIR, "../../package-lock.json")], (temp) => {
    const build = Bun.spawnSync(
      [BUN_PATH, "build", FIXTURE_SERVER_PATH, "--compile", "--bytecode", "--format=esm", `--compile-jit-policy=${FIXTURE_JIT_POLICY}`, "--define", `FIXTURE_BUN_PATH=${JSON.stringify(BUN_PATH)}`, "--outfile", temp],
      { stdout: "pipe", stderr: "pipe" },
    );
    if (!build.success) throw new Error(`could not build the fixture server:\n${build.stderr.toString()}`);
  });
  fixtureFresh = true;
  return FIXTURE_EXECUTABLE;
}

export type RefreshMode = "ok" | "500" | "invalid_grant";

export interface FixtureHandle {
  /** `http://127.0.0.1:PORT/mcp` */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  pid: number;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** Kills the server (SIGTERM, then SIGKILL) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /** GET /_test/stats: request counters and headers always; OAuth counters in --oauth mode. */
  stats(): Promise<any>;
  /** POST /_test/expire-all (OAuth): every current access token is expired. */
  expireAllTokens(): Promise<void>;
  /** POST /_test/revoke-all-refresh (OAuth): every refresh token now gets invalid_grant. */
  revokeAllRefreshTokens(): Promise<void>;
  /** POST /_test/refresh-mode (OAuth): how the refresh_token grant answers from now on. */
  setRefreshMode(mode: RefreshMode): Promise<void>;
}

export interface StdioFixtureCommand {
  command: string;
  args: string[];
}

/** command + args for a stdio server config (StdioClientTransport, or tether's `[mcp_servers.x]`). */
export function stdioFixtureCommand(args: string[] = []): StdioFixtureCommand {
  return { command: fixtureExecutable(), args: ["--stdio", ...args] };
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = waitForExit(child);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(timer);
  }
  live.delete(child);
}

/** Spawns `fixture-server --http ...args` and resolves once it prints its URL line. */
export async function startHttpFixture(
  args: string[] = [],
  timeoutMs: number = DEFAULT_FIXTURE_STARTUP_TIMEOUT_MS,
): Promise<FixtureHandle> {
  const child = spawn(fixtureExecutable(), ["--http", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let stderr = "";
  let stdout = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));

  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    const fail = (why: string) =>
      reject(new Error(`fixture server did not start: ${why}\nargs: ${args.join(" ")}\nstderr:\n${stderr}`));
    const timer = setTimeout(() => fail(`no URL line within ${timeoutMs} ms`), timeoutMs);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, newline)));
      } catch {
        fail(`bad URL line ${JSON.stringify(stdout.slice(0, newline))}`);
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // Let the stderr pipe drain so the error shows what the server said.
      setTimeout(() => fail(`exited with ${signal ?? `code ${code}`}`), 50);
    });
  });

  let info: { url: string; port: number };
  try {
    info = await ready;
  } catch (error) {
    await stopChild(child);
    throw error;
  }

  const origin = new URL(info.url).origin;
  const control = async (method: "GET" | "POST", path: string, body?: string) => {
    const response = await fetch(`${origin}${path}`, { method, body });
    if (!response.ok) throw new Error(`fixture ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    url: info.url,
    origin,
    port: info.port,
    pid: child.pid!,
    stderr: () => stderr,
    stop: () => stopChild(child),
    stats: () => control("GET", "/_test/stats"),
    expireAllTokens: async () => void (await control("POST", "/_test/expire-all")),
    revokeAllRefreshTokens: async () => void (await control("POST", "/_test/revoke-all-refresh")),
    setRefreshMode: async (mode) => void (await control("POST", "/_test/refresh-mode", mode)),
  };
}
