// Reads config.toml: parse with smol-toml, validate (skipped when this exact content already
// passed with this tether version), normalize.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { parse, TomlError } from "smol-toml";
import type { Context } from "../context.ts";
import { ConfigError } from "../errors.ts";
import { isKnownValid, rememberValid } from "./validation-cache.ts";
import { normalizeConfig } from "./normalize.ts";
import type { RawConfig } from "./schema.ts";
import type { TetherConfig } from "./types.ts";

export interface LoadedConfig {
  path: string;
  /** The file's text ("" when it does not exist yet). */
  source: string;
  exists: boolean;
  raw: RawConfig;
  config: TetherConfig;
}

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

/**
 * The file's text, or undefined when it does not exist. It must be a regular file of at most
 * MAX_CONFIG_BYTES: opened without blocking (a FIFO would wait forever for a writer), checked
 * with fstat on the open descriptor, and read no further than the cap.
 */
export function readConfigSource(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new ConfigError(`cannot read ${path} (${code ?? String(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new ConfigError(`${path} is not a regular file (${fileKind(stat)})`, { hint: "point --config or $TETHER_HOME at a TOML file" });
    }
    const tooBig = () =>
      new ConfigError(`${path} is larger than ${MAX_CONFIG_BYTES} bytes (the config size limit)`, {
        hint: "a config.toml is a few KiB; check that this is the right file",
      });
    if (stat.size > MAX_CONFIG_BYTES) throw tooBig();
    // Read one byte past the cap: a file that grew since fstat is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_CONFIG_BYTES) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_CONFIG_BYTES) throw tooBig();
      if (length === buffer.length) break;
    }
    return buffer.toString("utf8", 0, length);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read ${path} (${code ?? String(error)})`);
  } finally {
    closeSync(fd);
  }
}

function fileKind(stat: import("node:fs").Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a named pipe";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
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
