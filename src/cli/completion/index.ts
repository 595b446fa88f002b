// Shell completion scripts, generated from the real command tree so they never drift from it.
import { renderBash } from "./bash.ts";
import { renderFish } from "./fish.ts";
import { renderPowerShell } from "./powershell.ts";
import type { CompletionNode, Shell } from "./tree.ts";
import { renderZsh } from "./zsh.ts";

export { collectCommands, SHELLS, type CompletionNode, type Shell } from "./tree.ts";

export function renderCompletion(shell: Shell, nodes: readonly CompletionNode[]): string {
  switch (shell) {
    case "bash":
      return renderBash(nodes);
    case "zsh":
      return renderZsh(nodes);
    case "fish":
      return renderFish(nodes);
    case "powershell":
      return renderPowerShell(nodes);
  }
}
