// Crash-safe file writes and a cross-process lock, shared by the config and the credential file.
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/** Creates `dir` (and parents) with mode 0700 if it does not exist. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * $TETHER_HOME: created 0700, and made 0700 again when it exists with a looser mode (it holds the
 * credential file and locks). Only for the home: a `--config` file's directory is the user's own.
 */
export function ensureHomeDir(home: string): void {
  ensurePrivateDir(home);
  if (process.platform === "win32") return;
  try {
    if ((statSync(home).mode & 0o077) !== 0) chmodSync(home, 0o700);
  } catch {
    // Not ours to change (another owner): the writes that follow say what is wrong.
  }
}

/**
 * Writes `content` to a temp file beside `path`, fsyncs it and renames it over `path`,
 * so readers see the old file or the new one, never a torn one. Temp files left by writers that
 * were killed are removed on the way.
 */
export function writeFileAtomic(path: string, content: string, mode = 0o600, options: { durable?: boolean } = {}): void {
  ensurePrivateDir(dirname(path));
  removeOrphanedTemps(path);
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(temp, "w", mode);
    try {
      writeSync(fd, content);
      // Durable by default (config, credentials); a cache may skip the flush to disk.
      if (options.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * `PATH.<pid>.<random>.tmp` files whose writer is gone: a kill between open and rename leaves
 * one. A live writer's temp file is left alone.
 */
function removeOrphanedTemps(path: string): void {
  const base = basename(path);
  // PATH.<pid>.<random>.tmp, and the lock's own PATH.lock[.break].<pid>.<random>.tmp.
  const pattern = /^\.(?:lock\.(?:break\.)?)?(\d+)\.[a-z0-9]+\.tmp$/;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const match = pattern.exec(name.slice(base.length));
    if (!match || isProcessAlive(Number(match[1]))) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

export interface LockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /**
   * A lock whose holder cannot be checked (written by an older tether, unreadable) is broken once
   * it is this old (ms). A lock whose holder is known to be gone is taken over at once.
   */
  staleMs?: number;
  /** Stop waiting when it aborts (Ctrl-C, SIGTERM): throws its reason, the lock not taken. */
  signal?: AbortSignal;
  /** Called once when the lock is found held, with " (held by process N, still running)" or the like. */
  onWait?: (holder: string) => void;
}

/**
 * A writer holds a lock for milliseconds (validation happens outside it), but a hundred writers
 * started at once on a slow machine queue behind each other: wait long enough for all of them.
 */
export const DEFAULT_LOCK_OPTIONS: Required<Pick<LockOptions, "timeoutMs" | "staleMs">> = { timeoutMs: 120_000, staleMs: 30_000 };

/** What a lock file says about its holder. */
interface LockOwner {
  pid: number;
  /** The process's start time as the OS knows it, so a reused PID is not mistaken for the holder. */
  start?: string;
}

/** Runs `fn` while holding `lockPath` (a lock file created atomically), across processes. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const { timeoutMs, staleMs } = { ...DEFAULT_LOCK_OPTIONS, ...options };
  ensurePrivateDir(dirname(lockPath));
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  const owner = JSON.stringify({ pid: process.pid, start: processStart(process.pid) } satisfies LockOwner);
  // While the lock is held, a waiter only looks (one stat, one small read); it tries to create the
  // lock when it is gone. A hundred waiters polling with temp files and links cost more CPU than the writes.
  const { signal, onWait } = options;
  let waited = false;
  while (existsSync(lockPath) || !tryLock(lockPath, owner)) {
    signal?.throwIfAborted();
    if (takeOverIfAbandoned(lockPath, staleMs)) continue;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for lock ${lockPath}${describeHolder(lockPath)}`);
    }
    if (!waited) onWait?.(describeHolder(lockPath));
    waited = true;
    await sleepUnlessAborted(delay + Math.random() * delay, signal);
    delay = Math.min(delay * 2, 100);
  }
  if (signal?.aborted) {
    rmSync(lockPath, { force: true });
    signal.throwIfAborted();
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

/** Waits `ms`, or less when `signal` aborts (the caller checks it next). */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return Bun.sleep(ms);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Creates the lock with its owner already inside: written to a temp file, then hard-linked into
 * place (link fails if the lock exists). A kill can never leave an empty lock file behind.
 */
function tryLock(lockPath: string, owner: string): boolean {
  const temp = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, owner);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, lockPath);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EXDEV") throw error;
    }
    // No hard links here (some file systems): O_EXCL create, then the owner.
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, owner);
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Removes the lock when its holder is gone (dead PID, or a PID reused by a younger process), or
 * when its holder cannot be checked and it is older than `staleMs`. Breaking happens under a
 * second lock, re-reading the lock first, so two waiters never both break it and one of them
 * never removes the lock the other just took.
 */
function takeOverIfAbandoned(lockPath: string, staleMs: number): boolean {
  const seen = readLock(lockPath);
  if (seen === undefined || !isAbandoned(lockPath, seen, staleMs)) return false;
  const breaker = `${lockPath}.break`;
  if (!tryLock(breaker, JSON.stringify({ pid: process.pid, start: processStart(process.pid) }))) {
    // Another waiter is breaking it; a breaker whose holder died is itself removed.
    const other = readLock(breaker);
    if (other !== undefined && isAbandoned(breaker, other, 2_000)) rmSync(breaker, { force: true });
    return false;
  }
  try {
    if (readLock(lockPath) !== seen) return false;
    unlinkSync(lockPath);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(breaker, { force: true });
  }
}

function readLock(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, "utf8");
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && Number.isInteger((value as LockOwner).pid)) return value as LockOwner;
  } catch {
    // An older tether wrote the bare PID.
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? { pid } : undefined;
}

function isAbandoned(lockPath: string, text: string, staleMs: number): boolean {
  const owner = parseOwner(text);
  if (owner && owner.pid !== process.pid) {
    if (!isProcessAlive(owner.pid)) return true;
    const start = processStart(owner.pid);
    if (owner.start !== undefined && start !== undefined && start !== owner.start) return true;
    if (owner.start !== undefined) return false;
  }
  // Holder unknown, or an older tether's bare PID that is still in use: only age tells.
  try {
    return Date.now() - statSync(lockPath).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

function describeHolder(lockPath: string): string {
  const owner = parseOwner(readLock(lockPath) ?? "");
  return owner ? ` (held by process ${owner.pid}, still running)` : " (remove it if no tether is running)";
}

/**
 * Whether `pid` still runs: signal 0 checks without touching it (EPERM: it does, under another
 * user). On Linux a zombie counts as gone: it has ended and only waits for its parent to reap it
 * (an orphan's parent is init, which may take a while). Lock holders and the keep-alive daemon's
 * pid checks (its own, and its stdio servers') share it.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (process.platform !== "linux") return true;
  try {
    // The state follows the command name, which is in parentheses and may itself hold ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

/**
 * When the OS says `pid` started, as an opaque string: on Linux the start time in clock ticks
 * since boot from /proc (exact, unlike wall-clock times). Undefined elsewhere; there the PID alone decides.
 */
function processStart(pid: number): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}
