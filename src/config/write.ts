// Read-modify-write of config.toml under a lock: the edit is validated before it replaces the
// file atomically, so a crash or a concurrent tether never loses or corrupts the config.
import { dirname } from "node:path";
import type { Context } from "../context.ts";
import { ensurePrivateDir, withFileLock, writeFileAtomic } from "../files/atomic.ts";
import { forgetLoadedConfig, parseConfigSource, readConfigSource, validateParsed } from "./load.ts";
import { rememberValid } from "./validation-cache.ts";

/** Applies `edit` to the current text; `edit` may throw to abort without writing. */
export async function updateConfigFile<T>(
  ctx: Context,
  edit: (source: string) => { source: string; result: T },
): Promise<T> {
  const path = ctx.paths.config;
  ensurePrivateDir(ctx.paths.home);
  ensurePrivateDir(dirname(path));
  return withFileLock(`${path}.lock`, async () => {
    const before = readConfigSource(path) ?? "";
    const { source, result } = edit(before);
    if (source !== before) {
      await validateParsed(parseConfigSource(source, path), source, path);
      writeFileAtomic(path, source, 0o600);
      forgetLoadedConfig(ctx);
      rememberValid(ctx.paths.home, ctx.version, source);
    }
    return result;
  });
}
