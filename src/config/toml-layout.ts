// A line scanner for TOML source: where tables and keys are, so errors can name a line and
// edits can touch only the lines they own. It does not parse values; smol-toml does that.

export interface TableBlock {
  /** Dotted header path, e.g. ["mcp_servers", "docs"]. */
  path: string[];
  /** 0-based index of the header line. */
  headerLine: number;
  /** 0-based index one past the block's last line (the next header, or the end). */
  endLine: number;
  /** Whether the header is an array-of-tables `[[...]]`. */
  isArray: boolean;
}

export interface KeyLine {
  /** 0-based line index. */
  line: number;
  /** The dotted key path as written, relative to its table. */
  key: string[];
  /** The table the key sits in. */
  table: string[];
  /** 0-based index one past the last line of the key's value (multi-line arrays and strings). */
  endLine: number;
}

export interface TomlLayout {
  lines: string[];
  tables: TableBlock[];
  keys: KeyLine[];
}

/** Splits source into lines (keeping no terminators) and finds every table header and key. */
export function scanToml(source: string): TomlLayout {
  const lines = source.split("\n");
  const tables: TableBlock[] = [];
  const keys: KeyLine[] = [];
  let table: string[] = [];
  let state: ValueState = { depth: 0, multiline: null };
  let openKey: KeyLine | null = null;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (openKey) {
      state = advanceValue(line, state);
      if (isValueClosed(state)) {
        openKey.endLine = i + 1;
        openKey = null;
      }
      continue;
    }
    const header = parseHeader(line);
    if (header) {
      const last = tables.at(-1);
      if (last) last.endLine = i;
      tables.push({ path: header.path, headerLine: i, endLine: lines.length, isArray: header.isArray });
      table = header.path;
      continue;
    }
    const key = parseKeyStart(line);
    if (!key) continue;
    const entry: KeyLine = { line: i, key: key.path, table, endLine: i + 1 };
    keys.push(entry);
    state = advanceValue(line.slice(key.valueStart), { depth: 0, multiline: null });
    if (!isValueClosed(state)) openKey = entry;
  }
  return { lines, tables, keys };
}

/** The 1-based line of `table.key` (or of the table header, or of an inline definition). */
export function findLine(layout: TomlLayout, table: string[], key?: string): number | undefined {
  if (key !== undefined) {
    const hit = layout.keys.find(
      (k) =>
        (samePath(k.table, table) && k.key[0] === key) ||
        samePath([...k.table, ...k.key], [...table, key]) ||
        (samePath(k.table, table.slice(0, -1)) && k.key[0] === table.at(-1) && k.key[1] === key),
    );
    if (hit) return hit.line + 1;
  }
  const header = layout.tables.find((t) => samePath(t.path, table));
  if (header) return header.headerLine + 1;
  const inline = layout.keys.find((k) => samePath([...k.table, ...k.key], table));
  return inline ? inline.line + 1 : undefined;
}

export function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

interface ValueState {
  /** Open `[`/`{` brackets outside strings. */
  depth: number;
  /** Inside a multi-line string with this delimiter. */
  multiline: '"""' | "'''" | null;
}

function isValueClosed(state: ValueState): boolean {
  return state.depth <= 0 && state.multiline === null;
}

/** Walks one line of a value, tracking brackets, strings and comments. */
function advanceValue(text: string, start: ValueState): ValueState {
  let { depth, multiline } = start;
  let i = 0;
  while (i < text.length) {
    if (multiline) {
      const close = findMultilineClose(text, i, multiline);
      if (close < 0) return { depth, multiline };
      i = close + 3;
      multiline = null;
      continue;
    }
    const ch = text[i]!;
    if (ch === "#") break;
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      multiline = text.slice(i, i + 3) as '"""' | "'''";
      i += 3;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = skipString(text, i);
      continue;
    }
    if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") depth--;
    i++;
  }
  return { depth, multiline };
}

function findMultilineClose(text: string, from: number, delimiter: string): number {
  for (let i = text.indexOf(delimiter, from); i >= 0; i = text.indexOf(delimiter, i + 1)) {
    if (delimiter === "'''" || !isEscaped(text, i)) {
      // A closing run may be up to five quotes long; the string ends at the last three.
      let end = i;
      while (text[end + 3] === delimiter[0] && end - i < 2) end++;
      return end;
    }
  }
  return -1;
}

function isEscaped(text: string, index: number): boolean {
  let slashes = 0;
  for (let j = index - 1; j >= 0 && text[j] === "\\"; j--) slashes++;
  return slashes % 2 === 1;
}

/** Index just past the single-line string starting at `start`. */
function skipString(text: string, start: number): number {
  const quote = text[start]!;
  let i = start + 1;
  while (i < text.length) {
    if (quote === '"' && text[i] === "\\") {
      i += 2;
      continue;
    }
    if (text[i] === quote) return i + 1;
    i++;
  }
  return i;
}

const BARE_KEY = /^[A-Za-z0-9_-]+/;

/** Reads a dotted key (bare or quoted parts) at the start of `text`; returns parts and where it ended. */
function readDottedKey(text: string, from: number): { path: string[]; end: number } | null {
  const path: string[] = [];
  let i = from;
  for (;;) {
    while (text[i] === " " || text[i] === "\t") i++;
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const end = skipString(text, i);
      const raw = text.slice(i, end);
      path.push(ch === '"' ? safeJsonString(raw) : raw.slice(1, -1));
      i = end;
    } else {
      const bare = BARE_KEY.exec(text.slice(i));
      if (!bare) return null;
      path.push(bare[0]);
      i += bare[0].length;
    }
    while (text[i] === " " || text[i] === "\t") i++;
    if (text[i] !== ".") return { path, end: i };
    i++;
  }
}

function safeJsonString(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

function parseHeader(line: string): { path: string[]; isArray: boolean } | null {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith("[")) return null;
  const isArray = trimmed.startsWith("[[");
  const key = readDottedKey(trimmed, isArray ? 2 : 1);
  if (!key) return null;
  const close = isArray ? "]]" : "]";
  if (!trimmed.startsWith(close, key.end)) return null;
  const rest = trimmed.slice(key.end + close.length).trim();
  return rest === "" || rest.startsWith("#") ? { path: key.path, isArray } : null;
}

function parseKeyStart(line: string): { path: string[]; valueStart: number } | null {
  const indent = line.length - line.trimStart().length;
  const first = line[indent];
  if (first === undefined || first === "#" || first === "[") return null;
  const key = readDottedKey(line, indent);
  if (!key || line[key.end] !== "=") return null;
  return { path: key.path, valueStart: key.end + 1 };
}
