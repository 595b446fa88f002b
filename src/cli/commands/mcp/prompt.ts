// `tether mcp prompt`: render one prompt with its arguments.
import type { Context } from "../../../context.ts";
import { getServerPrompt } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf, repeatedFlag, serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { answerServerRequests, serverRequestArgs } from "../../server-requests.ts";
import { withSpinner } from "../../spinner.ts";
import { renderCallProgress } from "../../views/tools.ts";
import { renderPrompt } from "../../views/prompts.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp prompt",
    description: "Render a prompt: NAME PROMPT [--arg k=v]...",
    args: {
      ...serverNameArg,
      prompt: { type: "positional", description: "Prompt name", required: true, valueHint: "PROMPT" },
      arg: { type: "string", description: "Prompt argument k=v (repeatable)", valueHint: "k=v" },
      ...serverRequestArgs,
      ...keepAliveArg,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const elicitor = answerServerRequests(ctx, args, rawArgs);
      const request = { server: args.name, prompt: args.prompt, args: repeatedFlag(rawArgs, "arg"), keepAlive: keepAliveOf(rawArgs) };
      const rendered = await withSpinner(ctx.io, `Rendering ${args.prompt} on ${args.name}…`, (status) =>
        getServerPrompt(ctx, request, (update) => renderCallProgress(ctx.io, args.prompt, update, status)),
      );
      elicitor.check();
      renderPrompt(ctx.io, rendered, { json: Boolean(args.json) });
    },
  });
