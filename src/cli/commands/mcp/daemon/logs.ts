// `tether mcp daemon logs`: the end of the keep-alive daemon's log file.
import type { Context } from "../../../../context.ts";
import { DEFAULT_LOG_LINES, readDaemonLog } from "../../../../daemon/lifecycle.ts";
import { parseWholeNumber } from "../../../args.ts";
import { tetherCommand } from "../../../command.ts";
import { renderDaemonLog } from "../../../views/daemon.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp daemon logs",
    description: "Show the end of the keep-alive daemon's log",
    args: {
      lines: { type: "string", description: `How many lines (default ${DEFAULT_LOG_LINES})`, valueHint: "N" },
    },
    async run({ lines }) {
      renderDaemonLog(ctx.io, readDaemonLog(ctx, lines === undefined ? DEFAULT_LOG_LINES : parseWholeNumber("--lines", lines, 1)));
    },
  });
