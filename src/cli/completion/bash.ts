// The bash completion script: a table of commands and one walker over the typed words.
import { SHELLS, type CompletionNode } from "./tree.ts";

/** A word list for the script, single-quoted (tether's names and flags never hold a quote). */
function words(list: readonly string[]): string {
  return `'${list.join(" ")}'`;
}

/** The table as a shell function: sets the _tether_* variables for one command path. */
export function shellNodeTable(nodes: readonly CompletionNode[]): string[] {
  const lines = ["_tether_node() {", '  case "$1" in'];
  for (const node of nodes) {
    lines.push(
      `    ${words([node.path.join(" ")])})`,
      `      _tether_subs=${words(node.subcommands.map((s) => s.name))}`,
      `      _tether_flags=${words(node.flags.map((f) => f.name))}`,
      `      _tether_vflags=${words(node.flags.filter((f) => f.takesValue).map((f) => f.name))}`,
      `      _tether_dirflags=${words(node.flags.filter((f) => f.value === "dir").map((f) => f.name))}`,
      `      _tether_fileflags=${words(node.flags.filter((f) => f.value === "file").map((f) => f.name))}`,
      `      _tether_pos=${words(node.positionals)} ;;`,
    );
  }
  lines.push("  esac", "}");
  return lines;
}

/**
 * The walk both bash and zsh scripts share (same syntax in both; no variable named `path`, which
 * zsh ties to $PATH). Given the typed words before the cursor in "$@", it leaves the command in
 * `node`, the number of positionals so far in `npos` and the first of them in `first`, the
 * --config value in `config`, and the flag still waiting for its value in `pending`.
 */
export const SHARED_WALK: string[] = [
  "_tether_walk() {",
  '  node="" pending="" config="" npos=0 first=""',
  '  _tether_node ""',
  "  local word",
  '  for word in "$@"; do',
  "    if [[ -n $pending ]]; then",
  // bash splits `--flag=value` at `=` into three words.
  '      [[ $word == "=" ]] && continue',
  '      [[ $pending == --config ]] && config="$word"',
  '      pending=""',
  "      continue",
  "    fi",
  '    case "$word" in',
  "      --) node=--; return ;;",
  '      --config=*) config="${word#--config=}" ;;',
  '      -*=*) ;;',
  '      -*) [[ " $_tether_vflags " == *" $word "* ]] && pending="$word" ;;',
  "      *)",
  '        if (( npos == 0 )) && [[ " $_tether_subs " == *" $word "* ]]; then',
  '          node="${node:+$node }$word"',
  '          _tether_node "$node"',
  "        else",
  '          (( npos == 0 )) && first="$word"',
  "          npos=$((npos + 1))",
  "        fi ;;",
  "    esac",
  "  done",
  '  config="${config/#\\~/$HOME}"',
  "}",
];

/** Server names from `tether mcp list` (tab-separated when piped), read from the same config. */
export const SERVER_NAMES = '$(tether ${config:+"--config=$config"} mcp list 2>/dev/null | cut -f1)';

/**
 * Tool, prompt or resource names on the server named first, from the hidden helper (cached, bounded
 * in time, shell-safe names only); `kind` holds tool, prompt or resource.
 */
export const SERVER_ITEM_NAMES = '$(tether ${config:+"--config=$config"} __complete "${kind}s" "$first" 2>/dev/null)';

export function renderBash(nodes: readonly CompletionNode[]): string {
  return [
    "# tether completion for bash: eval \"$(tether completion bash)\"",
    ...shellNodeTable(nodes),
    ...SHARED_WALK,
    "_tether() {",
    '  local cur="${COMP_WORDS[COMP_CWORD]}" node pending config npos first kind',
    "  local _tether_subs _tether_flags _tether_vflags _tether_dirflags _tether_fileflags _tether_pos",
    // bash breaks words at `:` (COMP_WORDBREAKS): join `file`, `:`, `///a` back into the URI typed.
    '  local start=$COMP_CWORD full="$cur"',
    "  while (( start > 1 )); do",
    '    if [[ $full == :* ]]; then full="${COMP_WORDS[start-1]}$full"',
    '    elif [[ ${COMP_WORDS[start-1]} == : ]]; then full=":$full"',
    "    else break",
    "    fi",
    "    start=$((start - 1))",
    "  done",
    '  _tether_walk "${COMP_WORDS[@]:1:start-1}"',
    '  [[ $cur == "=" ]] && cur=""',
    "  COMPREPLY=()",
    '  [[ $node == -- ]] && return 0',
    "  if [[ -n $pending ]]; then",
    '    if [[ " $_tether_fileflags " == *" $pending "* ]]; then',
    "      compopt -o filenames 2>/dev/null",
    '      COMPREPLY=($(compgen -f -- "$cur"))',
    '    elif [[ " $_tether_dirflags " == *" $pending "* ]]; then',
    "      compopt -o filenames 2>/dev/null",
    '      COMPREPLY=($(compgen -d -- "$cur"))',
    "    fi",
    "    return 0",
    "  fi",
    "  if [[ $cur == -* ]]; then",
    '    COMPREPLY=($(compgen -W "$_tether_flags" -- "$cur"))',
    "  elif [[ -n $_tether_subs ]]; then",
    '    COMPREPLY=($(compgen -W "$_tether_subs" -- "$cur"))',
    "  else",
    "    local kinds=($_tether_pos)",
    '    kind="${kinds[npos]}"',
    '    case "$kind" in',
    `      server) COMPREPLY=($(compgen -W "${SERVER_NAMES}" -- "$cur")) ;;`,
    // Only the part after the last `:` is replaced, so that prefix comes off each candidate.
    "      tool|prompt|resource)",
    `        COMPREPLY=($(compgen -W "${SERVER_ITEM_NAMES}" -- "$full"))`,
    '        local colon="${full%"${full##*:}"}"',
    '        [[ -n $colon ]] && COMPREPLY=("${COMPREPLY[@]#"$colon"}") ;;',
    `      shell) COMPREPLY=($(compgen -W "${SHELLS.join(" ")}" -- "$cur")) ;;`,
    "    esac",
    "  fi",
    "}",
    "complete -F _tether tether",
    "",
  ].join("\n");
}
