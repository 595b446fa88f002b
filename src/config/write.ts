// Read-modify-write of config.toml under a lock: the edit is validated before it replaces the
// file atomically, so a crash or a concurrent tether never loses or corrupts the config.
import { dirname } from "node:path";
import type { Context } from "../context.ts";
import { ensureHomeDir, ensurePrivateDir, withFileLock, writeFileAtomic } from "../files/atomic.ts";
import { ConfigError } from "../errors.ts";
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
 * With `dryRun`, the edit is made and validated the same way and nothing is written (nor created),
 * so a dry run reports what the real one would.
 */
export async function updateConfigFile<T>(
  ctx: Context,
  edit: (source: string) => { source: string; result: T },
  options: { dryRun?: boolean } = {},
): Promise<T> {
  const path = ctx.paths.config;
  const prepare = async (before: string) => {
    ctx.signal.throwIfAborted();
    const { source, result } = edit(before);
    if (source !== before) await validateEdited(before, source, path);
    return { source, result };
  };
  if (options.dryRun) return (await prepare(readConfigSource(path) ?? "")).result;
  ensureHomeDir(ctx.paths.home);
  ensurePrivateDir(dirname(path));
  const commit = (before: string, source: string) => {
    if (source === before) return;
    // Ctrl-C or SIGTERM while this run waited or worked: the file stays as it was.
    ctx.signal.throwIfAborted();
    writeFileAtomic(path, source, 0o600);
    ctx.forgetConfig();
    rememberValid(ctx.paths.home, ctx.version, source);
  };
  const lockOptions = { signal: ctx.signal, onWait: (holder: string) => ctx.log.debug(`waiting for ${path}.lock${holder}`) };
  for (let round = 0; round < OPTIMISTIC_ROUNDS; round++) {
    const before = readConfigSource(path) ?? "";
    const { source, result } = await prepare(before);
    const committed = await withFileLock(
      `${path}.lock`,
      () => {
        if ((readConfigSource(path) ?? "") !== before) return false;
        commit(before, source);
        return true;
      },
      lockOptions,
    );
    if (committed) return result;
  }
  return withFileLock(
    `${path}.lock`,
    async () => {
      const before = readConfigSource(path) ?? "";
      const { source, result } = await prepare(before);
      commit(before, source);
      return result;
    },
    lockOptions,
  );
}

/**
 * Validates the edited text. When the text before was valid, a problem is the edit's (a line
 * number would point into text that was never written): it is reported without one.
 */
async function validateEdited(before: string, source: string, path: string): Promise<void> {
  try {
    await validateParsed(parseConfigSource(source, path), source, path);
  } catch (error) {
    if (!(error instanceof ConfigError) || !(await isValid(before, path))) throw error;
    throw new ConfigError(`the change would make ${path} invalid (nothing was written): ${error.message}`, { hint: error.hint });
  }
}

async function isValid(source: string, path: string): Promise<boolean> {
  try {
    await validateParsed(parseConfigSource(source, path), source, path);
    return true;
  } catch {
    return false;
  }
}
