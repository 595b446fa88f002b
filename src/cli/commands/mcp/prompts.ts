// `tether mcp prompts`: a server's prompts and their arguments.
import type { Context } from "../../../context.ts";
import { listServerPrompts } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderPrompts } from "../../views/prompts.ts";

const path = "tether mcp prompts";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "List a server's prompts",
    args: { ...serverTargetNameArg, ...serverTargetArgs, ...keepAliveArg, ...jsonArg },
    async run(args, rawArgs) {
      const { target } = parseServerTarget(args, rawArgs, path);
      const listing = await withServerTarget(ctx, target, (server) => withSpinner(ctx.io, `Connecting to ${server.name}…`, () => listServerPrompts(ctx, server, { keepAlive: keepAliveOf(rawArgs) })));
      renderPrompts(ctx.io, listing, { json: Boolean(args.json) });
    },
  });
