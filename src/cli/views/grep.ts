// How `tether mcp grep` looks: one row per match, best first; --json a stable shape (README).
import type { IO } from "../../context.ts";
import type { GrepOutcome } from "../../mcp/grep.ts";
import { firstLine, note, printJson, printTable } from "../render.ts";

export function renderGrep(io: IO, outcome: GrepOutcome, options: { json: boolean }): void {
  if (options.json) {
    return printJson(io, {
      matches: outcome.matches.map((m) => ({
        server: m.server,
        kind: m.kind,
        name: m.name,
        title: m.title ?? null,
        description: m.description ?? "",
        uri: m.uri ?? null,
        matched: m.matched,
      })),
      failed: outcome.failures.map((f) => ({ server: f.server, error: f.error.message })),
    });
  }
  if (outcome.matches.length === 0) {
    const searched = outcome.searched - outcome.failures.length;
    if (outcome.searched === 0) note(io, "No enabled servers to search.");
    else if (searched > 0) note(io, `No matches in ${searched} server${searched === 1 ? "" : "s"}.`);
    return;
  }
  // printTable makes every cell terminal-safe (text/sanitize.ts): names and descriptions are the servers' words.
  printTable(
    io,
    [
      { header: "SERVER", value: (m) => m.server },
      { header: "KIND", value: (m) => m.kind },
      { header: "NAME", value: (m) => m.name, style: () => "bold" },
      { header: "DESCRIPTION", value: (m) => firstLine(m.description ?? m.title, io.stdoutIsTTY ? 70 : 200) || "-" },
    ],
    outcome.matches,
  );
}
