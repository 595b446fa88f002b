// `tether mcp import`: every app's sample imports without losing a server or copying a secret.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { defaultSourcePath } from "../../src/import/sources.ts";
import { convertVariables } from "../../src/import/map.ts";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";

const FIXTURES = join(import.meta.dir, "fixtures");
/** Every inline secret in the samples: none may reach config.toml or the output. */
const SECRETS = [
  "ghp_exampleSecretValue1234567890abcd",
  "sntrys_inlineSecretToken123456",
  "sk_live_inlineStripeSecret0001",
  "figd_inlineFigmaKey0000000",
  "figd_inlineCodexSecret999",
];

const each = homePerTest();

const sample = (app: string) => join(FIXTURES, app === "codex" ? "codex.toml" : `${app}.json`);
const importFrom = (app: string, extra: string[] = [], cwd?: string) =>
  runTether(["mcp", "import", "--from", app, "--path", sample(app), "--json", ...extra], { home: each.home.home, cwd });
const servers = () => (parse(readFileSync(each.home.configPath, "utf8")) as { mcp_servers: Record<string, Record<string, unknown>> }).mcp_servers;
const statuses = (stdout: string) => Object.fromEntries(JSON.parse(stdout).rows.map((r: { name: string; status: string }) => [r.name, r.status]));
const notes = (stdout: string, name: string) => JSON.parse(stdout).rows.find((r: { name: string }) => r.name === name).notes.join("; ");

