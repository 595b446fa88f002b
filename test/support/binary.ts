// The compiled tether executable for end-to-end tests: built once per test run, reused while fresh.
//
// Tests never use dist/ (it may hold a `--no-otel` or release build, and tests must not overwrite
// it); they build the host target with build.ts's own compile step into .tmp/bin/. The binary is
// reused while no input (src/, package.json, package-lock.json, build.ts) is newer than it.
// TETHER_TEST_BINARY=/path/to/tether runs the tests against a given binary instead (e.g. a release
// build in CI).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { compileExecutable, hostTarget, resolveKeyringAddon, ROOT } from "../../build.ts";

export const TEST_BIN_DIR: string = path.join(ROOT, ".tmp/bin");

let pending: Promise<string> | undefined;

/** Path of a fresh host executable; the first call in a process may take a few seconds. */
export function ensureHostBinary(): Promise<string> {
  const given = process.env.TETHER_TEST_BINARY;
  if (given) return Promise.resolve(path.resolve(given));
  pending ??= buildIfStale();
  return pending;
}

async function buildIfStale(): Promise<string> {
  const target = hostTarget();
  const binary = path.join(TEST_BIN_DIR, target.fileName);
  const builtAt = mtimeOf(binary);
  if (builtAt !== undefined && builtAt >= newestInput()) return binary;

  mkdirSync(TEST_BIN_DIR, { recursive: true });
  // Inputs changed after this instant make the next run rebuild, even if this build read them.
  const started = new Date();
  // Several test processes may build at once (other engineers, watch mode): each writes its own
  // file and renames it into place, so a reader never sees a half-written executable.
  const ext = path.extname(target.fileName);
  const temp = path.join(TEST_BIN_DIR, `.build-${process.pid}-${Date.now()}${ext}`);
  try {
    await compileExecutable({
      entry: path.join(ROOT, "src/main.ts"),
      target,
      outfile: temp,
      keyringAddon: await resolveKeyringAddon(target),
    });
    utimesSync(temp, started, started);
    renameSync(temp, binary);
  } finally {
    rmSync(temp, { force: true });
  }
  return binary;
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestInput(): number {
  let newest = 0;
  for (const file of ["package.json", "package-lock.json", "build.ts"]) {
    newest = Math.max(newest, mtimeOf(path.join(ROOT, file)) ?? 0);
  }
  // Directories too: deleting or renaming a file changes only its directory's mtime.
  const src = path.join(ROOT, "src");
  newest = Math.max(newest, mtimeOf(src) ?? 0);
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    newest = Math.max(newest, mtimeOf(path.join(entry.parentPath, entry.name)) ?? 0);
  }
  return newest;
}
