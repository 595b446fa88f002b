// `tether mcp doctor`: connect to servers in parallel and report what works and what does not.
import type { Context } from "../../../context.ts";
import { configuredAuth } from "../../../config/describe.ts";
import { getServer, listServers } from "../../../config/servers.ts";
import { ConnectionError } from "../../../errors.ts";
import { probeServers } from "../../../mcp/connect-all.ts";
import { jsonArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { loginStates } from "../../login-states.ts";
import { runSecrets } from "../../secrets.ts";
import { withSpinner } from "../../spinner.ts";
import { renderDoctor } from "../../views/doctor.ts";
import { printNoServers } from "../../views/servers.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp doctor",
    description: "Check servers: reachability, protocol, tools, latency, auth, stderr",
    args: {
      name: { type: "positional", description: "Only this server", required: false, valueHint: "NAME" },
      ...jsonArg,
    },
    async run({ name, json }) {
      const servers = name ? [await getServer(ctx, name)] : await listServers(ctx);
      if (servers.length === 0) return printNoServers(ctx.io);
      const results = await withSpinner(ctx.io, `Checking ${servers.length} servers…`, () => probeServers(ctx, servers));
      const auth = await loginStates(ctx, servers);
      renderDoctor(ctx.io, results.map((result, i) => ({ result, auth: auth?.[i] ?? configuredAuth(result.server) })), {
        json: Boolean(json),
        secrets: await runSecrets(ctx),
      });
      const failed = results.filter((r) => r.status === "error").length;
      if (failed > 0) throw new ConnectionError(`${failed} of ${results.length} servers failed`);
    },
  });
