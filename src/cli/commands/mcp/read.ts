// `tether mcp read`: read one resource (a listed URI or one matching a template).
import type { Context } from "../../../context.ts";
import { readServerResource } from "../../../mcp/resources.ts";
import { jsonArg, keepAliveArg, keepAliveOf, serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { answerServerRequests, serverRequestArgs } from "../../server-requests.ts";
import { withSpinner } from "../../spinner.ts";
import { renderCallProgress } from "../../views/tools.ts";
import { renderResourceRead } from "../../views/resources.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp read",
    description: "Read a resource: NAME URI [--out FILE]",
    args: {
      ...serverNameArg,
      uri: { type: "positional", description: "Resource URI", required: true, valueHint: "URI" },
      out: { type: "string", description: "Write the contents (text or binary) to this file", valueHint: "FILE" },
      ...serverRequestArgs,
      ...keepAliveArg,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const { name, uri, out, json } = args;
      const elicitor = answerServerRequests(ctx, args, rawArgs);
      const read = await withSpinner(ctx.io, `Reading ${uri} from ${name}…`, (status) =>
        readServerResource(ctx, { server: name, uri, keepAlive: keepAliveOf(rawArgs) }, (update) => renderCallProgress(ctx.io, uri, update, status)),
      );
      elicitor.check();
      renderResourceRead(ctx.io, read, { json: Boolean(json), out });
    },
  });
