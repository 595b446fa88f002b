// `tether mcp logout`: revoke (where advertised) and delete a server's stored OAuth credentials.
import type { Context } from "../../../context.ts";
import { logoutServer } from "../../../auth/logout.ts";
import { tetherCommand } from "../../command.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { renderLogout } from "../../views/auth.ts";

const path = "tether mcp logout";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "Delete a server's stored OAuth credentials (and revoke its tokens)",
    // A login made with `mcp login URL` is removed by the same URL.
    args: { ...serverTargetNameArg, url: serverTargetArgs.url },
    async run(args, rawArgs) {
      const { target } = parseServerTarget(args, rawArgs, path);
      renderLogout(ctx.io, await withServerTarget(ctx, target, (server) => logoutServer(ctx, server)));
    },
  });
