// Bounds the text of one tool result before the model reads it (`tool_output_max_bytes`): a tool
// that returns megabytes would fill the context window and cost every later turn. The head and the
// tail are kept, since both tend to matter (what ran, how it ended); the whole output is saved
// under $TETHER_HOME/outputs/ and the cut says where, so the user can read it.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ToolOutputLimit {
  maxBytes: number;
  /** Where full outputs are saved: $TETHER_HOME/outputs. */
  dir: string;
}

export interface CappedOutput {
  text: string;
  /** The saved full output, when the text was cut and saving worked. */
  savedTo?: string;
}

/** Saved outputs older than this are removed when a run first saves one. */
export const OUTPUT_KEEP_MS = 7 * 24 * 3600_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One run's cutting of tool outputs. Old saved outputs are pruned at the run's first save only: a
 * run that cuts many outputs would otherwise rescan the whole directory for each.
 */
export class ToolOutputCap {
  private pruned = false;

  constructor(private readonly limit: ToolOutputLimit) {}

  cap(text: string, now: number): CappedOutput {
    return cutOutput(text, this.limit, now, () => {
      if (this.pruned) return;
      this.pruned = true;
      pruneOldOutputs(this.limit.dir, now);
    });
  }
}

/** One output on its own (a run of one): see ToolOutputCap. */
export function capToolOutput(text: string, limit: ToolOutputLimit, now: number): CappedOutput {
  return new ToolOutputCap(limit).cap(text, now);
}

function cutOutput(text: string, limit: ToolOutputLimit, now: number, afterSave: () => void): CappedOutput {
  const bytes = encoder.encode(text);
  if (bytes.length <= limit.maxBytes) return { text };
  let savedTo: string | undefined;
  let where: string;
  try {
    savedTo = saveFullOutput(bytes, limit.dir, now);
    afterSave();
    where = `the full output is in ${savedTo}`;
  } catch (error) {
    where = `the full output could not be saved (${error instanceof Error ? error.message : String(error)})`;
  }
  // The note's own length comes out of the budget, so the text never exceeds maxBytes; the
  // figure in it is at most as long as the total, so measuring with the total is safe.
  const note = (leftOut: number) => `\n[… ${leftOut} bytes left out; ${where} …]\n`;
  const budget = Math.max(0, limit.maxBytes - encoder.encode(note(bytes.length)).length);
  const head = utf8Prefix(bytes, Math.ceil(budget / 2));
  const tail = utf8Suffix(bytes, budget - head.length);
  return { text: decoder.decode(head) + note(bytes.length - head.length - tail.length) + decoder.decode(tail), savedTo };
}

/** A new file, readable by the user only, in a directory only the user can enter. */
function saveFullOutput(bytes: Uint8Array, dir: string, now: number): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const stamp = new Date(now).toISOString().replace(/[:.]/g, "-");
  const path = join(dir, `${stamp}-${randomBytes(6).toString("hex")}.txt`);
  // `wx`: never overwrite (nor follow a link planted at) an existing name.
  writeFileSync(path, bytes, { mode: 0o600, flag: "wx" });
  return path;
}

/** Best effort: the outputs of last week's runs go, so the directory does not grow for ever. */
function pruneOldOutputs(dir: string, now: number): void {
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith(".txt")) continue;
      const file = join(dir, name);
      if (now - statSync(file).mtimeMs > OUTPUT_KEEP_MS) rmSync(file, { force: true });
    }
  } catch {
    // A file removed meanwhile, or an unreadable directory: the next save tries again.
  }
}

/** The longest prefix of at most `max` bytes that ends on a character boundary. */
function utf8Prefix(bytes: Uint8Array, max: number): Uint8Array {
  let end = Math.min(max, bytes.length);
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** The longest suffix of at most `max` bytes that starts on a character boundary. */
function utf8Suffix(bytes: Uint8Array, max: number): Uint8Array {
  let start = Math.max(bytes.length - max, 0);
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start);
}
