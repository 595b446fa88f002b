// `tether mcp import`: reads another app's MCP servers and writes them into config.toml through
// the format-preserving editor, one locked write for the whole import; never replaces silently.
// --dry-run and the real run make the same plan, so they report the same statuses.
import type { Context } from "../context.ts";
import { parseConfigSource } from "../config/load.ts";
import { upsertServersInSource } from "../config/edit.ts";
import type { RawServer } from "../config/schema.ts";
import { updateConfigFile } from "../config/write.ts";
import { importName, isImportableName, mapServer, type MappedServer } from "./map.ts";
import { PROTOTYPE_KEYS } from "./references.ts";
import { defaultSourcePath, type ImportSource, readSource, serversIn } from "./sources.ts";

export interface ImportOptions {
  from: ImportSource;
  path?: string;
  dryRun: boolean;
  force: boolean;
}

export type ImportStatus = "imported" | "replaced" | "skipped" | "needs attention" | "not imported";

export interface ImportRow {
  name: string;
  /** The name in the other app, when it had to change. */
  appName: string;
  status: ImportStatus;
  transport?: "stdio" | "http";
  notes: string[];
}

export interface ImportReport {
  path: string;
  configPath: string;
  dryRun: boolean;
  rows: ImportRow[];
}

/** Entries mapped between two looks at the event loop (a few ms of work). */
const YIELD_EVERY = 100;

interface Candidate extends MappedServer {
  appName: string;
}

export async function importServers(ctx: Context, options: ImportOptions): Promise<ImportReport> {
  const path =
    options.path ?? defaultSourcePath(options.from, { os: process.platform, home: ctx.paths.userHome, env: ctx.env, cwd: ctx.cwd });
  const found = serversIn(options.from, readSource(path, options.path !== undefined), path, ctx.cwd);
  const candidates = await mapAll(options.from, found, ctx.signal);

  const plan = (source: string): { source: string; rows: ImportRow[] } => {
    const existing = new Set(Object.keys(parseConfigSource(source, ctx.paths.config).mcp_servers ?? {}));
    const rows: ImportRow[] = [];
    const writes: [string, RawServer][] = [];
    for (const c of candidates) {
      const row: ImportRow = { name: c.name, appName: c.appName, status: "imported", notes: [...c.attention, ...c.info] };
      if (!c.server) {
        rows.push({ ...row, status: "not imported", notes: [c.skipped ?? "not imported", ...row.notes] });
        continue;
      }
      row.transport = c.server.url !== undefined ? "http" : "stdio";
      const exists = existing.has(c.name);
      if (exists && !options.force) {
        rows.push({ ...row, status: "skipped", notes: ["already in config.toml (--force replaces it)", ...row.notes] });
        continue;
      }
      writes.push([c.name, c.server]);
      row.status = c.attention.length > 0 ? "needs attention" : exists ? "replaced" : "imported";
      rows.push(row);
    }
    return { source: upsertServersInSource(source, writes), rows };
  };

  const rows = await updateConfigFile(
    ctx,
    (source) => {
      const { source: next, rows } = plan(source);
      return { source: next, result: rows };
    },
    { dryRun: options.dryRun },
  );
  return { path, configPath: ctx.paths.config, dryRun: options.dryRun, rows };
}

/**
 * Every entry mapped, named and checked against config.toml's rules, independently of what
 * config.toml holds now: an entry tether would refuse is "not imported" with the reason, in
 * --dry-run too, and never fails the others.
 */
async function mapAll(from: ImportSource, found: Map<string, unknown>, signal: AbortSignal): Promise<Candidate[]> {
  const { findServerProblem } = await import("../config/validate.ts");
  // The app's valid names are kept; a renamed server never takes one of them.
  const taken = new Set([...found.keys()].filter(isImportableName));
  const candidates: Candidate[] = [];
  for (const [appName, entry] of found) {
    // A file of thousands of servers takes a while: let Ctrl-C and SIGTERM in now and then.
    if (candidates.length % YIELD_EVERY === YIELD_EVERY - 1) {
      await new Promise((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
    }
    // Names JavaScript reads as an object's prototype: refused rather than renamed.
    if (PROTOTYPE_KEYS.has(appName)) {
      candidates.push({ appName, name: appName, skipped: "a reserved name; rename it in the app", attention: [], info: [] });
      continue;
    }
    const { name, note } = importName(appName, taken);
    taken.add(name);
    const mapped = mapServer(from, name, entry);
    if (note) mapped.attention.unshift(note);
    const problem = mapped.server && findServerProblem(name, mapped.server);
    if (problem) {
      candidates.push({ appName, name, skipped: problem.message.replace(`server "${name}": `, ""), attention: [], info: [] });
      continue;
    }
    candidates.push({ appName, ...mapped });
  }
  return candidates;
}
