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
  const inputs = ["package.json", "package-lock.json", "build.ts", "src"].map((name) => path.join(ROOT, name));
  return ensureFresh(path.join(TEST_BIN_DIR, target.fileName), inputs, async (temp) => {
    await compileExecutable({
      entry: path.join(ROOT, "src/main.ts"),
      target,
      outfile: temp,
      keyringAddon: await resolveKeyringAddon(target),
    });
  });
}

/**
 * `outfile` as it is while no input (a file, or a directory and everything below it) is newer,
 * else built anew by `build(temp)` first. A synchronous `build` keeps the whole call synchronous.
 */
export function ensureFresh(outfile: string, inputs: readonly string[], build: (temp: string) => void): string;
export function ensureFresh(outfile: string, inputs: readonly string[], build: (temp: string) => Promise<void>): string | Promise<string>;
export function ensureFresh(outfile: string, inputs: readonly string[], build: (temp: string) => void | Promise<void>): string | Promise<string> {
  const builtAt = mtimeOf(outfile);
  if (builtAt !== undefined && builtAt >= newestInput(inputs)) return outfile;

  mkdirSync(path.dirname(outfile), { recursive: true });
  // Inputs changed after this instant make the next run rebuild, even if this build read them.
  const started = new Date();
  // Several test processes may build at once (other engineers, watch mode): each writes its own
  // file and renames it into place, so a reader never sees a half-written executable.
  const temp = path.join(path.dirname(outfile), `.build-${process.pid}-${Date.now()}${path.extname(outfile)}`);
  const finish = (): string => {
    utimesSync(temp, started, started);
    renameSync(temp, outfile);
    return outfile;
  };
  const cleanup = () => rmSync(temp, { force: true });
  let built: void | Promise<void>;
  try {
    built = build(temp);
  } catch (error) {
    cleanup();
    throw error;
  }
  if (built instanceof Promise) return built.then(finish).finally(cleanup);
  try {
    return finish();
  } finally {
    cleanup();
  }
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestInput(inputs: readonly string[]): number {
  let newest = 0;
  for (const input of inputs) {
    const stat = statSync(input);
    newest = Math.max(newest, stat.mtimeMs);
    // Directories too: deleting or renaming a file changes only its directory's mtime.
    if (!stat.isDirectory()) continue;
    for (const entry of readdirSync(input, { recursive: true, withFileTypes: true })) {
      newest = Math.max(newest, mtimeOf(path.join(entry.parentPath, entry.name)) ?? 0);
    }
  }
  return newest;
}
