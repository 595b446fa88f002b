// Completion scripts: valid shell, and they complete what the command tree has.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeHome, MAIN_PATH, runTether } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";

let home: ReturnType<typeof makeHome>;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => home.cleanup());

/** Sources the bash script and asks `_tether` for completions of `words`. */
async function complete(script: string, words: string[]): Promise<string[]> {
  const bin = join(home.home, "bin");
  writeFileSync(join(home.home, "completion.bash"), script);
  Bun.spawnSync(["mkdir", "-p", bin]);
  writeFileSync(join(bin, "tether"), `#!/bin/sh\nexec '${process.execPath}' '${MAIN_PATH}' "$@"\n`, { mode: 0o755 });
  const line = `source ${home.home}/completion.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _tether; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = Bun.spawnSync(["bash", "-c", line], {
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: home.home, TETHER_HOME: home.tetherHome },
  });
  return result.stdout.toString().split("\n").filter(Boolean);
}

test("bash: commands, flags and configured server names", async () => {
  writeConfig(home.configPath, { servers: { docs: { command: "d" }, deploy: { url: "https://e.com/mcp" } } });
  const { stdout, code } = await runTether(["completion", "bash"], { home: home.home });
  expect(code).toBe(0);
  expect(Bun.spawnSync(["bash", "-n", "-c", stdout]).exitCode).toBe(0);
  expect(await complete(stdout, ["tether", "m"])).toEqual(["mcp"]);
  expect(await complete(stdout, ["tether", "mcp", "d"])).toEqual(["doctor"]);
  expect(await complete(stdout, ["tether", "mcp", "call", "de"])).toEqual(["deploy"]);
  expect(await complete(stdout, ["tether", "mcp", "add", "x", "--u"])).toEqual(["--url"]);
  expect(await complete(stdout, ["tether", "mcp", "add", "d"])).toEqual([]);
});

test("zsh and fish scripts; an unknown shell is a usage error", async () => {
  const zsh = await runTether(["completion", "zsh"], { home: home.home });
  expect(zsh.stdout).toStartWith("#compdef tether\n");
  const fish = await runTether(["completion", "fish"], { home: home.home });
  expect(fish.stdout).toContain("complete -c tether -n '__fish_use_subcommand' -a mcp");
  expect(fish.stdout).toContain("-l bearer-token-env-var");
  const bad = await runTether(["completion", "tcsh"], { home: home.home });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe(`error: unknown shell "tcsh"\nhint: use one of: bash, zsh, fish\n`);
});
