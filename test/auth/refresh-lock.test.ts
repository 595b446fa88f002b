// The per-server refresh lock where it lives: real lock files under a temp TETHER_HOME.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { holdRefreshLock, refreshLockPath, withRefreshLock } from "../../src/auth/refresh-lock.ts";
import { AuthError, TetherError } from "../../src/errors.ts";

const KEY = "docs|0123456789abcdef";
let home = "";
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "tether-lock-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

test("the lock is one file per server under $TETHER_HOME/locks", () => {
  expect(refreshLockPath("/h", KEY)).toBe(join("/h", "locks", "refresh-docs-0123456789abcdef.lock"));
});

test("refreshes of one server take turns; the lock is gone afterwards", async () => {
  let inside = 0;
  let most = 0;
  const order: string[] = [];
  const refresh = (name: string) =>
    withRefreshLock(home, KEY, async () => {
      most = Math.max(most, ++inside);
      order.push(`${name} in`);
      await Promise.resolve();
      order.push(`${name} out`);
      inside--;
      return name;
    });
  expect(await Promise.all([refresh("a"), refresh("b"), refresh("c")])).toEqual(["a", "b", "c"]);
  expect(most).toBe(1);
  expect(order).toHaveLength(6);
  expect(existsSync(refreshLockPath(home, KEY))).toBe(false);
});

test("another server's refresh does not wait", async () => {
  const release = await holdRefreshLock(home, KEY);
  try {
    expect(await withRefreshLock(home, "other|fedcba9876543210", async () => "ran", { timeoutMs: 0 })).toBe("ran");
  } finally {
    release();
  }
});

test("an error inside the lock passes through unchanged, and the lock is released", async () => {
  const thrown = new TetherError("refresh went wrong");
  await expect(withRefreshLock(home, KEY, async () => Promise.reject(thrown))).rejects.toBe(thrown);
  const plain = new Error("not a TetherError");
  await expect(withRefreshLock(home, KEY, async () => Promise.reject(plain))).rejects.toBe(plain);
  expect(existsSync(refreshLockPath(home, KEY))).toBe(false);
});

test("a lock held past the wait is an AuthError saying so", async () => {
  const release = await holdRefreshLock(home, KEY);
  try {
    const error = await withRefreshLock(home, KEY, async () => "never", { timeoutMs: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toStartWith("cannot take the OAuth refresh lock: timed out waiting for lock ");
  } finally {
    release();
  }
  // Released: the next one gets in.
  expect(await withRefreshLock(home, KEY, async () => "next")).toBe("next");
});

test("an unwritable lock directory is an AuthError, not a crash", async () => {
  const notADirectory = join(home, "file");
  writeFileSync(notADirectory, "");
  const error = await withRefreshLock(notADirectory, KEY, async () => "never").catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).message).toStartWith("cannot take the OAuth refresh lock: ");
});

test("holdRefreshLock keeps the lock until released (the SDK-driven refresh)", async () => {
  const release = await holdRefreshLock(home, KEY);
  expect(existsSync(refreshLockPath(home, KEY))).toBe(true);
  const waiting = withRefreshLock(home, KEY, async () => "after");
  release();
  expect(await waiting).toBe("after");
  await Bun.sleep(0);
  expect(existsSync(refreshLockPath(home, KEY))).toBe(false);
});
