// Remembers which config contents passed validation, so the schema library stays off the
// common path, and their parsed form, so the TOML parser does too (it is a quarter of `tether
// mcp list`'s start-up; JSON.parse is native). Keyed by tether version + content hash: any edit,
// or an upgrade, parses and re-validates.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureHomeDir, writeFileAtomic } from "../files/atomic.ts";
import type { RawConfig } from "./schema.ts";

const CACHE_FILE = ".validated-configs";
const KEEP = 16;
/** Parsed configs by content key; 0600, since a config may hold header values. */
const PARSED_FILE = ".parsed-configs.json";
const KEEP_PARSED = 4;

function contentKey(version: string, source: string): string {
  // Bun's native hasher: node:crypto would add ~9 ms to every start.
  return new Bun.CryptoHasher("sha256").update(version).update("\0").update(source).digest("hex");
}

function readKeys(home: string): string[] {
  try {
    return readFileSync(join(home, CACHE_FILE), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

export function isKnownValid(home: string, version: string, source: string): boolean {
  return readKeys(home).includes(contentKey(version, source));
}

/** Best effort: a read-only home just means validating every time. */
export function rememberValid(home: string, version: string, source: string): void {
  const key = contentKey(version, source);
  const keys = readKeys(home).filter((k) => k !== key);
  keys.push(key);
  try {
    ensureHomeDir(home);
    writeFileAtomic(join(home, CACHE_FILE), keys.slice(-KEEP).join("\n") + "\n");
  } catch {
    // Not worth failing a read command over.
  }
}

/**
 * What smol-toml made of this exact content, when it passed validation before: tables come back
 * with a null prototype, as smol-toml makes them (a server named "constructor" stays a name).
 */
export function knownParsed(home: string, version: string, source: string): RawConfig | undefined {
  return readParsed(home)[contentKey(version, source)] as RawConfig | undefined;
}

/**
 * Call only for content that passed validation. Skipped when JSON cannot carry the value exactly
 * (a TOML date, inf, nan, -0): such a config is parsed every time, as before.
 */
export function rememberParsed(home: string, version: string, source: string, raw: RawConfig): void {
  if (!isJsonExact(raw)) return;
  const key = contentKey(version, source);
  const entries = readParsed(home);
  if (key in entries) return;
  entries[key] = raw;
  const kept = Object.keys(entries).slice(-KEEP_PARSED);
  try {
    ensureHomeDir(home);
    writeFileAtomic(join(home, PARSED_FILE), JSON.stringify(Object.fromEntries(kept.map((k) => [k, entries[k]]))) + "\n", 0o600);
  } catch {
    // Not worth failing a read command over.
  }
}

function readParsed(home: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(home, PARSED_FILE), "utf8"), asTomlTable);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Missing or damaged: it is only a cache.
  }
  return Object.create(null) as Record<string, unknown>;
}

function asTomlTable(_key: string, value: unknown): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? Object.assign(Object.create(null), value) : value;
}

/** Whether JSON.parse(JSON.stringify(value)) with asTomlTable gives back an identical value. */
function isJsonExact(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      if (value === null) return false;
      if (Array.isArray(value)) return value.every(isJsonExact);
      if (Object.getPrototypeOf(value) !== null) return false;
      return Object.entries(value).every(([key, item]) => key !== "__proto__" && isJsonExact(item));
    default:
      return false;
  }
}
