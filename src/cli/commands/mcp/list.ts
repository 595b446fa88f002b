// `tether mcp list`: the configured servers as a table or JSON.
import type { Context } from "../../../context.ts";
import { listServers } from "../../../config/servers.ts";
import { jsonArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { renderServerList } from "../../views/servers.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp list",
    description: "List configured servers",
    args: { ...jsonArg },
    async run({ json }) {
      renderServerList(ctx.io, await listServers(ctx), { json: Boolean(json) });
    },
  });
