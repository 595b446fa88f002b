// `tether mcp daemon run` (hidden): the daemon process itself, in the foreground. Commands start
// it detached, its stderr in the daemon's log file; run by hand, it is the same daemon with its
// log on stderr.
import type { Context, IO } from "../../../../context.ts";
import { runDaemon } from "../../../../daemon/lifecycle.ts";
import { tetherCommand } from "../../../command.ts";
import { ConfigCache, runForCaller } from "../../../daemon-run.ts";
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
      const daemon = { ...ctx, io, log: createLog({ io, debug: ctx.debug }) };
      // Callers hand it whole commands (daemon-run.ts); their config is read once per change of the file.
      const configs = new ConfigCache();
      await runDaemon(daemon, { run: (request, relay, servers) => runForCaller(daemon, request, relay, servers, configs) });
    },
  });

/** `time` before every line of `chunk` (a log write is whole lines). */
function stampLines(chunk: string, time: string): string {
  return chunk.replace(/^(?=.)/gm, `${time} `);
}
