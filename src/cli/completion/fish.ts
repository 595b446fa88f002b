// The fish completion script: the command table as fish functions and one walker over the tokens.
import { SHELLS, type CompletionNode } from "./tree.ts";

function quote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function list(items: readonly string[]): string {
  return items.map(quote).join(" ");
}

export function renderFish(nodes: readonly CompletionNode[]): string {
  const table = ["function __tether_node", "    switch \"$argv[1]\""];
  for (const node of nodes) {
    table.push(
      `        case ${quote(node.path.join(" "))}`,
      `            set -g __tether_subs ${list(node.subcommands.map((s) => s.name))}`,
      `            set -g __tether_subd ${list(node.subcommands.map((s) => `${s.name}\t${s.description}`))}`,
      `            set -g __tether_flagd ${list(node.flags.map((f) => `${f.name}\t${f.description}`))}`,
      `            set -g __tether_vflags ${list(node.flags.filter((f) => f.takesValue).map((f) => f.name))}`,
      `            set -g __tether_fileflags ${list(node.flags.filter((f) => f.value === "file").map((f) => f.name))}`,
      `            set -g __tether_dirflags ${list(node.flags.filter((f) => f.value === "dir").map((f) => f.name))}`,
      `            set -g __tether_pos ${list(node.positionals)}`,
    );
  }
  table.push("    end", "end");
  return [
    "# tether completion for fish: tether completion fish | source",
    ...table,
    "function __tether_complete",
    "    set -l tokens (commandline -opc)",
    "    set -l cur (commandline -ct)",
    "    set -l node ''",
    "    set -l pending ''",
    "    set -l config ''",
    "    set -l npos 0",
    "    set -l first ''",
    "    __tether_node ''",
    "    for word in $tokens[2..-1]",
    "        if test -n \"$pending\"",
    "            test \"$pending\" = --config; and set config $word",
    "            set pending ''",
    "            continue",
    "        end",
    "        switch $word",
    "            case --",
    "                return",
    "            case '--config=*'",
    "                set config (string replace -- --config= '' $word)",
    "            case '-*=*'",
    "            case '-*'",
    "                contains -- $word $__tether_vflags; and set pending $word",
    "            case '*'",
    "                if test $npos -eq 0; and contains -- $word $__tether_subs",
    "                    set node (string trim -- \"$node $word\")",
    "                    __tether_node $node",
    "                else",
    "                    test $npos -eq 0; and set first $word",
    "                    set npos (math $npos + 1)",
    "                end",
    "        end",
    "    end",
    "    if test -n \"$pending\"",
    "        if contains -- $pending $__tether_fileflags",
    "            __fish_complete_path $cur",
    "        else if contains -- $pending $__tether_dirflags",
    "            __fish_complete_directories $cur",
    "        end",
    "        return",
    "    end",
    "    if string match -q -- '-*' $cur",
    "        printf '%s\\n' $__tether_flagd",
    "    else if set -q __tether_subs[1]",
    "        printf '%s\\n' $__tether_subd",
    "    else",
    "        set -l kind $__tether_pos[(math $npos + 1)]",
    "        switch \"$kind\"",
    "            case server",
    "                set -l with_config",
    "                test -n \"$config\"; and set with_config --config $config",
    "                tether $with_config mcp list 2>/dev/null | string split -f1 \\t",
    "            case tool prompt resource",
    "                set -l with_config",
    "                test -n \"$config\"; and set with_config --config $config",
    "                tether $with_config __complete $kind's' $first 2>/dev/null",
    "            case shell",
    `                printf '%s\\n' ${SHELLS.join(" ")}`,
    "        end",
    "    end",
    "end",
    "complete -c tether -f -a '(__tether_complete)'",
    "",
  ].join("\n");
}
