// Format-preserving edits of config.toml text: each edit touches only the lines of the server it
// owns, so the user's comments, blank lines, key order and other tables survive byte-for-byte.
import { stringify } from "smol-toml";
import { ConfigError } from "../errors.ts";
import { scanToml, type TomlLayout } from "./toml-layout.ts";
import type { RawServer } from "./schema.ts";

/** Key order of a written server table. */
const KEY_ORDER: (keyof RawServer)[] = [
  "command", "args", "env", "env_vars", "cwd",
  "url", "bearer_token_env_var", "http_headers", "env_http_headers",
];

/** Renders `[mcp_servers.NAME]` and its keys as TOML lines. */
export function renderServerTable(name: string, server: RawServer): string[] {
  const lines = [`[mcp_servers.${name}]`];
  const keys = [...KEY_ORDER, ...Object.keys(server).filter((k) => !KEY_ORDER.includes(k as keyof RawServer))];
  for (const key of keys) {
    const value = server[key as keyof RawServer];
    if (value === undefined) continue;
    lines.push(`${key} = ${renderValue(value)}`);
  }
  return lines;
}

function renderValue(value: unknown): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${renderKey(k)} = ${renderValue(v)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return stringify({ v: value }).slice("v = ".length).trimEnd();
}

function renderKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** Line ranges (0-based, end exclusive) that define server `name`, in file order. */
interface Owned {
  ranges: [number, number][];
  /** Whether the server is one `[mcp_servers.NAME]` block we can replace in place. */
  headerBlock?: [number, number];
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}

function isComment(line: string): boolean {
  return line.trimStart().startsWith("#");
}

/** The last line (exclusive) of a table block's own content: its header and key/value lines. */
function contentEnd(layout: TomlLayout, headerLine: number, endLine: number): number {
  let end = headerLine + 1;
  for (const key of layout.keys) {
    if (key.line > headerLine && key.line < endLine) end = Math.max(end, key.endLine);
  }
  return end;
}

function findOwned(layout: TomlLayout, name: string): Owned {
  const ranges: [number, number][] = [];
  let headerBlock: [number, number] | undefined;
  for (const table of layout.tables) {
    if (table.path[0] !== "mcp_servers" || table.path[1] !== name) continue;
    const end = contentEnd(layout, table.headerLine, table.endLine);
    if (table.path.length === 2) headerBlock = [table.headerLine, end];
    let start = table.headerLine;
    while (start > 0 && isComment(layout.lines[start - 1]!)) start--;
    ranges.push([start, end]);
  }
  for (const key of layout.keys) {
    const full = [...key.table, ...key.key];
    if (full[0] === "mcp_servers" && full[1] === name && key.table.length < 2) ranges.push([key.line, key.endLine]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return { ranges, headerBlock };
}

/** Where a new server table goes: after the last server's content, else at the end. */
function insertionPoint(layout: TomlLayout): number {
  let point = -1;
  for (const table of layout.tables) {
    if (table.path[0] === "mcp_servers") point = Math.max(point, contentEnd(layout, table.headerLine, table.endLine));
  }
  if (point >= 0) return point;
  let end = layout.lines.length;
  while (end > 0 && isBlank(layout.lines[end - 1]!)) end--;
  return end;
}

function eolOf(source: string): string {
  return source.includes("\r\n") ? "\r" : "";
}

/** Adds (or, when it exists, replaces in place) the server's table. */
export function upsertServerInSource(source: string, name: string, server: RawServer): string {
  const layout = scanToml(source);
  const cr = eolOf(source);
  const block = renderServerTable(name, server).map((line) => line + cr);
  const owned = findOwned(layout, name);
  if (owned.headerBlock && owned.ranges.length === 1) {
    const [start, end] = owned.headerBlock;
    const lines = [...layout.lines];
    lines.splice(start, end - start, ...block);
    return lines.join("\n");
  }
  const base = owned.ranges.length > 0 ? removeServerFromSource(source, name) : source;
  return appendBlock(base, block, cr);
}

function appendBlock(source: string, block: string[], cr: string): string {
  if (source.trim() === "") return block.join("\n") + "\n";
  const layout = scanToml(source);
  const lines = [...layout.lines];
  const at = insertionPoint(layout);
  lines.splice(at, 0, cr, ...block);
  if (!isBlank(lines.at(-1)!)) lines.push("");
  return lines.join("\n");
}

/** Removes every line that defines server `name`, with one separating blank line. */
export function removeServerFromSource(source: string, name: string): string {
  const layout = scanToml(source);
  const { ranges } = findOwned(layout, name);
  if (ranges.length === 0) throw new ConfigError(`server "${name}" is not in the config`);
  const drop = new Set<number>();
  for (const [start, end] of ranges) {
    for (let i = start; i < end; i++) drop.add(i);
    if (start > 0 && isBlank(layout.lines[start - 1]!)) drop.add(start - 1);
    else if (end < layout.lines.length - 1 && isBlank(layout.lines[end]!)) drop.add(end);
  }
  return layout.lines.filter((_, i) => !drop.has(i)).join("\n");
}
