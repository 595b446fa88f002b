// `tether mcp daemon run` (hidden): the daemon process itself, in the foreground. Commands start
// it detached; run by hand, it is the same daemon with its log on stderr.
import type { Context } from "../../../../context.ts";
import { runDaemon } from "../../../../daemon/lifecycle.ts";
import { tetherCommand } from "../../../command.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp daemon run",
    description: "Run the keep-alive daemon in the foreground",
    hidden: true,
    args: {},
    async run() {
      await runDaemon(ctx);
    },
  });
