// `tether mcp daemon stop`: stop this config's keep-alive daemon and every server it keeps.
import type { Context } from "../../../../context.ts";
import { endDaemon } from "../../../../daemon/lifecycle.ts";
import { jsonArg } from "../../../args.ts";
import { tetherCommand } from "../../../command.ts";
import { renderDaemonStopped } from "../../../views/daemon.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp daemon stop",
    description: "Stop the keep-alive daemon and its servers",
    args: { ...jsonArg },
    async run({ json }) {
      renderDaemonStopped(ctx.io, await endDaemon(ctx), { json: Boolean(json) });
    },
  });
