// `tether mcp logout`: revoke (where advertised) and delete a server's stored OAuth credentials.
import type { Context } from "../../../context.ts";
import { logoutServer } from "../../../auth/logout.ts";
import { serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { renderLogout } from "../../views/auth.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp logout",
    description: "Delete a server's stored OAuth credentials (and revoke its tokens)",
    args: { ...serverNameArg },
    async run({ name }) {
      renderLogout(ctx.io, await logoutServer(ctx, name));
    },
  });
