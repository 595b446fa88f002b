// Read-modify-write of config.toml under a lock: the edit is validated before it replaces the
// file atomically, so a crash or a concurrent tether never loses or corrupts the config.
import { dirname } from "node:path";
import type { Context } from "../context.ts";
import { ensureHomeDir, ensurePrivateDir, withFileLock, writeFileAtomic } from "../files/atomic.ts";
import { parseConfigSource, readConfigSource, validateParsed } from "./load.ts";
import { rememberValid } from "./validation-cache.ts";

/** Optimistic rounds before a writer gives up on validating outside the lock (see below). */
const OPTIMISTIC_ROUNDS = 3;

/**
 * Applies `edit` to the current text; `edit` may throw to abort without writing.
 *
 * Validation (loading the schema library, tens of ms) runs outside the lock: the edit is made
 * and validated on the text as read, then committed under the lock only if the file is still
 * that text; otherwise the round starts again on the new text. Under heavy contention a writer
 * falls back to editing and validating inside the lock, where the schema is loaded by then.
 */
export async function updateConfigFile<T>(
  ctx: Context,
  edit: (source: string) => { source: string; result: T },
): Promise<T> {
  const path = ctx.paths.config;
  ensureHomeDir(ctx.paths.home);
  ensurePrivateDir(dirname(path));
  const prepare = async (before: string) => {
    const { source, result } = edit(before);
    if (source !== before) await validateParsed(parseConfigSource(source, path), source, path);
    return { source, result };
  };
  const commit = (before: string, source: string) => {
    if (source === before) return;
    writeFileAtomic(path, source, 0o600);
    ctx.forgetConfig();
    rememberValid(ctx.paths.home, ctx.version, source);
  };
  for (let round = 0; round < OPTIMISTIC_ROUNDS; round++) {
    const before = readConfigSource(path) ?? "";
    const { source, result } = await prepare(before);
    const committed = await withFileLock(`${path}.lock`, () => {
      if ((readConfigSource(path) ?? "") !== before) return false;
      commit(before, source);
      return true;
    });
    if (committed) return result;
  }
  return withFileLock(`${path}.lock`, async () => {
    const before = readConfigSource(path) ?? "";
    const { source, result } = await prepare(before);
    commit(before, source);
    return result;
  });
}
