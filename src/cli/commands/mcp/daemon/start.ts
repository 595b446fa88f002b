// `tether mcp daemon start`: start this config's keep-alive daemon now (commands also start it on first use).
import type { Context } from "../../../../context.ts";
import { startDaemon } from "../../../../daemon/lifecycle.ts";
import { jsonArg } from "../../../args.ts";
import { tetherCommand } from "../../../command.ts";
import { renderDaemonStarted } from "../../../views/daemon.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp daemon start",
    description: "Start the keep-alive daemon for this config",
    args: { ...jsonArg },
    async run({ json }) {
      renderDaemonStarted(ctx.io, await startDaemon(ctx), { json: Boolean(json) });
    },
  });
