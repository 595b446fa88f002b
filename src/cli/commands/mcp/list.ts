// `tether mcp list`: the configured servers as a table or JSON; `--status` probes each one.
import type { Context } from "../../../context.ts";
import { listServers } from "../../../config/servers.ts";
import { jsonArg } from "../../args.ts";
import { loginStates } from "../../login-states.ts";
import { tetherCommand } from "../../command.ts";
import { renderServerList, renderServerStatus } from "../../views/servers.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp list",
    description: "List configured servers (--status connects to each)",
    args: {
      ...jsonArg,
      status: { type: "boolean", description: "Connect to every enabled server in parallel and show its status" },
    },
    async run({ json, status }) {
      const servers = await listServers(ctx);
      if (!status) return renderServerList(ctx.io, servers, { json: Boolean(json), auth: await loginStates(ctx, servers) });
      // The SDK (and the spinner) load only when a probe is asked for: plain `mcp list` stays fast.
      const [{ probeServers }, { withSpinner }, { runSecrets }] = await Promise.all([
        import("../../../mcp/connect-all.ts"),
        import("../../spinner.ts"),
        import("../../secrets.ts"),
      ]);
      const results = await withSpinner(ctx.io, `Connecting to ${servers.length} servers…`, () => probeServers(ctx, servers));
      // After the probe: connecting may have refreshed a login, or deleted a dead one.
      renderServerStatus(ctx.io, results, { json: Boolean(json), auth: await loginStates(ctx, servers), secrets: await runSecrets(ctx) });
    },
  });
