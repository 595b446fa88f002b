// The command tree. Subcommands are loaders, so a run imports only the command it runs.
import { defineCommand, type CommandDef } from "citty";
import type { Context } from "../context.ts";
import { VERSION_LABEL } from "../version.ts";
import { lazy } from "./command.ts";

export function createRootCommand(ctx: Context): CommandDef<any> {
  const root: CommandDef<any> = defineCommand({
    meta: { name: "tether", version: VERSION_LABEL, description: "An MCP client and agent CLI" },
    args: {
      config: { type: "string", description: "Use this config file instead of $TETHER_HOME/config.toml", valueHint: "PATH" },
      version: { type: "boolean", alias: "V", description: "Print the version" },
    },
    subCommands: {
      mcp: lazy(ctx, () => import("./commands/mcp/index.ts")),
      exec: lazy(ctx, () => import("./commands/exec.ts")),
      // The completion script is made from this very tree: handed in, so completion.ts need not import root.ts back.
      completion: async () => (await import("./commands/completion.ts")).default(ctx, root),
      __complete: lazy(ctx, () => import("./commands/complete.ts")),
    },
    run({ args }) {
      if (args.version) ctx.io.stdout.write(`tether ${VERSION_LABEL}\n`);
    },
  });
  return root;
}
