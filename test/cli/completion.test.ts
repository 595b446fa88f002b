// Completion scripts, driven through a real bash, zsh and fish in a pseudo-terminal: type a line,
// press Tab, read back what the shell completed. Shells that are not installed are skipped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ensureHostBinary } from "../support/binary.ts";
import { baseEnv, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { completeLine, completeLines, type PtyShell, shellSkipReason } from "../support/shell-pty.ts";

let home: ReturnType<typeof makeHome>;
let env: Record<string, string>;
let other: string;
let named: string;

beforeAll(async () => {
  home = makeHome();
  // One server, so a completion that offers server names has exactly one to insert.
  writeConfig(home.configPath, { servers: { docs: { command: "d" } } });
  other = join(home.home, "configs");
  mkdirSync(other);
  writeConfig(join(other, "other.toml"), { servers: { elsewhere: { url: "https://e.example/mcp" } } });
  // A real server whose tool and resource names a listing leaves in the completion cache.
  named = join(other, "named.toml");
  writeConfig(named, { servers: { fx: stdioFixture(["--features", "--tools", "echo"]) } });
  for (const list of ["tools", "resources"]) {
    const listed = await runTether(["--config", named, "mcp", list, "fx"], { home: home.home });
    expect(listed.code).toBe(0);
  }
  // `tether` on PATH, as the scripts call it for server names.
  const bin = join(home.home, "bin");
  mkdirSync(bin);
  // The compiled executable: each Tab runs it, and a source run would load every module each time.
  const tetherBinary = await ensureHostBinary();
  if (process.platform === "win32") writeFileSync(join(bin, "tether.cmd"), `@"${tetherBinary}" %*\r\n`);
  else writeFileSync(join(bin, "tether"), `#!/bin/sh\nexec '${tetherBinary}' "$@"\n`, { mode: 0o755 });
  env = baseEnv(home.home, { PATH: `${bin}${delimiter}${process.env.PATH}` });
});
afterAll(() => home.cleanup());

/** Typed line → the line after one Tab. */
function cases(): [string, string][] {
  const cfg = join(other, "other.toml");
  return [
    ["tether m", "tether mcp"],
    ["tether mcp ge", "tether mcp get"],
    // zsh: a local named `path` would empty $PATH and fail with "command not found: cut".
    ["tether mcp get ", "tether mcp get docs"],
    ["tether mcp remove d", "tether mcp remove docs"],
    ["tether mcp doctor ", "tether mcp doctor docs"],
    // The second positional of call is a tool, not a server.
    ["tether mcp call docs ", "tether mcp call docs"],
    // A new server's name: nothing to offer.
    ["tether mcp add ", "tether mcp add"],
    ["tether mcp add x --u", "tether mcp add x --url"],
    ["tether mcp add x --bearer", "tether mcp add x --bearer-token-env-var"],
    ["tether mcp list --st", "tether mcp list --status"],
    ["tether mcp login docs --no-b", "tether mcp login docs --no-browser"],
    ["tether completion p", "tether completion powershell"],
    ["tether completion z", "tether completion zsh"],
    ["tether ex", "tether exec"],
    ["tether --config " + join(other, "oth"), `tether --config ${cfg}`],
    [`tether --config ${cfg} mcp ge`, `tether --config ${cfg} mcp get`],
    // Server names come from the config the line names.
    [`tether --config ${cfg} mcp get `, `tether --config ${cfg} mcp get elsewhere`],
    [`tether mcp --config=${cfg} tools `, `tether mcp --config=${cfg} tools elsewhere`],
    // Tool names and resource URIs come from the name cache (bash splits a URI at `:`).
    [`tether --config ${named} mcp call fx e`, `tether --config ${named} mcp call fx echo`],
    [`tether --config ${named} mcp read fx fixture://docs/r`, `tether --config ${named} mcp read fx fixture://docs/readme`],
    // After `--` the words are the server's own command.
    ["tether mcp add x -- ", "tether mcp add x --"],
  ];
}

for (const shell of ["bash", "zsh", "fish"] as PtyShell[]) {
  const skip = shellSkipReason(shell);
  if (skip) console.warn(`skipped: ${shell} completion tests: ${skip}`);
  describe.skipIf(skip !== undefined)(`${shell} completion in a terminal`, () => {
    let script: string;
    beforeAll(async () => {
      const printed = await runTether(["completion", shell], { home: home.home });
      expect(printed.code).toBe(0);
      script = printed.stdout;
    });

    test("completes commands, flags, server names, cached tool names and URIs, shells and --config paths", async () => {
      const typed = cases();
      const completed = await completeLines(shell, { home: home.home, script, env }, typed.map(([line]) => line));
      expect(typed.map(([line], i) => `${line} → ${completed[i]!.line}`)).toEqual(typed.map(([line, expected]) => `${line} → ${expected}`));
    });

    test("lists every shell for `tether completion`", async () => {
      // bash lists on the second Tab, zsh and fish on the first.
      const { screen } = await completeLine(shell, { home: home.home, script, env }, "tether completion ", shell === "bash" ? 2 : 1);
      // Each shell lists the candidates sorted, in columns.
      expect(screen).toMatch(/\bbash +fish +powershell +zsh/);
    });
  });
}

const pwsh = Bun.which("pwsh");
if (!pwsh) console.warn("skipped: PowerShell completion test: pwsh is not installed");
test.skipIf(!pwsh)("powershell: the registered completer offers subcommands, flags and server names", async () => {
  const { stdout } = await runTether(["completion", "powershell"], { home: home.home });
  const script = join(home.home, "completion.ps1");
  writeFileSync(script, stdout);
  const complete = (line: string): string =>
    `(TabExpansion2 -inputScript '${line}' -cursorColumn ${line.length}).CompletionMatches.CompletionText -join ','`;
  const program = [`. '${script}'`, complete("tether mcp ge"), complete("tether mcp get "), complete("tether mcp login docs --no"), complete("tether completion p")].join("; ");
  const proc = Bun.spawnSync([pwsh!, "-NoProfile", "-NonInteractive", "-Command", program], { env, cwd: home.home });
  expect(proc.stdout.toString().trim().split(/\r?\n/)).toEqual(["get", "docs", "--no-browser", "powershell"]);
});

test("an unknown shell is a usage error naming the four", async () => {
  const bad = await runTether(["completion", "tcsh"], { home: home.home });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe(`error: unknown shell "tcsh"\nhint: use one of: bash, zsh, fish, powershell\n`);
});
