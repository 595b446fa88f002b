// Remembers which config contents passed validation, so the schema library stays off the
// common path. Keyed by tether version + content hash: any edit, or an upgrade, re-validates.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureHomeDir, writeFileAtomic } from "../files/atomic.ts";

const CACHE_FILE = ".validated-configs";
const KEEP = 16;

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
