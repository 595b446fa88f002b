// Which MCP era each server spoke last time, so later runs skip the probe. The SDK's auto
// negotiation pays a server/discover round trip per connect, and over stdio a whole sibling
// process; a CLI started once per command would pay it on every run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DiscoverResult, PriorDiscovery } from "@modelcontextprotocol/client";
import { writeFileAtomic } from "../files/atomic.ts";

export const ERAS_FILE_NAME = "protocol-eras.json";

/**
 * A legacy verdict never fails on its own (an upgraded server still answers `initialize`), so only
 * age retires it; a modern one fails loudly at its first request and is re-probed then.
 */
export const LEGACY_VERDICT_MAX_AGE_MS = 7 * 24 * 3600_000;

/** A bound on the file, so a config with churning servers cannot grow it forever. */
const MAX_ENTRIES = 200;

interface StoredVerdict {
  era: "legacy" | "modern";
  discover?: DiscoverResult;
  storedAt: number;
}

type VerdictFile = Record<string, StoredVerdict>;

/** The key of one server's launch: a digest, so no argument or URL (which may hold secrets) is written out. */
export function eraKey(identity: unknown): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 32);
}

function read(home: string): VerdictFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(home, ERAS_FILE_NAME), "utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as VerdictFile) : {};
  } catch {
    // Missing or damaged: every server is simply probed again.
    return {};
  }
}

/** The remembered verdict for `key`, if still fresh. */
export function loadPrior(home: string, key: string, now: number): PriorDiscovery | undefined {
  const entry = read(home)[key];
  if (!entry || typeof entry.storedAt !== "number") return undefined;
  if (entry.era === "modern" && entry.discover && typeof entry.discover === "object") return { kind: "modern", discover: entry.discover };
  if (entry.era === "legacy" && now - entry.storedAt < LEGACY_VERDICT_MAX_AGE_MS) return { kind: "legacy" };
  return undefined;
}

/**
 * Records what a fresh probe found. Servers connecting in parallel may race on the file; a lost
 * update only costs that server one more probe next run.
 */
export function saveVerdict(home: string, key: string, discover: DiscoverResult | undefined, now: number): void {
  const file = read(home);
  file[key] = discover ? { era: "modern", discover, storedAt: now } : { era: "legacy", storedAt: now };
  const kept = Object.entries(file)
    .sort(([, a], [, b]) => b.storedAt - a.storedAt)
    .slice(0, MAX_ENTRIES);
  try {
    writeFileAtomic(join(home, ERAS_FILE_NAME), `${JSON.stringify(Object.fromEntries(kept))}\n`);
  } catch {
    // A read-only TETHER_HOME only means probing again next time.
  }
}

export function forgetVerdict(home: string, key: string): void {
  const file = read(home);
  if (!(key in file)) return;
  delete file[key];
  try {
    writeFileAtomic(join(home, ERAS_FILE_NAME), `${JSON.stringify(file)}\n`);
  } catch {
    // As above.
  }
}
