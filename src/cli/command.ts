// defineCommand plus the checks every tether command gets: unknown flags are usage errors.
import { defineCommand, type ArgsDef, type CommandDef, type ParsedArgs } from "citty";
import type { Context } from "../context.ts";
import { rejectUnknownArguments } from "./args.ts";

export interface TetherCommand<A extends ArgsDef> {
  /** Full name, e.g. "tether mcp add" (used in messages). */
  path: string;
  description: string;
  /** Left out of help and of the completion scripts' command lists. */
  hidden?: boolean;
  /** Takes any number of words after its declared positionals (exec's prompt). */
  variadic?: boolean;
  args: A;
  run(args: ParsedArgs<A>, rawArgs: string[]): Promise<void> | void;
}

export function tetherCommand<const A extends ArgsDef>(def: TetherCommand<A>): CommandDef<A> {
  return defineCommand({
    meta: { name: def.path.split(" ").at(-1), description: def.description, ...(def.hidden ? { hidden: true } : {}) },
    args: def.args,
    async run({ args, rawArgs }) {
      rejectUnknownArguments(rawArgs, def.args, def.path, def.variadic);
      await def.run(args, rawArgs);
    },
  });
}

type CommandModule = { default: (ctx: Context) => CommandDef<any> };

/** A subcommand that is imported only when it runs (or when help lists it). */
export function lazy(ctx: Context, load: () => Promise<CommandModule>): () => Promise<CommandDef<any>> {
  return async () => (await load()).default(ctx);
}
