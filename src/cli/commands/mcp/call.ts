// `tether mcp call`: call one tool with arguments from --arg / --args-json.
import type { Context } from "../../../context.ts";
import { ToolError } from "../../../errors.ts";
import { callServerTool } from "../../../mcp/operations.ts";
import { jsonArg, keepAliveArg, keepAliveOf, repeatedFlag, serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { answerServerRequests, serverRequestArgs } from "../../server-requests.ts";
import { withSpinner } from "../../spinner.ts";
import { renderCallProgress, renderToolResult } from "../../views/tools.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp call",
    description: "Call a tool: NAME TOOL [--arg k=v]... [--args-json '{...}']",
    args: {
      ...serverNameArg,
      tool: { type: "positional", description: "Tool name", required: true, valueHint: "TOOL" },
      arg: { type: "string", description: "Argument k=v, coerced by the tool's schema (repeatable)", valueHint: "k=v" },
      "args-json": { type: "string", description: "All arguments as one JSON object", valueHint: "'{...}'" },
      ...serverRequestArgs,
      ...keepAliveArg,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const elicitor = answerServerRequests(ctx, args, rawArgs);
      const request = { server: args.name, tool: args.tool, args: repeatedFlag(rawArgs, "arg"), argsJson: args["args-json"], keepAlive: keepAliveOf(rawArgs) };
      const outcome = await withSpinner(ctx.io, `Calling ${args.tool} on ${args.name}…`, (status) =>
        callServerTool(ctx, request, (update) => renderCallProgress(ctx.io, args.tool, update, status)),
      );
      elicitor.check();
      renderToolResult(ctx.io, outcome, { json: Boolean(args.json) });
      if (outcome.result.isError) throw new ToolError(`tool "${args.tool}" on server "${args.name}" returned an error`);
    },
  });
