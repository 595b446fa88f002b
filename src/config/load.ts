// Reads config.toml: parse with smol-toml, validate (skipped when this exact content already
// passed with this tether version), normalize.
import { parse, TomlError } from "smol-toml";
import type { Context } from "../context.ts";
import { ConfigError } from "../errors.ts";
import { readBoundedText } from "../files/bounded-read.ts";
import { isKnownValid, rememberValid } from "./validation-cache.ts";
import { normalizeConfig } from "./normalize.ts";
import type { RawConfig } from "./schema.ts";
import type { LoadedConfig } from "./types.ts";

/** Reads the file now; commands use ctx.config(), which calls this once per run (cli/factory.ts). */
export async function readConfig(ctx: Pick<Context, "paths" | "version">): Promise<LoadedConfig> {
  const path = ctx.paths.config;
  const source = readConfigSource(path);
  if (source === undefined) {
    return { path, source: "", exists: false, raw: {}, config: normalizeConfig({}) };
  }
  const raw = parseConfigSource(source, path);
  if (!isKnownValid(ctx.paths.home, ctx.version, source)) {
    await validateParsed(raw, source, path);
    rememberValid(ctx.paths.home, ctx.version, source);
  }
  return { path, source, exists: true, raw, config: normalizeConfig(raw) };
}

/** Full validation, loading the schema library on demand. */
export async function validateParsed(raw: RawConfig, source: string, path: string): Promise<void> {
  const { validateConfig } = await import("./validate.ts");
  validateConfig(raw as Record<string, unknown>, source, path);
}

/**
 * The most bytes config.toml may have. Real configs are a few KiB; the cap keeps a mistaken path
 * (a log, a symlink to /dev/zero) from filling memory.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The file's text, or undefined when it does not exist: a regular file of at most MAX_CONFIG_BYTES. */
export function readConfigSource(path: string): string | undefined {
  return readBoundedText(path, {
    maxBytes: MAX_CONFIG_BYTES,
    limitName: "the config size limit",
    notAFileHint: "point --config or $TETHER_HOME at a TOML file",
    tooBigHint: "a config.toml is a few KiB; check that this is the right file",
  });
}

export function parseConfigSource(source: string, path: string): RawConfig {
  try {
    return parse(source) as RawConfig;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
    throw new ConfigError(`invalid TOML: ${reason}`, {
      file: path,
      line: error.line,
      column: error.column,
      hint: "fix the syntax at that line; see https://toml.io",
    });
  }
}
