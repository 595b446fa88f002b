// `tether mcp resources`: a server's resources, or its resource templates.
import type { Context } from "../../../context.ts";
import { listServerResources } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderResources } from "../../views/resources.ts";

const path = "tether mcp resources";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "List a server's resources (or --templates)",
    args: {
      ...serverTargetNameArg,
      templates: { type: "boolean", description: "List resource templates instead" },
      ...serverTargetArgs,
      ...keepAliveArg,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const { target } = parseServerTarget(args, rawArgs, path);
      const templates = Boolean(args.templates);
      const listing = await withServerTarget(ctx, target, (server) =>
        withSpinner(ctx.io, `Connecting to ${server.name}…`, () => listServerResources(ctx, server, { templates, keepAlive: keepAliveOf(rawArgs) })),
      );
      renderResources(ctx.io, listing, { json: Boolean(args.json), templates });
    },
  });
