// `tether mcp read`: read one resource (a listed URI or one matching a template).
import type { Context } from "../../../context.ts";
import { readServerResource } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { answerServerRequests, serverRequestArgs } from "../../server-requests.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderCallProgress } from "../../views/tools.ts";
import { renderResourceRead } from "../../views/resources.ts";

const path = "tether mcp read";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "Read a resource: NAME URI [--out FILE]",
    args: {
      ...serverTargetNameArg,
      // Not required to citty: after --stdio/--url it is the first word (parseServerTarget).
      uri: { type: "positional", description: "Resource URI", required: false, valueHint: "URI" },
      out: { type: "string", description: "Write the contents (text or binary) to this file", valueHint: "FILE" },
      ...serverTargetArgs,
      ...serverRequestArgs,
      ...keepAliveArg,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const { target, rest: [uri] } = parseServerTarget(args, rawArgs, path, ["URI"]);
      const elicitor = answerServerRequests(ctx, args, rawArgs);
      const read = await withServerTarget(ctx, target, (server) =>
        withSpinner(ctx.io, `Reading ${uri} from ${server.name}…`, (status) =>
          readServerResource(ctx, { server, uri: uri!, keepAlive: keepAliveOf(rawArgs) }, (update) => renderCallProgress(ctx.io, uri!, update, status)),
        ),
      );
      elicitor.check();
      renderResourceRead(ctx.io, read, { json: Boolean(args.json), out: args.out });
    },
  });
