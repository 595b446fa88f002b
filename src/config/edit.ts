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

function findOwned(layout: TomlLayout, name: string): Owned {
  const owned = ownedByServer(layout, contentEnds(layout)).get(name) ?? { ranges: [] };
  owned.ranges.sort((a, b) => a[0] - b[0]);
  return owned;
}

/**
 * Where each table's own content (its header and key/value lines) ends, exclusive, in
 * layout.tables order. Tables and keys are both in line order: one sweep looks at each key once.
 */
function contentEnds(layout: TomlLayout): number[] {
  const ends: number[] = [];
  let k = 0;
  for (const table of layout.tables) {
    let end = table.headerLine + 1;
    while (k < layout.keys.length && layout.keys[k]!.line <= table.headerLine) k++;
    while (k < layout.keys.length && layout.keys[k]!.line < table.endLine) end = Math.max(end, layout.keys[k++]!.endLine);
    ends.push(end);
  }
  return ends;
}

/** Where a new server table goes: after the last server's content, else at the end. */
function insertionPoint(layout: TomlLayout, ends: number[] = contentEnds(layout)): number {
  let point = -1;
  layout.tables.forEach((table, i) => {
    if (table.path[0] === "mcp_servers") point = Math.max(point, ends[i]!);
  });
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

/**
 * Adds or replaces many servers in one pass over the text: the text upsertServerInSource gives
 * when called for each in turn (an import of thousands of servers would otherwise scan the
 * growing file once per server), except that a server spread over several places is moved after
 * the new ones. Names must be distinct.
 */
export function upsertServersInSource(source: string, servers: readonly (readonly [string, RawServer])[]): string {
  const layout = scanToml(source);
  const cr = eolOf(source);
  const replacements = new Map<number, { end: number; block: string[] }>();
  const added: string[][] = [];
  // Servers spread over several places (a dotted key beside a table) take the one-by-one path.
  const scattered: (readonly [string, RawServer])[] = [];
  const ends = contentEnds(layout);
  const owners = ownedByServer(layout, ends);
  for (const [name, server] of servers) {
    const owned = owners.get(name);
    const block = () => renderServerTable(name, server).map((line) => line + cr);
    if (!owned) added.push(block());
    else if (owned.headerBlock && owned.ranges.length === 1) replacements.set(owned.headerBlock[0], { end: owned.headerBlock[1], block: block() });
    else scattered.push([name, server]);
  }
  let next = source;
  if (replacements.size > 0 || added.length > 0) {
    if (source.trim() === "" && added.length > 0) {
      next = added.map((block) => block.join("\n") + "\n").join(cr + "\n");
    } else {
      const at = added.length > 0 ? insertionPoint(layout, ends) : -1;
      const out: string[] = [];
      for (let i = 0; i <= layout.lines.length; i++) {
        if (i === at) for (const block of added) out.push(cr, ...block);
        if (i === layout.lines.length) break;
        const replaced = replacements.get(i);
        if (replaced) {
          out.push(...replaced.block);
          i = replaced.end - 1;
        } else out.push(layout.lines[i]!);
      }
      if (added.length > 0 && !isBlank(out.at(-1)!)) out.push("");
      next = out.join("\n");
    }
  }
  for (const [name, server] of scattered) next = upsertServerInSource(next, name, server);
  return next;
}

/** The lines that define each server, all servers in one walk over the tables and keys. */
function ownedByServer(layout: TomlLayout, ends: number[]): Map<string, Owned> {
  const owners = new Map<string, Owned>();
  const of = (name: string) => {
    let owned = owners.get(name);
    if (!owned) owners.set(name, (owned = { ranges: [] }));
    return owned;
  };
  layout.tables.forEach((table, i) => {
    if (table.path[0] !== "mcp_servers" || table.path[1] === undefined) return;
    const owned = of(table.path[1]);
    const end = ends[i]!;
    if (table.path.length === 2) owned.headerBlock = [table.headerLine, end];
    let start = table.headerLine;
    while (start > 0 && isComment(layout.lines[start - 1]!)) start--;
    owned.ranges.push([start, end]);
  });
  for (const key of layout.keys) {
    const full = [...key.table, ...key.key];
    if (full[0] === "mcp_servers" && full[1] !== undefined && key.table.length < 2) of(full[1]).ranges.push([key.line, key.endLine]);
  }
  return owners;
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
