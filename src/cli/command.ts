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
  /** Writes the config file, creating it if need be: a `--config` path that does not exist yet is fine. */
  createsConfig?: boolean;
  args: A;
  run(args: ParsedArgs<A>, rawArgs: string[]): Promise<void> | void;
}

const CREATES_CONFIG = Symbol("createsConfig");

export function tetherCommand<const A extends ArgsDef>(def: TetherCommand<A>): CommandDef<A> {
  const command = defineCommand({
    meta: { name: def.path.split(" ").at(-1), description: def.description, ...(def.hidden ? { hidden: true } : {}) },
    args: def.args,
    async run({ args, rawArgs }) {
      rejectUnknownArguments(rawArgs, def.args, def.path, def.variadic);
      await def.run(args, rawArgs);
    },
  });
  return Object.assign(command, { [CREATES_CONFIG]: def.createsConfig === true });
}

/** Whether `command` may run with a `--config` file that does not exist yet (it creates it). */
export function createsConfig(command: CommandDef<any>): boolean {
  return (command as { [CREATES_CONFIG]?: boolean })[CREATES_CONFIG] === true;
}

type CommandModule = { default: (ctx: Context) => CommandDef<any> };

/** A subcommand that is imported only when it runs (or when help lists it). */
export function lazy(ctx: Context, load: () => Promise<CommandModule>): () => Promise<CommandDef<any>> {
  return async () => (await load()).default(ctx);
}

/** A citty definition's field (meta, args, subCommands, a subcommand): a value, a promise, or a function giving either. */
export async function resolve<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? (value as () => T | Promise<T>)() : value;
}
