// A config read a second time comes from the parsed-config cache (validation-cache.ts) rather than
// the TOML parser: it must read exactly as the first time, and every error must stay the same.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors.ts";
import { homePerTest } from "../support/cli.ts";

const PARSED_FILE = ".parsed-configs.json";
const t = homePerTest();

function context(version = "1.0.0") {
  return { paths: { home: t.home.tetherHome, config: t.home.configPath }, version };
}

function write(source: string): void {
  mkdirSync(t.home.tetherHome, { recursive: true });
  writeFileSync(t.home.configPath, source);
}

const CONFIG = `model = "gpt-5"
[mcp_servers.docs]
command = "npx"
args = ["-y", "@acme/docs"]
env = { LOG_LEVEL = "info" }
startup_timeout_sec = 10.5

[mcp_servers.constructor]
url = "https://example.com/mcp"
http_headers = { "X-Region" = "eu" }
`;

async function errorOf(read: Promise<unknown>): Promise<string> {
  try {
    await read;
  } catch (error) {
    if (error instanceof ConfigError) return `${error.location}: ${error.message} | ${error.hint}`;
    throw error;
  }
  throw new Error("read succeeded");
}

describe("parsed-config cache", () => {
  test("a second read is the same config, tables without a prototype as smol-toml makes them", async () => {
    write(CONFIG);
    const first = await readConfig(context());
    expect(existsSync(join(t.home.tetherHome, PARSED_FILE))).toBe(true);
    const second = await readConfig(context());
    expect(second).toEqual(first);
    expect(Object.getPrototypeOf(second.raw)).toBeNull();
    expect(Object.getPrototypeOf(second.raw.mcp_servers)).toBeNull();
    expect(second.config.servers.map((s) => s.name)).toEqual(["docs", "constructor"]);
    if (process.platform !== "win32") expect(statSync(join(t.home.tetherHome, PARSED_FILE)).mode & 0o777).toBe(0o600);
  });

  test("values JSON cannot carry exactly (inf) are not cached, and still read the same", async () => {
    write(`[mcp_servers.slow]\ncommand = "x"\nstartup_timeout_sec = inf\n`);
    const first = await readConfig(context());
    const second = await readConfig(context());
    expect(existsSync(join(t.home.tetherHome, PARSED_FILE))).toBe(false);
    expect(second).toEqual(first);
  });

  test("an edit, or another tether version, parses and validates again with the same errors", async () => {
    write(CONFIG);
    await readConfig(context());
    await readConfig(context());

    write(CONFIG.replace('command = "npx"', 'command = "npx'));
    const syntax = await errorOf(readConfig(context()));
    expect(syntax).toStartWith(`${t.home.configPath}:3:`);
    expect(syntax).toContain("invalid TOML");

    write(CONFIG.replace("startup_timeout_sec = 10.5", 'startup_timeout_sec = "soon"'));
    expect(await errorOf(readConfig(context()))).toContain("startup_timeout_sec");

    // The cached content itself, under another version: validated again, same result.
    write(CONFIG);
    expect((await readConfig(context("2.0.0"))).config).toEqual((await readConfig(context())).config);
  });

  test("a damaged cache file reads as no cache", async () => {
    write(CONFIG);
    const first = await readConfig(context());
    writeFileSync(join(t.home.tetherHome, PARSED_FILE), "{not json");
    expect(await readConfig(context())).toEqual(first);
  });
});