function expectNoSecrets(...texts: string[]): void {
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe("each app's sample", () => {
  test("claude-desktop: Windows paths kept, the token in env becomes env_vars, unknown fields reported, a bad name fixed", async () => {
    const run = expectOk(await importFrom("claude-desktop"));
    expect(statuses(run.stdout)).toEqual({ filesystem: "imported", github: "needs attention", "weather-api": "needs attention" });
    const s = servers();
    expect(s.filesystem).toEqual({
      command: "C:\\Program Files\\nodejs\\npx.cmd",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "C:\\Users\\Ada Lovelace\\Documents"],
    });
    expect(s.github).toEqual({ command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: { LOG_LEVEL: "info" }, env_vars: ["GITHUB_PERSONAL_ACCESS_TOKEN"] });
    expect(notes(run.stdout, "github")).toContain("set GITHUB_PERSONAL_ACCESS_TOKEN in tether's environment");
    expect(notes(run.stdout, "weather-api")).toContain('renamed from "weather api"');
    expect(notes(run.stdout, "weather-api")).toContain("not imported: someFutureField");
    expectNoSecrets(readFileSync(each.home.configPath, "utf8"), run.stdout, run.stderr);
  });

  test("claude-code: http with an inline bearer → bearer_token_env_var; sse; ${VAR} kept; the project's local servers", async () => {
    const run = expectOk(await importFrom("claude-code", [], "/work/project"));
    expect(statuses(run.stdout)).toEqual({ sentry: "needs attention", linear: "imported", db: "imported", "local-tool": "imported" });
    expect(notes(run.stdout, "linear")).toContain("legacy SSE");
    const s = servers();
    expect(s.sentry).toEqual({ url: "https://mcp.sentry.dev/mcp", bearer_token_env_var: "SENTRY_TOKEN" });
    expect(notes(run.stdout, "sentry")).toContain("set SENTRY_TOKEN to the bearer token (not copied)");
    expect(s.linear).toEqual({ url: "https://mcp.linear.app/sse" });
    expect(s.db).toEqual({ command: "npx", args: ["-y", "@bytebase/dbhub", "--dsn", "${DATABASE_URL}"], env_vars: ["DB_PASSWORD"] });
    expectNoSecrets(readFileSync(each.home.configPath, "utf8"), run.stdout, run.stderr);
  });

  test("cursor: ${env:VAR} in a bearer header, an inline secret in env, envFile reported", async () => {
    const run = expectOk(await importFrom("cursor"));
    expect(statuses(run.stdout)).toEqual({ notion: "imported", stripe: "needs attention", docs: "needs attention" });
    const s = servers();
    expect(s.notion).toEqual({ url: "https://mcp.notion.com/mcp", bearer_token_env_var: "NOTION_TOKEN", http_headers: { "X-Workspace": "acme" } });
    expect(s.stripe!.env_vars).toEqual(["STRIPE_SECRET_KEY"]);
    expect(s.docs).toEqual({ command: "docs-server", env_vars: ["DOCS_TOKEN"] });
    expect(notes(run.stdout, "docs")).toContain("envFile is not imported");
    expectNoSecrets(readFileSync(each.home.configPath, "utf8"), run.stdout, run.stderr);
  });

  test("vscode: JSON with comments; ${input:…} values become variables to set", async () => {
    const run = expectOk(await importFrom("vscode"));
    expect(statuses(run.stdout)).toEqual({ perplexity: "needs attention", github: "needs attention", fetch: "imported" });
    const s = servers();
    expect(s.perplexity!.env_vars).toEqual(["PERPLEXITY_API_KEY"]);
    expect(notes(run.stdout, "perplexity")).toContain("set PERPLEXITY_API_KEY (was ${input:perplexity-key})");
    expect(s.github).toEqual({ url: "https://api.githubcopilot.com/mcp/", bearer_token_env_var: "GITHUB_TOKEN" });
  });

  test("windsurf: serverUrl, a secret header → env_http_headers, disabled and disabledTools, Windows paths", async () => {
    const run = expectOk(await importFrom("windsurf"));
    const s = servers();
    expect(s.figma).toEqual({ url: "https://figma.example.com/mcp", env_http_headers: { "X-Api-Key": "FIGMA_X_API_KEY" } });
    expect(notes(run.stdout, "figma")).toContain("set FIGMA_X_API_KEY to the X-Api-Key header value (not copied)");
    expect(s.git).toEqual({
      command: "C:\\Users\\ada\\AppData\\Local\\Programs\\uv\\uvx.exe",
      args: ["mcp-server-git", "--repository", "D:\\src\\repo"],
      enabled: false,
      disabled_tools: ["git_reset"],
    });
    expectNoSecrets(readFileSync(each.home.configPath, "utf8"), run.stdout, run.stderr);
  });

  test("gemini: httpUrl, $VAR, timeout in ms → seconds, include/excludeTools, trust reported", async () => {
    const run = expectOk(await importFrom("gemini"));
    const s = servers();
    expect(s.search).toEqual({ url: "https://search.example.com/mcp", bearer_token_env_var: "SEARCH_TOKEN", tool_timeout_sec: 30, enabled_tools: ["search", "fetch"] });
    expect(s.python).toEqual({
      command: "python",
      args: ["-m", "my_mcp_server"],
      cwd: "./mcp-servers/python",
      env: { API_KEY: "${MY_API_TOKEN}", MODE: "fast" },
      tool_timeout_sec: 15,
      disabled_tools: ["dangerous"],
    });
    expect(notes(run.stdout, "python")).toContain("trust = true");
    expect(s.events).toEqual({ url: "http://localhost:8080/sse" });
    expect(statuses(run.stdout).search).toBe("imported");
  });

  test("codex: same keys; startup_timeout_ms → seconds; an inline bearer_token never copied", async () => {
    const run = expectOk(await importFrom("codex"));
    const s = servers();
    expect(s.context7).toEqual({ command: "npx", args: ["-y", "@upstash/context7-mcp"], startup_timeout_sec: 20, tool_timeout_sec: 90 });
    expect(s.figma).toEqual({ url: "https://mcp.figma.com/mcp", bearer_token_env_var: "FIGMA_TOKEN", http_headers: { "X-Figma-Region": "us-east-1" } });
    expect(s.github).toEqual({ url: "https://api.githubcopilot.com/mcp/", bearer_token_env_var: "GITHUB_PAT", enabled_tools: ["search_issues"] });
    expect(statuses(run.stdout)).toEqual({ context7: "imported", figma: "needs attention", github: "imported" });
    expectNoSecrets(readFileSync(each.home.configPath, "utf8"), run.stdout, run.stderr);
  });
});

