// `tether mcp get`: one server in full, secrets masked.
import type { Context } from "../../../context.ts";
import { autoApprovesReadOnly, getServer } from "../../../config/servers.ts";
import { jsonArg, serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { loginStates } from "../../login-states.ts";
import { renderServer } from "../../views/servers.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp get",
    description: "Show one server in full (env values masked)",
    args: { ...serverNameArg, ...jsonArg },
    async run({ name, json }) {
      const server = await getServer(ctx, name);
      const readOnlyUnasked = autoApprovesReadOnly(server, (await ctx.config()).config);
      renderServer(ctx.io, server, { json: Boolean(json), auth: (await loginStates(ctx, [server]))?.[0], readOnlyUnasked });
    },
  });
