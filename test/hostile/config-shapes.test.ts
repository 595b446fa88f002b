// Config shapes that used to slip through (issue 10, items 8 and 10): array-shaped mcp_servers and
// ${VAR} urls that expand to something that is not a URL.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { makeHome, runTether } from "../support/cli.ts";

let home: ReturnType<typeof makeHome>;
const tether = (args: string[], env?: Record<string, string>) => runTether(args, { home: home.home, env });
beforeEach(() => {
  home = makeHome();
  mkdirSync(home.tetherHome, { recursive: true });
});
afterEach(() => home.cleanup());

const HINT = 'hint: write each server as its own table: [mcp_servers.NAME] with command = "..." or url = "..."\n';

test("[[mcp_servers]] with a plaintext bearer_token, an unknown key and command+url is refused with file:line (exit 2)", async () => {
  writeFileSync(home.configPath, 'model = "m"\n\n[[mcp_servers]]\nbearer_token = "s3cret"\ncolor = 1\ncommand = "a"\nurl = "https://x.example/"\n');
  const result = await tether(["mcp", "list"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(`error: ${home.configPath}:3: 'mcp_servers' must be a table of named servers, not an array\n${HINT}`);
});

test("an inline array of servers is refused the same way", async () => {
  writeFileSync(home.configPath, 'mcp_servers = [ { command = "a", bearer_token = "s3cret" } ]\n');
  const result = await tether(["mcp", "get", "x"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(`error: ${home.configPath}:1: 'mcp_servers' must be a table of named servers, not an array\n${HINT}`);
});

test("url = \"${U}\" with U=notaurl: list shows the config; commands that connect fail naming the server (exit 2)", async () => {
  writeFileSync(home.configPath, '[mcp_servers.o]\nurl = "${U}"\n');
  const env = { U: "notaurl" };
  const list = await tether(["mcp", "list"], env);
  expect(list.code).toBe(0);
  expect(list.stdout).toBe("o\thttp\t${U}\tyes\tnone\n");
  expect((await tether(["mcp", "get", "o"], env)).code).toBe(0);
  for (const args of [["mcp", "tools", "o"], ["mcp", "login", "o", "--no-browser"]]) {
    const result = await tether(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: server "o": url "${U}" does not expand to an http:// or https:// URL\nhint: check the environment variables it uses\n');
  }
  const status = await tether(["mcp", "list", "--status"], env);
  expect(status.stdout).toContain('error: server "o": url "${U}" does not expand to an http:// or https:// URL');
});
