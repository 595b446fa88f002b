// `tether mcp prompt`: render one prompt with its arguments.
import type { Context } from "../../../context.ts";
import { getServerPrompt } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf, repeatedFlag } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { answerServerRequests, serverRequestArgs } from "../../server-requests.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderCallProgress } from "../../views/tools.ts";
import { renderPrompt } from "../../views/prompts.ts";

const path = "tether mcp prompt";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "Render a prompt: NAME PROMPT [--arg k=v]...",
    args: {
      ...serverTargetNameArg,
      // Not required to citty: after --stdio/--url it is the first word (parseServerTarget).
      prompt: { type: "positional", description: "Prompt name", required: false, valueHint: "PROMPT" },
      arg: { type: "string", description: "Prompt argument k=v; k=@FILE reads a file, k=@- stdin, @@ escapes @ (repeatable)", valueHint: "k=v" },
      ...serverTargetArgs,
      ...serverRequestArgs,
      ...keepAliveArg,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const { target, rest: [prompt] } = parseServerTarget(args, rawArgs, path, ["PROMPT"]);
      const elicitor = answerServerRequests(ctx, args, rawArgs);
      const rendered = await withServerTarget(ctx, target, (server) => {
        const request = { server, prompt: prompt!, args: repeatedFlag(rawArgs, "arg"), keepAlive: keepAliveOf(rawArgs) };
        return withSpinner(ctx.io, `Rendering ${prompt} on ${server.name}…`, (status) =>
          getServerPrompt(ctx, request, (update) => renderCallProgress(ctx.io, prompt!, update, status)),
        );
      });
      elicitor.check();
      renderPrompt(ctx.io, rendered, { json: Boolean(args.json) });
    },
  });
