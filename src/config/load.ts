// Reads config.toml: parse with smol-toml, validate (skipped when this exact content already
// passed with this tether version), normalize.
import { readFileSync } from "node:fs";
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

// One read per run: `mcp list` would otherwise parse the file again for the credential store.
const loaded = new WeakMap<Context, Promise<LoadedConfig>>();

export function loadConfig(ctx: Context): Promise<LoadedConfig> {
  let config = loaded.get(ctx);
  if (!config) {
    config = readConfig(ctx);
    loaded.set(ctx, config);
    config.catch(() => loaded.delete(ctx));
  }
  return config;
}

/** After a write: the next loadConfig reads the file again. */
export function forgetLoadedConfig(ctx: Context): void {
  loaded.delete(ctx);
}

async function readConfig(ctx: Context): Promise<LoadedConfig> {
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

/** The file's text, or undefined when it does not exist. */
export function readConfigSource(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new ConfigError(`cannot read ${path} (${code ?? String(error)})`);
  }
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
