// `tether mcp import`: copy MCP servers from another app's config, secrets left behind.
import type { Context } from "../../../context.ts";
import { importServers } from "../../../import/import.ts";
import { IMPORT_SOURCES, parseSourceName } from "../../../import/sources.ts";
import { jsonArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { renderImport } from "../../views/import.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp import",
    description: `Import MCP servers from another app (--from ${IMPORT_SOURCES.join("|")})`,
    createsConfig: true,
    args: {
      from: { type: "string", description: `The app: ${IMPORT_SOURCES.join(", ")}`, valueHint: "APP", required: true },
      path: { type: "string", description: "Read this file instead of the app's default location", valueHint: "FILE" },
      "dry-run": { type: "boolean", description: "Show what would be imported; write nothing" },
      force: { type: "boolean", description: "Replace servers that already exist in config.toml" },
      ...jsonArg,
    },
    async run(args) {
      const report = await importServers(ctx, { from: parseSourceName(args.from), path: args.path, dryRun: Boolean(args["dry-run"]), force: Boolean(args.force) });
      renderImport(ctx.io, report, { json: Boolean(args.json) });
    },
  });
