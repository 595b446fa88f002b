// `tether mcp call`: call one tool with arguments from --arg / --args-json.
import type { Context } from "../../../context.ts";
import { ToolError } from "../../../errors.ts";
import { callServerTool } from "../../../mcp/operations.ts";
import { jsonArg, repeatedFlag } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { answerServerRequests, serverRequestArgs } from "../../server-requests.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderCallProgress, renderToolResult } from "../../views/tools.ts";

const path = "tether mcp call";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "Call a tool: NAME TOOL [--arg k=v]... [--args-json '{...}']",
    args: {
      ...serverTargetNameArg,
      // Not required to citty: after --stdio/--url it is the first word (parseServerTarget).
      tool: { type: "positional", description: "Tool name", required: false, valueHint: "TOOL" },
      arg: { type: "string", description: "Argument k=v, coerced by the tool's schema (repeatable)", valueHint: "k=v" },
      "args-json": { type: "string", description: "All arguments as one JSON object", valueHint: "'{...}'" },
      ...serverTargetArgs,
      ...serverRequestArgs,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const { target, rest: [tool] } = parseServerTarget(args, rawArgs, path, ["TOOL"]);
      const elicitor = answerServerRequests(ctx, args, rawArgs);
      const outcome = await withServerTarget(ctx, target, (server) => {
        const request = { server, tool: tool!, args: repeatedFlag(rawArgs, "arg"), argsJson: args["args-json"] };
        return withSpinner(ctx.io, `Calling ${tool} on ${server.name}…`, (status) =>
          callServerTool(ctx, request, (update) => renderCallProgress(ctx.io, tool!, update, status)),
        );
      });
      elicitor.check();
      renderToolResult(ctx.io, outcome, { json: Boolean(args.json) });
      if (outcome.result.isError) throw new ToolError(`tool "${tool}" on server "${outcome.connection.server.name}" returned an error`);
    },
  });
