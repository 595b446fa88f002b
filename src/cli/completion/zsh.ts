// The zsh completion script: bash's table and walker, with zsh's own completion calls.
import { SERVER_ITEM_NAMES, SERVER_NAMES, SHARED_WALK, shellNodeTable } from "./bash.ts";
import { SHELLS, type CompletionNode } from "./tree.ts";

export function renderZsh(nodes: readonly CompletionNode[]): string {
  return [
    "#compdef tether",
    '# tether completion for zsh: tether completion zsh > "${fpath[1]}/_tether" (or: source <(tether completion zsh))',
    ...shellNodeTable(nodes),
    ...SHARED_WALK,
    "_tether() {",
    '  local cur="${words[CURRENT]}" node pending config npos first kind',
    "  local _tether_subs _tether_flags _tether_vflags _tether_dirflags _tether_fileflags _tether_pos",
    '  _tether_walk "${(@)words[2,CURRENT-1]}"',
    "  [[ $node == -- ]] && return 1",
    "  if [[ -n $pending ]]; then",
    '    if [[ " $_tether_fileflags " == *" $pending "* ]]; then _files',
    '    elif [[ " $_tether_dirflags " == *" $pending "* ]]; then _files -/',
    "    else return 1",
    "    fi",
    "    return",
    "  fi",
    "  if [[ $cur == -* ]]; then",
    "    compadd -- ${=_tether_flags}",
    "  elif [[ -n $_tether_subs ]]; then",
    "    compadd -- ${=_tether_subs}",
    "  else",
    "    local -a kinds=(${=_tether_pos})",
    '    kind="${kinds[npos+1]}"',
    '    case "$kind" in',
    `      server) local -a names=(\${(f)"${SERVER_NAMES}"}); compadd -a names ;;`,
    `      tool|prompt|resource) local -a names=(\${(f)"${SERVER_ITEM_NAMES}"}); compadd -a names ;;`,
    `      shell) compadd -- ${SHELLS.join(" ")} ;;`,
    "      *) return 1 ;;",
    "    esac",
    "  fi",
    "}",
    // Autoloaded from $fpath, this file is _tether's body: run it. Sourced, register it.
    'if [[ "${funcstack[1]}" == _tether ]]; then _tether "$@"; else compdef _tether tether; fi',
    "",
  ].join("\n");
}
