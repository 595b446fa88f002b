// The `mcp import` table: one row per server of the other app, what happened to it and why.
import type { IO } from "../../context.ts";
import type { ImportReport, ImportRow } from "../../import/import.ts";
import { note, printJson, printTable, type Column } from "../render.ts";

const COLUMNS: Column<ImportRow>[] = [
  { header: "SERVER", value: (r) => r.name, style: () => "bold" },
  { header: "STATUS", value: (r) => r.status, style: (v) => (v === "imported" || v === "replaced" ? "green" : v === "skipped" ? "dim" : "yellow") },
  { header: "NOTES", value: (r) => r.notes.join("; ") },
];

export function renderImport(io: IO, report: ImportReport, options: { json: boolean }): void {
  if (options.json) return printJson(io, report);
  if (report.rows.length === 0) return note(io, `no MCP servers in ${report.path}`);
  printTable(io, COLUMNS, report.rows);
  const verb = report.dryRun ? "would be written to" : "written to";
  const written = report.rows.filter((r) => r.status !== "skipped" && r.status !== "not imported").length;
  note(io, `${written} of ${report.rows.length} servers from ${report.path} ${verb} ${report.configPath}${report.dryRun ? " (--dry-run: nothing written)" : ""}`);
}
