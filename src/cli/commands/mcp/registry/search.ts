// `tether mcp registry search TERM`: the latest version of each registry server matching TERM.
import type { Context } from "../../../../context.ts";
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, searchRegistry } from "../../../../registry/client.ts";
import { jsonArg, parseWholeNumber } from "../../../args.ts";
import { tetherCommand } from "../../../command.ts";
import { renderSearch } from "../../../views/registry.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp registry search",
    description: "Search the MCP Registry by server name (and description)",
    args: {
      term: { type: "positional", description: "Text the server's name or description contains", required: true, valueHint: "TERM" },
      limit: { type: "string", description: `How many servers to show (default ${DEFAULT_SEARCH_LIMIT}, at most ${MAX_SEARCH_LIMIT})`, valueHint: "N" },
      ...jsonArg,
    },
    async run(args) {
      const limit = args.limit === undefined ? DEFAULT_SEARCH_LIMIT : Math.min(parseWholeNumber("--limit", args.limit, 1), MAX_SEARCH_LIMIT);
      const { registryUrl } = (await ctx.config()).config;
      const result = await searchRegistry(ctx, { registryUrl, term: args.term, limit });
      renderSearch(ctx.io, result, { json: Boolean(args.json), term: args.term, registryUrl, limit });
    },
  });
