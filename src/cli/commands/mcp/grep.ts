// `tether mcp grep`: tools, prompts and resources matching PATTERN across the enabled servers.
import type { Context } from "../../../context.ts";
import { ConnectionError, UsageError } from "../../../errors.ts";
import { grepServers } from "../../../mcp/grep.ts";
import { jsonArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { withSpinner } from "../../spinner.ts";
import { renderGrep } from "../../views/grep.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp grep",
    description: "Find tools, prompts and resources by name, title or description: PATTERN (or /REGEX/) [--servers a,b]",
    args: {
      pattern: { type: "positional", description: "Text to find (case-insensitive), or /REGEX/", required: true, valueHint: "PATTERN" },
      servers: { type: "string", description: "Only these servers (comma-separated)", valueHint: "a,b" },
      ...jsonArg,
    },
    async run({ pattern, servers, json }) {
      const names = servers === undefined ? undefined : servers.split(",").map((s) => s.trim()).filter(Boolean);
      if (names?.length === 0) throw new UsageError("--servers needs at least one server name", { hint: "tether mcp grep PATTERN --servers a,b" });
      const outcome = await withSpinner(ctx.io, `Searching for ${pattern}…`, () => grepServers(ctx, { pattern, servers: names }));
      // One line per failed server; its hint (a login to run, say) on the same line.
      for (const { error } of outcome.failures) ctx.log.warn(`${error.message} (not searched${error.hint ? `; ${error.hint}` : ""})`);
      renderGrep(ctx.io, outcome, { json: Boolean(json) });
      if (outcome.searched > 0 && outcome.failures.length === outcome.searched) {
        throw new ConnectionError(`no server could be searched (${outcome.searched} failed)`, { hint: "check them with: tether mcp list --status" });
      }
    },
  });
