// All output formatting: tables, JSON, key/value details and colour. TTY changes presentation,
// never data: aligned columns with a header on a terminal, tab-separated rows when piped.
// Table cells and detail values have control characters made visible (text/sanitize.ts): they
// often carry what a server said. note() takes painted text, so its callers sanitize. JSON stays exact.
import type { IO } from "../context.ts";
import { terminalText } from "../text/sanitize.ts";

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Colour for a cell on a TTY. */
  style?: (value: string, row: Row) => Style | undefined;
}

export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

export function paint(io: IO, style: Style | undefined, text: string): string {
  if (!style || !io.color) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

export function printJson(io: IO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

/** One JSON object per line, for streams (`exec --json`). */
export function printJsonLine(io: IO, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + "\n");
}

/** One write for the whole table: each write is a system call (the real stdout flushes every one). */
export function printTable<Row>(io: IO, columns: Column<Row>[], rows: Row[]): void {
  const cells = rows.map((row) => columns.map((column) => terminalText(column.value(row))));
  if (!io.stdoutIsTTY) {
    io.stdout.write(cells.map((line) => line.join("\t") + "\n").join(""));
    return;
  }
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  const pad = (text: string, i: number) => (i === columns.length - 1 ? text : text.padEnd(widths[i]!));
  const lines = [columns.map((c, i) => paint(io, "bold", pad(c.header, i))).join("  ")];
  rows.forEach((row, r) => lines.push(columns.map((column, i) => paint(io, column.style?.(cells[r]![i]!, row), pad(cells[r]![i]!, i))).join("  ")));
  io.stdout.write(lines.map((line) => line.trimEnd() + "\n").join(""));
}

/** `key: value` lines under a title; undefined values are left out. */
export function printDetails(io: IO, title: string, fields: [string, string | undefined][]): void {
  const shown = fields.filter((field): field is [string, string] => field[1] !== undefined);
  const width = Math.max(0, ...shown.map(([key]) => key.length));
  io.stdout.write(paint(io, "bold", terminalText(title)) + "\n");
  for (const [key, value] of shown) io.stdout.write(`  ${paint(io, "dim", (key + ":").padEnd(width + 1))} ${terminalText(value)}\n`);
}

/** The first line of a description, cut to `max` characters with `…` (a table cell's summary). */
export function firstLine(text: string | undefined, max = Infinity): string {
  const line = (text ?? "").trim().split("\n")[0]!.trim();
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

/** A diagnostic line on stderr (never on stdout, so `--json | jq` always works). */
export function note(io: IO, text: string): void {
  io.stderr.write(text + "\n");
}
