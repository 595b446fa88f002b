// `tether mcp prompts`: a server's prompts and their arguments.
import type { Context } from "../../../context.ts";
import { listServerPrompts } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf, serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { withSpinner } from "../../spinner.ts";
import { renderPrompts } from "../../views/prompts.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp prompts",
    description: "List a server's prompts",
    args: { ...serverNameArg, ...keepAliveArg, ...jsonArg },
    async run({ name, json }, rawArgs) {
      const listing = await withSpinner(ctx.io, `Connecting to ${name}…`, () => listServerPrompts(ctx, name, { keepAlive: keepAliveOf(rawArgs) }));
      renderPrompts(ctx.io, listing, { json: Boolean(json) });
    },
  });
