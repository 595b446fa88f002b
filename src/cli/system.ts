// Builds the real Context from the process: the one place that reads process.env, the real
// streams, the clock and global fetch.
import { spawn } from "node:child_process";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Context } from "../context.ts";
import { VERSION } from "../version.ts";

export interface SystemContextOptions {
  configPath?: string;
}

export interface SystemContext extends Context {
  /** Runs the atExit cleanups once, in reverse order, each bounded by `timeoutMs`. */
  runCleanups(timeoutMs: number): Promise<void>;
  abort(reason: unknown): void;
}

export function createSystemContext(options: SystemContextOptions = {}): SystemContext {
  const env = process.env;
  const home = env.TETHER_HOME ? resolve(env.TETHER_HOME) : join(homedir(), ".tether");
  const stdoutIsTTY = Boolean(process.stdout.isTTY);
  const cleanups: (() => Promise<void> | void)[] = [];
  const controller = new AbortController();
  const ctx: SystemContext = {
    io: {
      stdout: { write: (chunk) => void process.stdout.write(chunk) },
      stderr: { write: (chunk) => void process.stderr.write(chunk) },
      stdin: process.stdin,
      stdinIsTTY: Boolean(process.stdin.isTTY),
      stdoutIsTTY,
      stderrIsTTY: Boolean(process.stderr.isTTY),
      color: stdoutIsTTY && !env.NO_COLOR && env.TERM !== "dumb",
    },
    env,
    paths: { home, config: options.configPath ? resolve(options.configPath) : join(home, "config.toml") },
    version: VERSION,
    debug: env.TETHER_DEBUG === "1",
    now: () => Date.now(),
    fetch: globalThis.fetch,
    openUrl,
    signal: controller.signal,
    atExit: (cleanup) => void cleanups.push(cleanup),
    abort: (reason) => controller.abort(reason),
    async runCleanups(timeoutMs) {
      const pending = cleanups.splice(0).reverse();
      const all = Promise.allSettled(pending.map(async (cleanup) => cleanup()));
      await Promise.race([all, Bun.sleep(timeoutMs)]);
    },
  };
  return ctx;
}

/** Opens a URL with the platform's opener; a missing opener is not an error (the URL is printed too). */
async function openUrl(url: string): Promise<void> {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", '""', url.replaceAll("&", "^&")]]
        : ["xdg-open", [url]];
  await new Promise<void>((done) => {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.on("error", () => done());
    child.on("spawn", () => {
      child.unref();
      done();
    });
  });
}
