// Format preservation: add and remove touch only the server's own lines.
import { describe, expect, test } from "bun:test";
import { parse } from "smol-toml";
import { removeServerFromSource, upsertServerInSource, upsertServersInSource } from "../../src/config/edit.ts";

const RICH = `# tether config — hand written
model = "gpt-5-codex"   # the default model
approval_policy = "ask"

# Providers ---------------------------------------------
[model_providers.local]
base_url = "http://127.0.0.1:11434/v1"  # ollama
env_key = "LOCAL_KEY"

# --- MCP servers ---------------------------------------

# Docs server, used daily.
[mcp_servers.docs]
command = "docs-server"
args = [
  "--port", # the port flag
  "4000",
  "[not a table]",
]
description_note = """
[mcp_servers.fake]
not a header
"""

[mcp_servers.docs.env]
LOG_LEVEL = "info"

[mcp_servers.github]
url = "https://api.githubcopilot.com/mcp/"   # remote
bearer_token_env_var = "GITHUB_PAT"
# trailing comment about github

[otel]
environment = "prod"
`;

describe("remove", () => {
  test("keeps every other line byte-for-byte, including comments and the next table", () => {
    const after = removeServerFromSource(RICH, "github");
    expect(after).toBe(RICH.replace(`\n[mcp_servers.github]\nurl = "https://api.githubcopilot.com/mcp/"   # remote\nbearer_token_env_var = "GITHUB_PAT"\n`, ""));
    expect(Object.keys((parse(after) as any).mcp_servers)).toEqual(["docs"]);
  });

  test("removes a server's sub-tables, multi-line values and the comment just above it", () => {
    const after = removeServerFromSource(RICH, "docs");
    expect(after).not.toContain("docs");
    expect(after).not.toContain("Docs server, used daily.");
    expect(after).not.toContain("LOG_LEVEL");
    expect(after).toContain("# --- MCP servers ---");
    expect(after).toContain("# trailing comment about github");
    const parsed = parse(after) as any;
    expect(Object.keys(parsed.mcp_servers)).toEqual(["github"]);
    expect(parsed.otel.environment).toBe("prod");
  });

  test("removes an inline definition", () => {
    const source = `[mcp_servers]\ninline = { command = "x" }\nother = { command = "y" }\n`;
    expect(removeServerFromSource(source, "inline")).toBe(`[mcp_servers]\nother = { command = "y" }\n`);
  });
});

describe("add", () => {
  test("add then remove restores the file byte-for-byte", () => {
    const added = upsertServerInSource(RICH, "fresh", { command: "node", args: ["server.js"], env: { "A B": "1" } });
    expect(added.startsWith(RICH.slice(0, RICH.indexOf("# trailing comment")))).toBe(true);
    const parsed = parse(added) as any;
    expect(parsed.mcp_servers.fresh).toEqual({ command: "node", args: ["server.js"], env: { "A B": "1" } });
    expect(parsed.mcp_servers.docs.env.LOG_LEVEL).toBe("info");
    expect(removeServerFromSource(added, "fresh")).toBe(RICH);
  });

  test("the new table goes after the last server, before other tables", () => {
    const added = upsertServerInSource(RICH, "fresh", { url: "https://e.com/mcp" });
    expect(added.indexOf("[mcp_servers.fresh]")).toBeGreaterThan(added.indexOf("[mcp_servers.github]"));
    expect(added.indexOf("[mcp_servers.fresh]")).toBeLessThan(added.indexOf("[otel]"));
  });

  test("into an empty or server-less file", () => {
    expect(upsertServerInSource("", "a", { command: "x" })).toBe(`[mcp_servers.a]\ncommand = "x"\n`);
    expect(upsertServerInSource(`model = "m"\n`, "a", { command: "x" })).toBe(`model = "m"\n\n[mcp_servers.a]\ncommand = "x"\n`);
  });

  test("replacing (--force) rewrites the table in place and keeps its neighbours", () => {
    const source = `# a\n[mcp_servers.a]\ncommand = "old"\n\n# b\n[mcp_servers.b]\ncommand = "b"\n`;
    expect(upsertServerInSource(source, "a", { url: "https://e.com/mcp" })).toBe(
      `# a\n[mcp_servers.a]\nurl = "https://e.com/mcp"\n\n# b\n[mcp_servers.b]\ncommand = "b"\n`,
    );
  });

  test("CRLF files stay CRLF", () => {
    const source = `model = "m"\r\n\r\n[mcp_servers.a]\r\ncommand = "x"\r\n`;
    const added = upsertServerInSource(source, "b", { command: "y" });
    expect(added).toBe(`model = "m"\r\n\r\n[mcp_servers.a]\r\ncommand = "x"\r\n\r\n[mcp_servers.b]\r\ncommand = "y"\r\n`);
    expect(removeServerFromSource(added, "b")).toBe(source);
  });

  test("strings needing escapes round-trip through TOML", () => {
    const tricky = { command: 'C:\\Program Files\\x "y".exe', args: ["a\tb", "ünï", "line\nbreak"] };
    const parsed = parse(upsertServerInSource("", "w", tricky)) as any;
    expect(parsed.mcp_servers.w).toEqual(tricky);
  });

  test("many servers at once (mcp import): the same text as adding them one by one", () => {
    const sources = [RICH, "", "\n\n", `model = "m"`, `model = "m"\n`, `model = "m"\r\n\r\n[mcp_servers.a]\r\ncommand = "x"\r\n`, `[mcp_servers.a]\ncommand = "x"\n[otel]\n`];
    // New ones, one replaced in place (github, a), and last one spread over a table and its subtable (docs).
    const servers: [string, { command?: string; url?: string; args?: string[] }][] = [
      ["fresh", { command: "node", args: ["one.js"] }],
      ["github", { url: "https://e.com/replaced" }],
      ["a", { command: "replaced" }],
      ["second", { url: "https://e.com/mcp" }],
      ["docs", { command: "docs-2" }],
    ];
    for (const source of sources) {
      const oneByOne = servers.reduce((text, [name, server]) => upsertServerInSource(text, name, server), source);
      expect(upsertServersInSource(source, servers)).toBe(oneByOne);
    }
    expect(upsertServersInSource(RICH, [])).toBe(RICH);
  });
});
