// Registry install's output: `mcp registry search` results, the questions `mcp add --registry`
// asks, its --dry-run entry and the notes after it writes. Registry text is untrusted: sanitized here.
import type { IO } from "../../context.ts";
import { renderServerTable } from "../../config/edit.ts";
import { describeOption, installOptions } from "../../registry/choose.ts";
import type { SearchResult } from "../../registry/client.ts";
import { describeInput, type NeededInput } from "../../registry/inputs.ts";
import type { RegistryInstallPlan } from "../../registry/install.ts";
import type { RegistryEntry } from "../../registry/server-json.ts";
import { terminalLine, terminalText } from "../../text/sanitize.ts";
import { firstLine, note, paint, printJson, printTable, type Column } from "../render.ts";

const SEARCH_COLUMNS: Column<RegistryEntry>[] = [
  { header: "NAME", value: (e) => e.server.name, style: () => "bold" },
  { header: "VERSION", value: (e) => e.server.version },
  { header: "INSTALL", value: (e) => installKinds(e) || "-", style: (v) => (v === "-" ? "dim" : undefined) },
  { header: "DESCRIPTION", value: (e) => firstLine(e.server.description, 80) },
];

/** "remote, npm": what `mcp add --registry` could install (its --package values). */
function installKinds(entry: RegistryEntry): string {
  return [...new Set(installOptions(entry.server).map((o) => o.kind))].join(", ");
}

export function renderSearch(io: IO, result: SearchResult, options: { json: boolean; term: string; registryUrl: string; limit: number }): void {
  if (options.json) return printJson(io, { registry_url: options.registryUrl, servers: result.raw, more: result.more });
  if (result.entries.length === 0) return note(io, `no servers in ${options.registryUrl} match "${terminalLine(options.term, 100)}"`);
  printTable(io, SEARCH_COLUMNS, result.entries);
  if (result.more) note(io, `more servers match: showing the first ${options.limit} (narrow the term, or --limit up to 100)`);
  note(io, `add one with: tether mcp add NAME --registry ${terminalLine(result.entries[0]!.server.name, 200)}`);
}

/** The question for one value, on stderr: `  WEATHER_UNITS (…) [celsius]: `. */
export function inputQuestion(io: IO, name: string, input: NeededInput): string {
  const about = input.description ? ` — ${terminalLine(input.description, 120)}` : "";
  const choices = input.choices && input.choices.length > 0 ? ` (one of: ${terminalLine(input.choices.join(", "), 200)})` : "";
  const fallback = input.default !== undefined ? ` [${terminalLine(input.default, 100)}]` : "";
  return `${paint(io, "bold", `"${terminalLine(name, 100)}" needs ${describeInput(input)}`)}${about}${choices}${fallback}: `;
}

/** --dry-run: the entry as it would be written (TOML on stdout), and what it came from. */
export function renderPlannedEntry(io: IO, name: string, plan: RegistryInstallPlan, configPath: string): void {
  io.stdout.write(renderServerTable(name, plan.entry).map((line) => terminalText(line)).join("\n") + "\n");
  renderSourceNote(io, plan);
  renderSecretNotes(io, plan, {});
  note(io, `--dry-run: nothing written to ${configPath}`);
}

/** After the write: where it came from and which secrets to set. */
export function renderRegistryNotes(io: IO, plan: RegistryInstallPlan, env: Readonly<Record<string, string | undefined>>): void {
  renderSourceNote(io, plan);
  renderSecretNotes(io, plan, env);
}

function renderSourceNote(io: IO, plan: RegistryInstallPlan): void {
  const { server, status, statusMessage } = plan.source;
  note(io, `From the registry: ${terminalLine(server.name, 200)} ${terminalLine(server.version, 50)}, ${describeOption(plan.option)}`);
  if (status && status !== "active") {
    const why = statusMessage ? `: ${terminalLine(statusMessage, 200)}` : "";
    note(io, paint(io, "yellow", `warning: the registry marks this server ${terminalLine(status, 20)}${why}`));
  }
}

/** Secrets are read from the environment by name; list the ones this environment does not set yet. */
function renderSecretNotes(io: IO, plan: RegistryInstallPlan, env: Readonly<Record<string, string | undefined>>): void {
  const unset = plan.secretVariables.filter((name) => env[name] === undefined);
  if (unset.length === 0) return;
  note(io, `Secrets are not stored in config.toml: set ${unset.map((n) => terminalLine(n, 100)).join(", ")} in the environment tether runs in`);
}
