// `tether mcp remove`: delete a server entry.
import type { Context } from "../../../context.ts";
import { forgetServerCredentials } from "../../../auth/server-store.ts";
import { removeServer } from "../../../config/server-edits.ts";
import { serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { renderCredentialsForgotten } from "../../views/auth.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp remove",
    description: "Remove a server (and its stored OAuth credentials)",
    args: { ...serverNameArg },
    async run({ name }) {
      const removed = await removeServer(ctx, name);
      ctx.io.stdout.write(`Removed server "${removed.name}" from ${ctx.paths.config}\n`);
      if (await forgetServerCredentials(ctx, removed)) renderCredentialsForgotten(ctx.io, removed.name);
    },
  });
