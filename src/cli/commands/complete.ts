// `tether __complete tools|prompts|resources SERVER`: the names the completion scripts offer after
// `mcp call`, `mcp prompt` and `mcp read`, one a line. Hidden: only the scripts call it.
import type { Context } from "../../context.ts";
import type { ListKind } from "../../mcp/connect.ts";
import { NAME_KINDS } from "../../mcp/name-cache.ts";
import { tetherCommand } from "../command.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether __complete",
    description: "Names for shell completion (used by the completion scripts)",
    hidden: true,
    args: {
      kind: { type: "positional", description: "tools, prompts or resources", required: true },
      server: { type: "positional", description: "Server name", required: true },
    },
    async run({ kind, server }) {
      // A shell has nowhere to show an error: an unknown kind or server completes nothing.
      if (!NAME_KINDS.includes(kind as ListKind)) return;
      const { completionNames } = await import("../../mcp/completion-names.ts");
      await completionNames(ctx, server, kind as ListKind, (names) => {
        if (names.length > 0) ctx.io.stdout.write(`${names.join("\n")}\n`);
      });
    },
  });
