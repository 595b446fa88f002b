// The command tree as completion data: what each command takes, read from its citty definition,
// so the scripts of every shell complete exactly what the commands accept.
import type { ArgsDef, CommandDef } from "citty";
import { resolve } from "../command.ts";

export type Shell = "bash" | "zsh" | "fish" | "powershell";
export const SHELLS: readonly Shell[] = ["bash", "zsh", "fish", "powershell"];

/**
 * What a positional argument is completed with. `tool`, `prompt` and `resource` are names on the
 * server named by the first positional, from `tether __complete` (the name cache).
 */
export type PositionalKind = "server" | "shell" | "tool" | "prompt" | "resource" | "none";

export interface CompletionFlag {
  /** As typed: "--url", "--no-browser". */
  name: string;
  description: string;
  /** The next word is its value (`--url URL`), not a command or positional. */
  takesValue: boolean;
  /** How that value is completed. */
  value: "file" | "dir" | "none";
}

export interface CompletionNode {
  /** Words after `tether`, e.g. ["mcp", "add"]. */
  path: string[];
  description: string;
  subcommands: { name: string; description: string }[];
  /** Every flag the command accepts, the global --config and --help included. */
  flags: CompletionFlag[];
  /** Kinds of its positionals, in order. */
  positionals: PositionalKind[];
}

/** Commands whose NAME is a new server's: completing existing names there would only mislead. */
const NEW_SERVER_NAME = new Set(["mcp add"]);

/** `--config PATH` is taken anywhere before `--` (cli/run.ts), so every command offers it. */
const GLOBAL_FLAGS: readonly CompletionFlag[] = [
  { name: "--config", description: "Use this config file instead of $TETHER_HOME/config.toml", takesValue: true, value: "file" },
  { name: "--help", description: "Show help", takesValue: false, value: "none" },
];

function flagsOf(args: ArgsDef): CompletionFlag[] {
  const flags: CompletionFlag[] = [];
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional" || name === "config") continue;
    if (def.type === "boolean") {
      // A boolean that defaults to true is only ever typed negated (`--no-browser`).
      const negated = def.default === true;
      const description = (negated ? def.negativeDescription : def.description) ?? def.description ?? "";
      flags.push({ name: negated ? `--no-${name}` : `--${name}`, description, takesValue: false, value: "none" });
      continue;
    }
    const hint = "valueHint" in def ? def.valueHint : undefined;
    const value = hint === "DIR" ? "dir" : hint === "PATH" || hint === "FILE" ? "file" : "none";
    flags.push({ name: `--${name}`, description: def.description ?? "", takesValue: true, value });
  }
  return [...flags, ...GLOBAL_FLAGS];
}

function positionalsOf(args: ArgsDef, key: string): PositionalKind[] {
  return Object.values(args)
    .filter((def) => def.type === "positional")
    .map((def) => {
      const hint = "valueHint" in def ? def.valueHint : undefined;
      if (hint === "SHELL") return "shell";
      if (hint === "TOOL") return "tool";
      if (hint === "URI") return "resource";
      // exec's PROMPT is the user's own text.
      if (hint === "PROMPT" && key === "mcp prompt") return "prompt";
      return hint === "NAME" && !NEW_SERVER_NAME.has(key) ? "server" : "none";
    });
}

/** Walks the tree (loading every command module) into a flat list, the root first. */
export async function collectCommands(command: CommandDef<any>, path: string[] = []): Promise<CompletionNode[]> {
  const meta = (await resolve(command.meta)) ?? {};
  const args: ArgsDef = (await resolve(command.args)) ?? {};
  const all = await Promise.all(
    Object.entries((await resolve(command.subCommands)) ?? {}).map(async ([name, lazyChild]) => {
      const child = await resolve(lazyChild);
      return { name, child, meta: (await resolve(child.meta)) ?? {} };
    }),
  );
  const children = all.filter(({ meta }) => !meta.hidden);
  const subcommands = children.map(({ name, meta }) => ({ name, description: meta.description ?? "" }));
  const node: CompletionNode = {
    path,
    description: meta.description ?? "",
    subcommands,
    flags: flagsOf(args),
    positionals: positionalsOf(args, path.join(" ")),
  };
  const nested = await Promise.all(children.map(({ name, child }) => collectCommands(child, [...path, name])));
  return [node, ...nested.flat()];
}
