// The PowerShell completion script (Windows): the command table as a hashtable and one walker
// over the words before the cursor, in a native argument completer.
import { SHELLS, type CompletionNode } from "./tree.ts";

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function array(items: readonly string[]): string {
  return `@(${items.map(quote).join(", ")})`;
}

export function renderPowerShell(nodes: readonly CompletionNode[]): string {
  const table = nodes.map((node) => {
    const key = ["tether", ...node.path].join(" ");
    return [
      `        ${quote(key)} = @{`,
      `            subs = ${array(node.subcommands.map((s) => s.name))}`,
      `            subd = ${array(node.subcommands.map((s) => s.description))}`,
      `            flags = ${array(node.flags.map((f) => f.name))}`,
      `            flagd = ${array(node.flags.map((f) => f.description))}`,
      `            vflags = ${array(node.flags.filter((f) => f.takesValue).map((f) => f.name))}`,
      `            pos = ${array(node.positionals)}`,
      "        }",
    ].join("\n");
  });
  return [
    "# tether completion for PowerShell: tether completion powershell | Out-String | Invoke-Expression",
    "# (add that line to $PROFILE to keep it)",
    "Register-ArgumentCompleter -Native -CommandName 'tether', 'tether.exe' -ScriptBlock {",
    "    param($wordToComplete, $commandAst, $cursorPosition)",
    "    $nodes = @{",
    ...table,
    "    }",
    "    $typed = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -le $cursorPosition } | ForEach-Object { $_.Extent.Text })",
    "    # The word under the cursor is the one being completed, not one to walk.",
    "    if ($wordToComplete -ne '' -and $typed.Count -gt 1) { $typed = $typed[0..($typed.Count - 2)] }",
    "    $node = 'tether'; $pending = $null; $config = $null; $npos = 0; $first = $null",
    "    foreach ($word in @($typed | Select-Object -Skip 1)) {",
    "        if ($pending) { if ($pending -eq '--config') { $config = $word }; $pending = $null; continue }",
    "        if ($word -eq '--') { return }",
    "        if ($word -like '--config=*') { $config = $word.Substring(9); continue }",
    "        if ($word -like '-*') { if ($nodes[$node].vflags -contains $word) { $pending = $word }; continue }",
    "        if ($npos -eq 0 -and $nodes[$node].subs -contains $word) { $node = \"$node $word\"; continue }",
    "        if ($npos -eq 0) { $first = $word }",
    "        $npos++",
    "    }",
    "    # A flag's value: nothing from us, so PowerShell offers paths (right for --config and --cwd).",
    "    if ($pending) { return }",
    "    $names = @(); $descriptions = @()",
    "    if ($wordToComplete -like '-*') { $names = $nodes[$node].flags; $descriptions = $nodes[$node].flagd }",
    "    elseif ($nodes[$node].subs.Count -gt 0) { $names = $nodes[$node].subs; $descriptions = $nodes[$node].subd }",
    "    else {",
    "        $kind = if ($npos -lt $nodes[$node].pos.Count) { $nodes[$node].pos[$npos] } else { '' }",
    "        if ($kind -eq 'server') {",
    "            $listArgs = @(); if ($config) { $listArgs += @('--config', $config) }",
    "            $names = @(& tether @listArgs mcp list 2>$null | ForEach-Object { ($_ -split \"`t\")[0] })",
    "        } elseif ($kind -in @('tool', 'prompt', 'resource') -and $first) {",
    "            $listArgs = @(); if ($config) { $listArgs += @('--config', $config) }",
    "            $names = @(& tether @listArgs __complete \"${kind}s\" $first 2>$null)",
    "        } elseif ($kind -eq 'shell') { $names = " + array(SHELLS) + " }",
    "    }",
    "    for ($i = 0; $i -lt $names.Count; $i++) {",
    "        if ($names[$i] -notlike \"$wordToComplete*\") { continue }",
    "        $tip = if ($i -lt $descriptions.Count -and $descriptions[$i]) { $descriptions[$i] } else { $names[$i] }",
    "        [System.Management.Automation.CompletionResult]::new($names[$i], $names[$i], 'ParameterValue', $tip)",
    "    }",
    "}",
    "",
  ].join("\n");
}
