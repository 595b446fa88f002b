// `tether mcp doctor`: connect to servers in parallel and report what works and what does not.
import type { Context } from "../../../context.ts";
import { isEmptyTarget } from "../../../config/adhoc.ts";
import { configuredAuth } from "../../../config/describe.ts";
import { listServers } from "../../../config/servers.ts";
import { ConnectionError } from "../../../errors.ts";
import { probeServers } from "../../../mcp/connect-all.ts";
import { jsonArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { loginStates } from "../../login-states.ts";
import { runSecrets } from "../../secrets.ts";
import { parseServerTarget, serverTargetArgs, withServerTarget } from "../../server-target.ts";
import { withSpinner } from "../../spinner.ts";
import { renderDoctor } from "../../views/doctor.ts";
import { printNoServers } from "../../views/servers.ts";

const path = "tether mcp doctor";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "Check servers: reachability, protocol, tools, latency, auth, stderr",
    args: {
      name: { type: "positional", description: "Only this server (a configured name or a URL)", required: false, valueHint: "NAME" },
      ...serverTargetArgs,
      ...jsonArg,
    },
    async run(args, rawArgs) {
      const { target } = parseServerTarget(args, rawArgs, path, [], { optional: true });
      const servers = isEmptyTarget(target) ? await listServers(ctx) : await withServerTarget(ctx, target, async (server) => [server]);
      if (servers.length === 0) return printNoServers(ctx.io);
      const results = await withSpinner(ctx.io, `Checking ${servers.length} servers…`, () => probeServers(ctx, servers));
      const auth = await loginStates(ctx, servers);
      renderDoctor(ctx.io, results.map((result, i) => ({ result, auth: auth?.[i] ?? configuredAuth(result.server) })), {
        json: Boolean(args.json),
        secrets: await runSecrets(ctx),
      });
      const failed = results.filter((r) => r.status === "error").length;
      if (failed > 0) throw new ConnectionError(`${failed} of ${results.length} servers failed`);
    },
  });
