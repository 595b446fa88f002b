// `tether mcp daemon run` (hidden): the daemon process itself, in the foreground. Commands start
// it detached, its stderr in the daemon's log file; run by hand, it is the same daemon with its
// log on stderr.
import type { Context, IO } from "../../../../context.ts";
import { runDaemon } from "../../../../daemon/lifecycle.ts";
import { tetherCommand } from "../../../command.ts";
import { createLog } from "../../../factory.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp daemon run",
    description: "Run the keep-alive daemon in the foreground",
    hidden: true,
    args: {},
    async run() {
      // A log read days later needs each line's time.
      const stamped = { write: (chunk: string) => ctx.io.stderr.write(stampLines(chunk, new Date(ctx.now()).toISOString())) };
      const io: IO = { ...ctx.io, stdout: stamped, stderr: stamped };
      await runDaemon({ ...ctx, io, log: createLog({ io, debug: ctx.debug }) });
    },
  });

/** `time` before every line of `chunk` (a log write is whole lines). */
function stampLines(chunk: string, time: string): string {
  return chunk.replace(/^(?=.)/gm, `${time} `);
}
