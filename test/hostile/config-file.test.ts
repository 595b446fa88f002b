// config.toml must be a regular file under MAX_CONFIG_BYTES (issue 10, item 5): a symlink to
// /dev/zero, a FIFO or a huge file is a clear config error (exit 2), never a hang or a memory flood.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { makeHome, runTether } from "../support/cli.ts";

let home: ReturnType<typeof makeHome>;
beforeEach(() => {
  home = makeHome();
  mkdirSync(home.tetherHome, { recursive: true });
});
afterEach(() => home.cleanup());

test("a config.toml that is a symlink to /dev/zero is refused as not a regular file", async () => {
  symlinkSync("/dev/zero", home.configPath);
  const result = await runTether(["mcp", "list"], { home: home.home, timeoutMs: 20_000 });
  expect(result.code).toBe(2);
  expect(result.stderr).toStartWith(`error: ${home.configPath} is not a regular file (a character device)\n`);
});

test("a config.toml that is a FIFO is refused at once instead of waiting for a writer", async () => {
  expect(Bun.spawnSync(["mkfifo", home.configPath]).exitCode).toBe(0);
  const result = await runTether(["mcp", "list"], { home: home.home, timeoutMs: 20_000 });
  expect(result.code).toBe(2);
  expect(result.stderr).toStartWith(`error: ${home.configPath} is not a regular file (a named pipe)\n`);
});

test("a config.toml over 4 MiB is refused, naming the limit", async () => {
  writeFileSync(home.configPath, `# padding\n${"#".repeat(4 * 1024 * 1024)}\n`);
  const result = await runTether(["mcp", "add", "x", "--", "cmd"], { home: home.home });
  expect(result.code).toBe(2);
  expect(result.stderr).toStartWith(`error: ${home.configPath} is larger than 4194304 bytes (the config size limit)\n`);
});
