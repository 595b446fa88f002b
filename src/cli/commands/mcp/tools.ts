// `tether mcp tools`: a server's tools with their required parameters.
import type { Context } from "../../../context.ts";
import { openServer } from "../../../mcp/operations.ts";
import { jsonArg, keepAliveArg, keepAliveOf } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderTools } from "../../views/tools.ts";

const path = "tether mcp tools";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "List a server's tools",
    args: { ...serverTargetNameArg, ...serverTargetArgs, ...keepAliveArg, ...jsonArg },
    async run(args, rawArgs) {
      const { target } = parseServerTarget(args, rawArgs, path);
      const connection = await withServerTarget(ctx, target, (server) => withSpinner(ctx.io, `Connecting to ${server.name}…`, () => openServer(ctx, server, { keepAlive: keepAliveOf(rawArgs) })));
      renderTools(ctx.io, connection.server.name, connection.tools, { json: Boolean(args.json) });
    },
  });
