// `tether mcp call`: call one tool with arguments from --arg / --args-json; --save-images and --out
// keep what it returned in files.
import type { Context } from "../../../context.ts";
import { ToolError } from "../../../errors.ts";
import { prepareCallOutputs, writeCallOutputs } from "../../../mcp/call-outputs.ts";
import { callServerTool } from "../../../mcp/operations.ts";
import { jsonArg, keepAliveArg, keepAliveOf, repeatedFlag } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { answerServerRequests, serverRequestArgs } from "../../server-requests.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderCallProgress, renderToolResult } from "../../views/tools.ts";

const path = "tether mcp call";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "Call a tool: NAME TOOL [--arg k=v]... [--args-json '{...}'] [--save-images DIR] [--out FILE]",
    args: {
      ...serverTargetNameArg,
      // Not required to citty: after --stdio/--url it is the first word (parseServerTarget).
      tool: { type: "positional", description: "Tool name", required: false, valueHint: "TOOL" },
      arg: { type: "string", description: "Argument k=v, coerced by the tool's schema; k=@FILE reads a file, k=@- stdin, @@ escapes @ (repeatable)", valueHint: "k=v" },
      "args-json": { type: "string", description: "All arguments as one JSON object; @FILE reads a file, - stdin", valueHint: "'{...}'" },
      "save-images": { type: "string", description: "Write each image and audio block of the result to a file in DIR (names printed on stderr)", valueHint: "DIR" },
      out: { type: "string", description: "Write the result, as --json prints it, to FILE instead of stdout", valueHint: "FILE" },
      ...serverTargetArgs,
      ...serverRequestArgs,
      ...keepAliveArg,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const { target, rest: [tool] } = parseServerTarget(args, rawArgs, path, ["TOOL"]);
      const saving = { saveImages: args["save-images"], out: args.out };
      prepareCallOutputs(ctx, saving);
      const elicitor = answerServerRequests(ctx, args, rawArgs);
      const outcome = await withServerTarget(ctx, target, (server) => {
        const request = { server, tool: tool!, args: repeatedFlag(rawArgs, "arg"), argsJson: args["args-json"], keepAlive: keepAliveOf(rawArgs) };
        return withSpinner(ctx.io, `Calling ${tool} on ${server.name}…`, (status) =>
          callServerTool(ctx, request, (update) => renderCallProgress(ctx.io, tool!, update, status)),
        );
      });
      elicitor.check();
      const outputs = saving.saveImages !== undefined || saving.out !== undefined ? writeCallOutputs(ctx, saving, tool!, outcome.result) : undefined;
      renderToolResult(ctx.io, outcome, { json: Boolean(args.json), outputs });
      if (outcome.result.isError) throw new ToolError(`tool "${tool}" on server "${outcome.connection.server.name}" returned an error`);
    },
  });
