// Ctrl-C and SIGTERM stop commands that do local work (issue 24): the compiled binary, waiting for
// config.toml's lock that this test holds, ends with 143 or 130 and leaves config.toml as it was.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, makeHome } from "../support/cli.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { readUntil } from "../support/streams.ts";

const CONFIG = '# mine, keep it\nmodel = "gpt-5"\n\n[mcp_servers.keep]\ncommand = "keep-me"\n';
let home: ReturnType<typeof makeHome>;

beforeEach(() => {
  home = makeHome();
  mkdirSync(home.tetherHome, { recursive: true });
  writeFileSync(home.configPath, CONFIG);
  // The lock as another live tether holds it: this test process is its holder.
  writeFileSync(`${home.configPath}.lock`, JSON.stringify({ pid: process.pid }));
});
afterEach(() => home.cleanup());

for (const [signal, code, message, argv] of [
  ["SIGTERM", 143, "terminated", ["mcp", "import", "--from", "vscode", "--path", join(import.meta.dir, "fixtures", "vscode.json")]],
  ["SIGINT", 130, "interrupted", ["mcp", "add", "other", "--", "other-server"]],
] as const) {
  test(`${signal} while \`tether ${argv.slice(0, 2).join(" ")}\` waits for the config lock: exit ${code}, config.toml unchanged`, async () => {
    const child = Bun.spawn([await ensureHostBinary(), ...argv], {
      cwd: home.home,
      // TETHER_DEBUG=1 says when it starts waiting for the lock.
      env: baseEnv(home.home, { TETHER_DEBUG: "1" }),
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: 60_000,
    });
    const stderr = readUntil(child.stderr, `waiting for ${home.configPath}.lock (held by process ${process.pid}`);
    await stderr.seen;
    child.kill(signal);
    expect(await child.exited).toBe(code);
    expect(await stderr.rest).toContain(`error: ${message}\n`);
    expect(readFileSync(home.configPath, "utf8")).toBe(CONFIG);
    // The lock is still the holder's: tether never took it, nor removed it.
    expect(existsSync(`${home.configPath}.lock`)).toBe(true);
  });
}
