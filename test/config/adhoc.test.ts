// Ad-hoc servers: splitting `--stdio` like a shell (never through one), the name an ad-hoc server
// goes by, and exec's --mcp choice of configured servers.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adHocServerName, selectServers } from "../../src/config/adhoc.ts";
import { quoteWord, splitCommandLine } from "../../src/config/command-line.ts";
import { SERVER_NAME_PATTERN } from "../../src/config/names.ts";
import type { Context } from "../../src/context.ts";
import { UsageError } from "../../src/errors.ts";
import { writeConfig } from "../support/config.ts";
import { createTestContext } from "../support/context.ts";

describe("splitCommandLine", () => {
  test.each([
    ["npx -y @acme/docs-mcp", ["npx", "-y", "@acme/docs-mcp"]],
    ["  a   b\tc\n", ["a", "b", "c"]],
    [`node "my server.js" --name 'it''s'`, ["node", "my server.js", "--name", "its"]],
    [`a 'single "keeps" \\ all' "double \\"esc\\" \\\\ \\$HOME \\x"`, ["a", 'single "keeps" \\ all', 'double "esc" \\ $HOME \\x']],
    [`a\\ b c\\"d`, ["a b", 'c"d']],
    [`a '' ""`, ["a", "", ""]],
    [`run $HOME ~ *.js $(rm -rf /) \`id\` a;b|c`, ["run", "$HOME", "~", "*.js", "$(rm", "-rf", "/)", "`id`", "a;b|c"]],
    [`line\\\ncontinued`, ["linecontinued"]],
    ["", []],
  ])("%j", (text, words) => {
    expect(splitCommandLine(text)).toEqual(words);
  });

  test("an unterminated quote or a trailing backslash is a usage error naming the flag", () => {
    expect(() => splitCommandLine(`a "b`)).toThrow(new UsageError("--stdio: unterminated double quote in the command"));
    expect(() => splitCommandLine("a 'b")).toThrow(UsageError);
    expect(() => splitCommandLine("a \\", "--stdio")).toThrow("--stdio: the command ends in a lone backslash");
  });

  test("quoteWord round-trips through the splitter", () => {
    for (const word of ["plain", "with space", "it's", 'a "q"', "", "$HOME", "a\\b"]) {
      expect(splitCommandLine(quoteWord(word))).toEqual([word]);
    }
  });
});

describe("adHocServerName", () => {
  test.each([
    [{ url: "https://mcp.linear.app/mcp" }, "mcp-linear-app"],
    [{ url: "http://127.0.0.1:8080/mcp" }, "127-0-0-1-8080"],
    [{ url: "http://[::1]:3000/" }, "1-3000"],
    [{ url: "not a url" }, "not-a-url"],
    [{ command: "/opt/bin/fixture-server", args: ["--stdio"] }, "fixture-server"],
    [{ command: "npx", args: ["-y", "@modelcontextprotocol/server-everything@1.2.3"] }, "server-everything"],
    [{ command: "uvx", args: ["mcp-server-fetch"] }, "mcp-server-fetch"],
    [{ command: "uv", args: ["run", "server.py"] }, "server"],
    [{ command: "node", args: ["dist/index.js"] }, "index"],
    [{ command: "docker", args: ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server:latest"] }, "github-mcp-server"],
    [{ command: "C:\\tools\\my server.exe" }, "my-server"],
    [{ command: "npx" }, "npx"],
    [{ command: "..." }, "stdio"],
  ])("%j → %s", (raw, name) => {
    expect(adHocServerName(raw)).toBe(name);
    expect(SERVER_NAME_PATTERN.test(name)).toBe(true);
  });
});

describe("selectServers", () => {
  test("--mcp naming a disabled server is a usage error saying how to enable it", async () => {
    const home = mkdtempSync(join(tmpdir(), "tether-adhoc-"));
    try {
      writeConfig(join(home, ".tether", "config.toml"), { servers: { off: { command: "x", enabled: false } } });
      const ctx = createTestContext({ env: { HOME: home }, cwd: home }) as Context;
      const error = await selectServers(ctx, { mcp: ["off"], urls: [], stdio: [], headers: [], env: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe('--mcp: server "off" is disabled');
      expect((error as UsageError).hint).toBe("set enabled = true under [mcp_servers.off] in config.toml");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
