// A short-lived cache of each server's tool, prompt and resource names, for shell completion: a
// Tab must not wait for a server to start, so every command that lists a server's names leaves
// them here, and `tether __complete` reads them back.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import type { ListKind } from "./connect.ts";
import { ensureHomeDir, ensurePrivateDir, writeFileAtomic } from "../files/atomic.ts";
import { isPlainObject } from "../values.ts";

export const NAME_KINDS: readonly ListKind[] = ["tools", "prompts", "resources"];

/** Younger than this, names are served as they are; older ones are still served, then refreshed. */
export const NAMES_FRESH_MS = 5 * 60_000;
/** Older than this, names are not served at all (a server not used for a day may have changed). */
export const NAMES_MAX_AGE_MS = 24 * 3600_000;
/** Bounds on what one server can put into the cache (and so onto a shell's command line). */
const MAX_NAMES = 1_000;
const MAX_NAME_LENGTH = 256;

/**
 * What a name from a server may look like to reach a shell. The scripts hand names to `compgen -W`,
 * which expands `$`, backticks and braces, and bash splits words at `:`-like breaks it knows; the
 * completion inserts the name unquoted. So: no whitespace, quotes, controls, globs, `$`, `~`, `=`,
 * `@`, `#`, `&`, `;`, `|`, `<`, `>`, braces or backslashes, and no leading `-` (it would read as a
 * flag). Tool and prompt names (`[A-Za-z0-9_.-]` by the spec) and ordinary URIs pass.
 */
const SHELL_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.:/%+,-]*$/;

function isShellSafeName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && SHELL_SAFE.test(name);
}

interface CachedList {
  at: number;
  names: string[];
}

type CacheFile = Partial<Record<ListKind, CachedList>>;

export interface CachedNames {
  names: string[];
  /** When they were listed (ctx.now() time). */
  at: number;
}

function cacheDir(ctx: Context): string {
  return join(ctx.paths.home, "cache", "names");
}

/**
 * One file per server entry of one config file: a digest of the config path and the whole entry,
 * so an edited entry (another command, URL or tool filter) starts empty, and no argument, URL or
 * header value is written out.
 */
function cachePath(ctx: Context, server: ServerConfig): string {
  const digest = new Bun.CryptoHasher("sha256").update(JSON.stringify([ctx.paths.config, server])).digest("hex").slice(0, 32);
  return join(cacheDir(ctx), `${digest}.json`);
}

function readFile(path: string): CacheFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return isPlainObject(parsed) ? (parsed as CacheFile) : {};
  } catch {
    // Missing or damaged: as if nothing were cached.
    return {};
  }
}

/** The names last listed for `kind`, if any and not older than NAMES_MAX_AGE_MS; only shell-safe ones. */
export function cachedNames(ctx: Context, server: ServerConfig, kind: ListKind): CachedNames | undefined {
  const entry = readFile(cachePath(ctx, server))[kind];
  if (!entry || typeof entry.at !== "number" || !Array.isArray(entry.names)) return undefined;
  if (ctx.now() - entry.at > NAMES_MAX_AGE_MS) return undefined;
  return { at: entry.at, names: entry.names.filter((n): n is string => typeof n === "string" && isShellSafeName(n)).slice(0, MAX_NAMES) };
}

/** Names a command just listed, by kind; a kind left out keeps what the cache holds. */
export type ListedNames = Partial<Record<ListKind, readonly string[]>>;

/**
 * Records what a command just listed, every kind in one write (a command passes all it listed at
 * once). Best effort: a read-only home, or two commands racing on one file, only costs a
 * completion its names until the next listing.
 */
export function rememberNames(ctx: Context, server: ServerConfig, listed: ListedNames): void {
  const path = cachePath(ctx, server);
  const file = readFile(path);
  const changed: ListKind[] = [];
  for (const kind of NAME_KINDS) {
    const names = listed[kind];
    if (!names) continue;
    const kept = [...new Set(names.filter(isShellSafeName))].slice(0, MAX_NAMES);
    const before = file[kind];
    // Every `mcp call` lists tools: the file is rewritten only when the names changed or have
    // stopped being fresh, not on every call.
    if (before && ctx.now() - before.at < NAMES_FRESH_MS / 2 && JSON.stringify(before.names) === JSON.stringify(kept)) continue;
    file[kind] = { at: ctx.now(), names: kept };
    changed.push(kind);
  }
  if (changed.length === 0) return;
  try {
    ensureHomeDir(ctx.paths.home);
    ensurePrivateDir(cacheDir(ctx));
    // A cache: losing it to a crash costs a Tab its names, so no fsync on the command's path.
    writeFileAtomic(path, `${JSON.stringify(file)}\n`, 0o600, { durable: false });
  } catch (error) {
    ctx.log.debug(`could not cache the ${changed.join(" and ")} of server "${server.name}": ${error instanceof Error ? error.message : String(error)}`);
  }
}
