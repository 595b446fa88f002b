// `tether completion bash|zsh|fish|powershell`: print a completion script for the shell.
import type { CommandDef } from "citty";
import type { Context } from "../../context.ts";
import { UsageError } from "../../errors.ts";
import { collectCommands, renderCompletion, SHELLS, type Shell } from "../completion/index.ts";
import { tetherCommand } from "../command.ts";

/** `root` is the whole command tree (cli/root.ts), whose commands the script completes. */
export default (ctx: Context, root: CommandDef<any>) =>
  tetherCommand({
    path: "tether completion",
    description: "Print a shell completion script (bash, zsh, fish or powershell)",
    args: { shell: { type: "positional", description: "bash, zsh, fish or powershell", required: true, valueHint: "SHELL" } },
    async run({ shell }) {
      if (!SHELLS.includes(shell as Shell)) {
        throw new UsageError(`unknown shell "${shell}"`, { hint: `use one of: ${SHELLS.join(", ")}` });
      }
      ctx.io.stdout.write(renderCompletion(shell as Shell, await collectCommands(root)));
    },
  });
