// `tether mcp daemon status`: whether this config's keep-alive daemon runs, and its servers.
import type { Context } from "../../../../context.ts";
import { reportDaemon } from "../../../../daemon/lifecycle.ts";
import { jsonArg } from "../../../args.ts";
import { tetherCommand } from "../../../command.ts";
import { renderDaemonStatus } from "../../../views/daemon.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp daemon status",
    description: "Show the keep-alive daemon and the servers it keeps",
    args: { ...jsonArg },
    async run({ json }) {
      renderDaemonStatus(ctx.io, await reportDaemon(ctx), { json: Boolean(json), now: ctx.now() });
    },
  });
