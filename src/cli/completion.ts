// Shell completion scripts, generated from the real command tree so they never drift from it.
import type { ArgsDef, CommandDef } from "citty";
import { serverNameArg } from "./args.ts";

export type Shell = "bash" | "zsh" | "fish";
export const SHELLS: readonly Shell[] = ["bash", "zsh", "fish"];

export interface CompletionNode {
  /** Words after `tether`, e.g. ["mcp", "add"]. */
  path: string[];
  description: string;
  flags: { name: string; description: string }[];
  subcommands: string[];
  /** Its first positional is a configured server's name. */
  takesServer: boolean;
}

async function resolve<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? (value as () => T | Promise<T>)() : value;
}

/** Walks the tree (loading every command module) into a flat list. */
export async function collectCommands(command: CommandDef<any>, path: string[] = []): Promise<CompletionNode[]> {
  const meta = (await resolve(command.meta)) ?? {};
  const args: ArgsDef = (await resolve(command.args)) ?? {};
  const children = (await resolve(command.subCommands)) ?? {};
  const node: CompletionNode = {
    path,
    description: meta.description ?? "",
    flags: Object.entries(args)
      .filter(([, def]) => def.type !== "positional")
      .map(([name, def]) => ({ name, description: def.description ?? "" })),
    subcommands: Object.keys(children),
    takesServer: Object.values(args).includes(serverNameArg.name),
  };
  const nested = await Promise.all(
    Object.entries(children).map(async ([name, child]) => collectCommands(await resolve(child), [...path, name])),
  );
  return [node, ...nested.flat()];
}

export function renderCompletion(shell: Shell, nodes: CompletionNode[]): string {
  if (shell === "fish") return renderFish(nodes);
  const bash = renderBash(nodes);
  return shell === "zsh" ? `#compdef tether\nautoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}

const SERVERS = `$(tether mcp list 2>/dev/null | cut -f1)`;

function renderBash(nodes: CompletionNode[]): string {
  // Longest paths first, so "mcp add" wins over "mcp" in the case patterns.
  const sorted = [...nodes].sort((a, b) => b.path.length - a.path.length);
  const cases = sorted.map((node) => {
    const key = node.path.join(" ");
    const flags = [...node.flags.map((f) => `--${f.name}`), "--help"].join(" ");
    const words = node.subcommands.length > 0 ? `${node.subcommands.join(" ")} ${flags}` : flags;
    const pattern = node.path.length === 0 ? `""` : node.subcommands.length > 0 ? `"${key}"` : `"${key}"|"${key} "*`;
    const body = node.takesServer
      ? `if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${flags}" -- "$cur")); else COMPREPLY=($(compgen -W "${SERVERS}" -- "$cur")); fi`
      : `COMPREPLY=($(compgen -W "${words}" -- "$cur"))`;
    return `    ${pattern}) ${body} ;;`;
  });
  return [
    "# tether completion for bash: eval \"$(tether completion bash)\"",
    "_tether() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}" path="" i',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case "${COMP_WORDS[i]}" in --) return ;; -*) ;; *) path="$path ${COMP_WORDS[i]}" ;; esac',
    "  done",
    '  path="${path# }"',
    '  case "$path" in',
    ...cases,
    "  esac",
    "}",
    "complete -F _tether tether",
    "",
  ].join("\n");
}

function renderFish(nodes: CompletionNode[]): string {
  const lines = ["# tether completion for fish: tether completion fish | source", "complete -c tether -f"];
  for (const node of nodes) {
    const condition = fishCondition(node.path, nodes);
    for (const sub of node.subcommands) {
      const child = nodes.find((n) => n.path.join(" ") === [...node.path, sub].join(" "));
      lines.push(`complete -c tether -n '${condition}' -a ${sub} -d ${fishQuote(child?.description ?? "")}`);
    }
    for (const flag of node.flags) {
      lines.push(`complete -c tether -n '${condition}' -l ${flag.name} -d ${fishQuote(flag.description)}`);
    }
    if (node.takesServer) lines.push(`complete -c tether -n '${condition}' -a '(tether mcp list 2>/dev/null | cut -f1)'`);
  }
  return lines.join("\n") + "\n";
}

/** True while the typed words are exactly `path` (plus arguments of a leaf command). */
function fishCondition(path: string[], nodes: CompletionNode[]): string {
  if (path.length === 0) return "__fish_use_subcommand";
  const parts = path.map((word) => `__fish_seen_subcommand_from ${word}`);
  const node = nodes.find((n) => n.path.join(" ") === path.join(" "));
  if (node && node.subcommands.length > 0) parts.push(`not __fish_seen_subcommand_from ${node.subcommands.join(" ")}`);
  return parts.join("; and ");
}

function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