test("existing servers are skipped unless --force; --dry-run writes nothing; the user's config text is kept", async () => {
  mkdirSync(each.home.tetherHome, { recursive: true });
  const before = '# my servers\nmodel = "gpt-5"  # keep me\n\n[mcp_servers.fetch]\ncommand = "my-fetch"\n';
  writeFileSync(each.home.configPath, before);
  const dry = expectOk(await importFrom("vscode", ["--dry-run"]));
  expect(readFileSync(each.home.configPath, "utf8")).toBe(before);
  expect(statuses(dry.stdout).fetch).toBe("skipped");
  const first = expectOk(await importFrom("vscode"));
  expect(statuses(first.stdout).fetch).toBe("skipped");
  expect(servers().fetch).toEqual({ command: "my-fetch" });
  expect(readFileSync(each.home.configPath, "utf8").startsWith(before)).toBe(true);
  const forced = expectOk(await importFrom("vscode", ["--force"]));
  expect(statuses(forced.stdout).fetch).toBe("replaced");
  expect(servers().fetch).toEqual({ command: "uvx", args: ["mcp-server-fetch"] });
  expect(readFileSync(each.home.configPath, "utf8")).toContain("# my servers\nmodel = \"gpt-5\"  # keep me\n");
});

test("the table: piped rows, a summary on stderr", async () => {
  const run = expectOk(await runTether(["mcp", "import", "--from", "codex", "--path", sample("codex")], { home: each.home.home }));
  expect(run.stdout).toBe(
    "context7\timported\t\nfigma\tneeds attention\tset FIGMA_TOKEN to the bearer token (not copied)\ngithub\timported\t\n",
  );
  expect(run.stderr).toContain("3 of 3 servers from");
});

test("errors: an unknown app (exit 2), a missing file (exit 2)", async () => {
  const app = await runTether(["mcp", "import", "--from", "emacs"], { home: each.home.home });
  expect(app.code).toBe(2);
  expect(app.stderr).toContain("--from wants one of claude-desktop, claude-code, cursor, vscode, windsurf, gemini, codex");
  const missing = await runTether(["mcp", "import", "--from", "cursor", "--path", join(each.home.home, "nope.json")], { home: each.home.home });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("no config file at");
  expect(existsSync(each.home.configPath)).toBe(false);
});

test("default locations per OS", () => {
  const win = { os: "win32" as const, home: "C:\\Users\\ada", env: { APPDATA: "C:\\Users\\ada\\AppData\\Roaming" }, cwd: "C:\\work" };
  const mac = { os: "darwin" as const, home: "/Users/ada", env: {}, cwd: "/w" };
  const linux = { os: "linux" as const, home: "/home/ada", env: {}, cwd: "/w" };
  expect(defaultSourcePath("claude-desktop", win)).toBe("C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json");
  expect(defaultSourcePath("claude-desktop", mac)).toBe("/Users/ada/Library/Application Support/Claude/claude_desktop_config.json");
  expect(defaultSourcePath("claude-desktop", linux)).toBe("/home/ada/.config/Claude/claude_desktop_config.json");
  expect(defaultSourcePath("vscode", win)).toBe("C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\mcp.json");
  expect(defaultSourcePath("vscode", mac)).toBe("/Users/ada/Library/Application Support/Code/User/mcp.json");
  expect(defaultSourcePath("cursor", win)).toBe("C:\\Users\\ada\\.cursor\\mcp.json");
  expect(defaultSourcePath("windsurf", linux)).toBe("/home/ada/.codeium/windsurf/mcp_config.json");
  expect(defaultSourcePath("gemini", mac)).toBe("/Users/ada/.gemini/settings.json");
  expect(defaultSourcePath("claude-code", linux)).toBe("/home/ada/.claude.json");
  expect(defaultSourcePath("codex", win)).toBe("C:\\Users\\ada\\.codex\\config.toml");
});

test("variables: ${env:VAR} and Gemini's $VAR become ${VAR}", () => {
  expect(convertVariables("Bearer ${env:TOKEN}", "cursor")).toBe("Bearer ${TOKEN}");
  expect(convertVariables("$HOME/x", "gemini")).toBe("${HOME}/x");
  expect(convertVariables("$HOME/x", "cursor")).toBe("$HOME/x");
});
