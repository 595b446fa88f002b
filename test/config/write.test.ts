// config.toml's read-modify-write: an edit that would break the file names no line of it.
import { expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { updateConfigFile } from "../../src/config/write.ts";
import { ConfigError } from "../../src/errors.ts";
import { baseEnv, homePerTest } from "../support/cli.ts";
import { createTestContext } from "../support/context.ts";

const each = homePerTest();

test("an edit that would make a valid config invalid: one line without a line number, nothing written", async () => {
  const ctx = createTestContext({ env: baseEnv(each.home.home), cwd: each.home.home });
  mkdirSync(each.home.tetherHome, { recursive: true });
  const before = '[mcp_servers.a]\ncommand = "x"\n';
  writeFileSync(each.home.configPath, before);
  const error = await updateConfigFile(ctx, (source) => ({ source: `${source}\n[mcp_servers.b]\nbogus = 1\n`, result: undefined })).catch((e) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).line).toBeUndefined();
  expect((error as ConfigError).message).toStartWith(`the change would make ${join(each.home.tetherHome, "config.toml")} invalid (nothing was written): server "b"`);
  expect(readFileSync(each.home.configPath, "utf8")).toBe(before);
});

test("a config that was invalid already: the error points at its line", async () => {
  const ctx = createTestContext({ env: baseEnv(each.home.home), cwd: each.home.home });
  mkdirSync(each.home.tetherHome, { recursive: true });
  writeFileSync(each.home.configPath, '[mcp_servers.a]\ncommand = "x"\nbogus = 1\n');
  const error = await updateConfigFile(ctx, (source) => ({ source: `${source}\n[mcp_servers.b]\ncommand = "y"\n`, result: undefined })).catch((e) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).line).toBe(3);
});
