// `tether mcp tools`: a server's tools with their required parameters.
import type { Context } from "../../../context.ts";
import { openServer } from "../../../mcp/operations.ts";
import { jsonArg, keepAliveArg, keepAliveOf, serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { withSpinner } from "../../spinner.ts";
import { renderTools } from "../../views/tools.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp tools",
    description: "List a server's tools",
    args: { ...serverNameArg, ...keepAliveArg, ...jsonArg },
    async run({ name, json }, rawArgs) {
      const connection = await withSpinner(ctx.io, `Connecting to ${name}…`, () => openServer(ctx, name, { keepAlive: keepAliveOf(rawArgs) }));
      renderTools(ctx.io, name, connection.tools, { json: Boolean(json) });
    },
  });
