// Drives `tether mcp login` the way a user on a headless machine would: read the printed URL from
// stderr, "open" it (GET without following the redirect), then hit the loopback callback or paste it.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { StoredCredentials } from "../../src/auth/store/credentials.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { baseEnv, type RunResult } from "../support/cli.ts";
import { followAuthorizeRedirect } from "../support/oauth-headless.ts";

export interface LiveTether {
  /** Resolves with the first match of `pattern` in stderr so far or to come; rejects if tether exits first. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  write(text: string): void;
  finished: Promise<RunResult>;
}

export interface StartOptions {
  home: string;
  env?: Record<string, string | undefined>;
  /** Run this executable instead of the freshly compiled host binary. */
  binary?: string;
}

/** Starts tether with a pipe on stdin, so a test can answer its prompts. */
export async function startTether(args: string[], options: StartOptions): Promise<LiveTether> {
  const command = [options.binary ?? (await ensureHostBinary()), ...args];
  const child = Bun.spawn(command, {
    cwd: options.home,
    env: baseEnv(options.home, options.env),
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  let stderr = "";
  const waiters: { pattern: RegExp; resolve(match: RegExpMatchArray): void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = stderr.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr as unknown as AsyncIterable<Uint8Array>) {
      stderr += decoder.decode(chunk, { stream: true });
      check();
    }
  })();
  const finished = (async () => {
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited, stderrDone]);
    return { stdout, stderr, code };
  })();
  return {
    waitForStderr(pattern) {
      const match = stderr.match(pattern);
      if (match) return Promise.resolve(match);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        finished.then((result) =>
          reject(new Error(`tether exited (${result.code}) before printing ${pattern}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)),
        );
      });
    },
    write(text) {
      child.stdin.write(text);
      child.stdin.flush();
    },
    finished,
  };
}

/** The authorization URL tether printed: the indented line of the login instructions. */
export const AUTHORIZE_LINE = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m;

export interface LoginRun extends RunResult {
  authorizationUrl: URL;
  /** What the loopback listener answered the "browser" (callback mode). */
  page?: { status: number; body: string };
}

/**
 * `tether mcp login NAME --no-browser`, completed headless: through the loopback callback (as a browser
 * would) or by pasting the final redirect URL on stdin. `tamper` changes the redirect before it is used.
 */
export async function loginHeadless(
  name: string,
  options: StartOptions & { via: "callback" | "paste"; extraArgs?: string[]; tamper?: (location: URL) => void; pasteFirst?: string },
): Promise<LoginRun> {
  const tether = await startTether(["mcp", "login", name, "--no-browser", ...(options.extraArgs ?? [])], options);
  const [, printed] = await tether.waitForStderr(AUTHORIZE_LINE);
  const authorizationUrl = new URL(printed!);
  const { location } = await followAuthorizeRedirect(authorizationUrl);
  options.tamper?.(location);
  let page: LoginRun["page"];
  if (options.via === "callback") {
    const response = await fetch(location);
    page = { status: response.status, body: await response.text() };
  } else {
    if (options.pasteFirst !== undefined) tether.write(`${options.pasteFirst}\n`);
    tether.write(`${location.href}\n`);
  }
  return { ...(await tether.finished), authorizationUrl, page };
}

export function writeConfig(tetherHome: string, toml: string): void {
  mkdirSync(tetherHome, { recursive: true, mode: 0o700 });
  writeFileSync(join(tetherHome, "config.toml"), toml, { mode: 0o600 });
}

/** The credential file's entries (file store), or {} when it does not exist. */
export function readCredentialFile(tetherHome: string): Record<string, StoredCredentials> {
  try {
    return JSON.parse(readFileSync(join(tetherHome, ".credentials.json"), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

/**
 * Makes the one stored login look an hour old and expired a second ago (file store), so the next
 * tether, even a separate process on the real clock, refreshes it: the clock is moved, not waited for.
 */
export function backdateExpiry(tetherHome: string): void {
  const entries = readCredentialFile(tetherHome);
  const keys = Object.keys(entries);
  if (keys.length !== 1) throw new Error(`expected one credential entry, found ${keys.length}`);
  const expiresAt = Date.now() - 1_000;
  entries[keys[0]!] = { ...entries[keys[0]!]!, expiresAt, savedAt: expiresAt - 3_600_000 };
  writeFileSync(join(tetherHome, ".credentials.json"), JSON.stringify(entries), { mode: 0o600 });
}

/** The one entry of the credential file (tests log in to one server at a time). */
export function onlyEntry(tetherHome: string): StoredCredentials | undefined {
  const entries = Object.values(readCredentialFile(tetherHome));
  if (entries.length > 1) throw new Error(`expected at most one credential entry, found ${entries.length}`);
  return entries[0];
}
