// Crash-safe file writes and a cross-process lock, shared by the config and the credential file.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Creates `dir` (and parents) with mode 0700 if it does not exist. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes `content` to a temp file beside `path`, fsyncs it and renames it over `path`,
 * so readers see the old file or the new one, never a torn one.
 */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  ensurePrivateDir(dirname(path));
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(temp, "w", mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export interface LockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** A lock file older than this (ms) is from a crashed process and is broken. */
  staleMs?: number;
}

export const DEFAULT_LOCK_OPTIONS: Required<LockOptions> = { timeoutMs: 15_000, staleMs: 30_000 };

/** Runs `fn` while holding `lockPath` (an O_EXCL lock file), across processes. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const { timeoutMs, staleMs } = { ...DEFAULT_LOCK_OPTIONS, ...options };
  ensurePrivateDir(dirname(lockPath));
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      breakIfStale(lockPath, staleMs);
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for lock ${lockPath} (remove it if no tether is running)`);
      }
      await Bun.sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function breakIfStale(lockPath: string, staleMs: number): void {
  try {
    if (Date.now() - statSync(lockPath).mtimeMs > staleMs) unlinkSync(lockPath);
  } catch {
    // Gone already, or unreadable: the next attempt decides.
  }
}
