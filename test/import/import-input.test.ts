// `tether mcp import` of hostile and odd files: no secret-looking value reaches config.toml, an odd
// entry is left out with its reason while the others import, and --dry-run tells the truth.
import { expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";

const FIXTURES = join(import.meta.dir, "fixtures");
const each = homePerTest();

const importFile = (app: string, file: string, extra: string[] = []) =>
  runTether(["mcp", "import", "--from", app, "--path", join(FIXTURES, file), "--json", ...extra], { home: each.home.home });
const servers = () => (parse(readFileSync(each.home.configPath, "utf8")) as { mcp_servers: Record<string, Record<string, unknown>> }).mcp_servers;
type Row = { name: string; appName: string; status: string; notes: string[] };
const rowsOf = (stdout: string): Row[] => JSON.parse(stdout).rows;
const row = (stdout: string, name: string) => rowsOf(stdout).find((r) => r.name === name)!;

/** The review's kinds of planted secrets (fixtures/planted.json), one value each. */
const PLANTED = {
  "value after --api-key": "hunter2hunter2",
  "value after --token": "letmein-please",
  "--token=value": "correcthorsebattery",
  "KEY=value arg under a secret name": "opensesame123",
  "KEY=value arg under a plain name": "Tr0ub4dor&3 horse",
  "env value under a plain name (a URL with a password)": "Pa55w0rd",
  "env value under a plain name (random)": "q8Zr4LmN2vX7pK1sT9wB",
  "env value under a secret name": "changeme",
  "header value under a plain name (random)": "a9f8e7d6c5b4a3f2e1d0c9b8",
  "header value under a plain name (words)": "Tr0ub4dor&3 staple",
  "URL query ?key=": "AIzaFakeGoogleKey1234567",
  "URL user:password": "s3cr3tPassw0rd",
  "a token by its prefix": "glpat-abcdefghij1234567890",
  "a header given as an argument": "plantedHeaderFlagToken",
};

test("planted secrets: none reaches config.toml or the output; each becomes a variable to set; ordinary values stay", async () => {
  const run = expectOk(await importFile("claude-desktop", "planted.json"));
  const written = readFileSync(each.home.configPath, "utf8");
  for (const [kind, secret] of Object.entries(PLANTED)) {
    expect({ kind, inConfig: written.includes(secret), inOutput: (run.stdout + run.stderr).includes(secret) }).toEqual({ kind, inConfig: false, inOutput: false });
  }
  const s = servers();
  expect(s.flags!.args).toEqual(["-y", "@acme/mcp", "--api-key", "${FLAGS_API_KEY}", "--token", "${FLAGS_TOKEN}", "--port", "8080", "--log-level", "debug", "--root", "/home/ada/data", "--mode=fast"]);
  expect(s["flag-equals"]!.args).toEqual(["--token=${FLAG_EQUALS_TOKEN}", "--workers", "4"]);
  expect(s.pairs!.args).toEqual(["run", "-e", "API_KEY=${PAIRS_API_KEY}", "-e", "SETTINGS=${PAIRS_SETTINGS}", "-e", "LOG_LEVEL=info", "acme/mcp:1.2"]);
  expect(s["env-names"]).toEqual({
    command: "acme-mcp",
    env: { LOG_LEVEL: "info", PORT: "3000", DATA_DIR: "/var/lib/acme", REGION: "eu-west-1" },
    env_vars: ["CONFIG", "OPTIONS", "DB_PASSWORD"],
  });
  expect(s.headers).toEqual({
    url: "https://mcp.acme.example/mcp",
    http_headers: { "X-Region": "eu-west-1" },
    env_http_headers: { "X-Custom": "HEADERS_X_CUSTOM", "X-Client": "HEADERS_X_CLIENT" },
  });
  expect(s.query!.url).toBe("https://maps.acme.example/mcp?key=${QUERY_KEY}&v=2");
  expect(s.userinfo!.url).toBe("https://alice:${USERINFO_URL_PASSWORD}@mcp.acme.example/mcp");
  expect(s.shaped!.args).toEqual(["${SHAPED_ARG_1}", "/srv/repos"]);
  expect(s["header-flag"]!.args).toEqual(["https://mcp.acme.example/mcp", "--header", "${HEADER_FLAG_HEADER}"]);
  // Every variable is named in a "needs attention" note.
  const notes = rowsOf(run.stdout).flatMap((r) => r.notes).join("\n");
  for (const variable of ["FLAGS_API_KEY", "FLAGS_TOKEN", "FLAG_EQUALS_TOKEN", "PAIRS_API_KEY", "PAIRS_SETTINGS", "CONFIG", "OPTIONS", "DB_PASSWORD", "HEADERS_X_CUSTOM", "HEADERS_X_CLIENT", "QUERY_KEY", "USERINFO_URL_PASSWORD", "SHAPED_ARG_1", "HEADER_FLAG_HEADER"]) {
    expect(notes).toContain(`set ${variable} `);
  }
  expect(new Set(rowsOf(run.stdout).map((r) => r.status))).toEqual(new Set(["needs attention"]));
});

test("odd entries: each is left out with one line naming it and why; the others import; --dry-run --json says the same", async () => {
  const dry = expectOk(await importFile("claude-desktop", "odd.json", ["--dry-run"]));
  const real = expectOk(await importFile("claude-desktop", "odd.json"));
  expect(rowsOf(dry.stdout)).toEqual(rowsOf(real.stdout));
  expect(JSON.parse(dry.stdout).dryRun).toBe(true);

  const status = Object.fromEntries(rowsOf(real.stdout).map((r) => [r.appName, [r.name, r.status, r.notes.join("; ")]]));
  expect(status).toEqual({
    good: ["good", "imported", ""],
    "headers-string": ["headers-string", "not imported", "'env_http_headers' must be a table of strings, got a string"],
    "args-string": ["args-string", "not imported", "'args' must be a list of strings, got a string"],
    "env-list": ["env-list", "not imported", "'env' must be a table of strings, got a list"],
    "not-a-table": ["not-a-table", "not imported", "must be a table, got a string"],
    "proto-env": ["proto-env", "needs attention", 'env key "__proto__" not imported (a reserved name)'],
    "-dash": ["dash", "needs attention", `renamed from "-dash" (a name starting with '-' reads as a flag)`],
    "a b": ["a-b-2", "needs attention", 'renamed from "a b" (not a valid server name)'],
    "a-b": ["a-b", "imported", ""],
    "plain-http-token": ["plain-http-token", "not imported", "a token would be sent over plain http:// to remote.acme.example"],
    ["__proto__"]: ["__proto__", "not imported", "a reserved name; rename it in the app"],
    "token-as-variable": ["token-as-variable", "not imported", "'bearer_token_env_var' should name an environment variable but holds a secret-looking value"],
  });
  const s = servers();
  expect(Object.keys(s).sort()).toEqual(["a-b", "a-b-2", "dash", "good", "proto-env"]);
  expect(s["proto-env"]).toEqual({ command: "node", env: { MODE: "fast" } });
  expect(s["a-b"]).toEqual({ command: "second" });
  // A renamed server is one `mcp get` can take.
  expectOk(await runTether(["mcp", "get", "dash"], { home: each.home.home }));
});

test("an entry config.toml refuses never fails the import, and no error cites a line that was never written", async () => {
  const run = await importFile("claude-desktop", "odd.json");
  expect(run.code).toBe(0);
  expect(run.stderr).not.toContain("config.toml:");
  expect(readFileSync(each.home.configPath, "utf8")).not.toContain("remote.acme.example");
  expect(readFileSync(each.home.configPath, "utf8") + run.stdout + run.stderr).not.toContain("ghp_");
});

test("Gemini CLI: type = http is streamable HTTP, a bare url is legacy SSE", async () => {
  const run = expectOk(await importFile("gemini", "gemini-http.json"));
  expect(row(run.stdout, "streamable")).toMatchObject({ status: "imported", notes: [] });
  expect(row(run.stdout, "legacy").notes.join()).toContain("legacy SSE server");
});

test("a config.toml that is already invalid: --dry-run fails as the real run does, at the real line", async () => {
  mkdirSync(each.home.tetherHome, { recursive: true });
  const before = '[mcp_servers.a]\ncommand = "x"\nbogus = 1\n';
  writeFileSync(each.home.configPath, before);
  const dry = await importFile("claude-desktop", "odd.json", ["--dry-run"]);
  const real = await importFile("claude-desktop", "odd.json");
  expect([dry.code, real.code]).toEqual([2, 2]);
  expect(dry.stderr).toBe(real.stderr);
  expect(real.stderr).toContain(`${each.home.configPath}:3: server "a": unknown field 'bogus'`);
  expect(readFileSync(each.home.configPath, "utf8")).toBe(before);
});
