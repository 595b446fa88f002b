// `tether mcp resources`: a server's resources, or its resource templates.
import type { Context } from "../../../context.ts";
import { listServerResources } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf, serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { withSpinner } from "../../spinner.ts";
import { renderResources } from "../../views/resources.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp resources",
    description: "List a server's resources (or --templates)",
    args: {
      ...serverNameArg,
      templates: { type: "boolean", description: "List resource templates instead" },
      ...keepAliveArg,
      ...jsonArg,
    },
    async run({ name, templates, json }, rawArgs) {
      const listing = await withSpinner(ctx.io, `Connecting to ${name}…`, () => listServerResources(ctx, name, { templates: Boolean(templates), keepAlive: keepAliveOf(rawArgs) }));
      renderResources(ctx.io, listing, { json: Boolean(json), templates: Boolean(templates) });
    },
  });
