// `tether mcp import`: reads another app's MCP servers and writes them into config.toml through
// the format-preserving editor, one locked write for the whole import; never replaces silently.
import type { Context } from "../context.ts";
import { parseConfigSource, readConfigSource } from "../config/load.ts";
import { upsertServerInSource } from "../config/edit.ts";
import { updateConfigFile } from "../config/write.ts";
import { mapServer } from "./map.ts";
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

export async function importServers(ctx: Context, options: ImportOptions): Promise<ImportReport> {
  const path =
    options.path ?? defaultSourcePath(options.from, { os: process.platform, home: ctx.paths.userHome, env: ctx.env, cwd: ctx.cwd });
  const found = serversIn(options.from, readSource(path, options.path !== undefined), path, ctx.cwd);
  const mapped = [...found].map(([appName, entry]) => ({ appName, ...mapServer(options.from, appName, entry) }));

  const plan = (source: string): { source: string; rows: ImportRow[] } => {
    const existing = new Set(Object.keys(parseConfigSource(source, ctx.paths.config).mcp_servers ?? {}));
    const rows: ImportRow[] = [];
    let next = source;
    for (const m of mapped) {
      const row: ImportRow = { name: m.name, appName: m.appName, status: "imported", notes: [...m.attention, ...m.info] };
      if (!m.server) {
        rows.push({ ...row, status: "not imported" });
        continue;
      }
      row.transport = m.server.url ? "http" : "stdio";
      const exists = existing.has(m.name);
      if (exists && !options.force) {
        rows.push({ ...row, status: "skipped", notes: ["already in config.toml (--force replaces it)", ...row.notes] });
        continue;
      }
      next = upsertServerInSource(next, m.name, m.server);
      existing.add(m.name);
      row.status = m.attention.length > 0 ? "needs attention" : exists ? "replaced" : "imported";
      rows.push(row);
    }
    return { source: next, rows };
  };

  if (options.dryRun) {
    return { path, configPath: ctx.paths.config, dryRun: true, rows: plan(readConfigSource(ctx.paths.config) ?? "").rows };
  }
  const rows = await updateConfigFile(ctx, (source) => {
    const { source: next, rows } = plan(source);
    return { source: next, result: rows };
  });
  return { path, configPath: ctx.paths.config, dryRun: false, rows };
}
