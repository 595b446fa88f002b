// mcp add | list | get | remove through the real CLI entry, against a temp TETHER_HOME.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { expectOk, makeHome, runTether } from "../support/cli.ts";

let home: ReturnType<typeof makeHome>;
const tether = (args: string[], env?: Record<string, string>) => runTether(args, { home: home.home, env });

beforeEach(() => {
  home = makeHome();
});
afterEach(() => home.cleanup());


describe("round trips", () => {
  test("stdio: add, list, get, remove", async () => {
    const added = expectOk(await tether(["mcp", "add", "docs", "--env", "TOKEN=s3cr3t-value", "--env", "LOG=info", "--", "docs-server", "--port", "4000"]));
    expect(added.stdout).toBe(`Added stdio server "docs": docs-server --port 4000\n  env TOKEN=*****, LOG=*****\n`);
    expect(added.stderr).toBe(`Saved to ${home.configPath}\n`);

    const list = expectOk(await tether(["mcp", "list"]));
    expect(list.stdout).toBe("docs\tstdio\tdocs-server --port 4000\tyes\tnone\n");

    const get = expectOk(await tether(["mcp", "get", "docs"]));
    expect(get.stdout).toContain('args:                       "--port" "4000"');
    expect(get.stdout).toContain("env:                        TOKEN=*****, LOG=*****");

    const json = JSON.parse(expectOk(await tether(["mcp", "get", "docs", "--json"])).stdout);
    expect(json).toEqual({
      name: "docs",
      transport: "stdio",
      enabled: true,
      required: false,
      startup_timeout_sec: 10,
      tool_timeout_sec: 60,
      tool_max_total_timeout_sec: 600,
      disabled_tools: [],
      approve_tools: [],
      auth: { type: "none" },
      command: "docs-server",
      args: ["--port", "4000"],
      env: { TOKEN: "*****", LOG: "*****" },
      env_vars: [],
    });

    const removed = expectOk(await tether(["mcp", "remove", "docs"]));
    expect(removed.stdout).toBe(`Removed server "docs" from ${home.configPath}\n`);
    const empty = expectOk(await tether(["mcp", "list"]));
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toContain("No MCP servers configured yet");
    expect(empty.stderr).toContain("tether mcp add");

    for (const output of [added, list, get, removed]) expect(output.stdout + output.stderr).not.toContain("s3cr3t");
  });

  test("--keep-alive writes keep_alive = true; without it (or with --no-keep-alive) nothing is written", async () => {
    expectOk(await tether(["mcp", "add", "kept", "--keep-alive", "--", "repl-server"]));
    expectOk(await tether(["mcp", "add", "plain", "--no-keep-alive", "--", "docs-server"]));
    const written = readFileSync(home.configPath, "utf8");
    expect(parse(written)).toEqual({ mcp_servers: { kept: { command: "repl-server", keep_alive: true }, plain: { command: "docs-server" } } });
    expect(JSON.parse(expectOk(await tether(["mcp", "get", "kept", "--json"])).stdout).keep_alive).toBe(true);
  });

  test("http: add with bearer env var and headers, list --json", async () => {
    const added = expectOk(
      await tether(["mcp", "add", "github", "--url", "https://api.githubcopilot.com/mcp/", "--bearer-token-env-var=GITHUB_PAT", "--header", "X-Api-Key: k3y-secret", "--header", "X-Region: eu"]),
    );
    expect(added.stdout).toContain(`Added http server "github": https://api.githubcopilot.com/mcp/`);
    expect(added.stdout).toContain("bearer token from $GITHUB_PAT");
    const list = JSON.parse(expectOk(await tether(["mcp", "list", "--json"])).stdout);
    expect(list).toEqual({
      servers: [
        { name: "github", transport: "http", url: "https://api.githubcopilot.com/mcp/", enabled: true, auth: { type: "bearer", env_var: "GITHUB_PAT" } },
      ],
    });
    const get = expectOk(await tether(["mcp", "get", "github", "--json"]));
    expect(JSON.parse(get.stdout).http_headers).toEqual({ "X-Api-Key": "*****", "X-Region": "*****" });
    expect(get.stdout + added.stdout + added.stderr).not.toContain("k3y-secret");
    const table = expectOk(await tether(["mcp", "list"]));
    expect(table.stdout).toBe("github\thttp\thttps://api.githubcopilot.com/mcp/\tyes\tbearer (GITHUB_PAT)\n");
  });

  test("get shows auto_approve_read_only as it applies to the server, and says the server decides", async () => {
    mkdirSync(home.tetherHome, { recursive: true });
    writeFileSync(
      home.configPath,
      [
        "auto_approve_read_only = true",
        '[mcp_servers.inherits]\ncommand = "a"',
        '[mcp_servers.refuses]\ncommand = "b"\nauto_approve_read_only = false',
        '[mcp_servers.plain]\ncommand = "c"',
      ].join("\n") + "\n",
    );
    const line = "exec runs the tools this server marks read-only without asking; the server decides which they are";
    expect(expectOk(await tether(["mcp", "get", "inherits"])).stdout).toContain(`auto_approve_read_only:     true (from the top level): ${line}\n`);
    expect(expectOk(await tether(["mcp", "get", "refuses"])).stdout).toContain("auto_approve_read_only:     false\n");
    expect(JSON.parse(expectOk(await tether(["mcp", "get", "inherits", "--json"])).stdout).auto_approve_read_only).toBe(true);
    expect(JSON.parse(expectOk(await tether(["mcp", "get", "refuses", "--json"])).stdout).auto_approve_read_only).toBe(false);
    writeFileSync(home.configPath, '[mcp_servers.plain]\ncommand = "c"\n[mcp_servers.own]\ncommand = "d"\nauto_approve_read_only = true\n');
    expect(expectOk(await tether(["mcp", "get", "own"])).stdout).toContain(`auto_approve_read_only:     true: ${line}\n`);
    const plain = expectOk(await tether(["mcp", "get", "plain"]));
    expect(plain.stdout).not.toContain("auto_approve_read_only");
    expect(JSON.parse(expectOk(await tether(["mcp", "get", "plain", "--json"])).stdout)).not.toHaveProperty("auto_approve_read_only");
  });

  test("--config PATH overrides the home config", async () => {
    const other = join(home.home, "elsewhere", "my.toml");
    expectOk(await tether(["--config", other, "mcp", "add", "x", "--", "cmd"]));
    expect(parse(readFileSync(other, "utf8"))).toEqual({ mcp_servers: { x: { command: "cmd" } } });
    expect(expectOk(await tether(["mcp", "list"])).stdout).toBe("");
    expect(expectOk(await tether(["mcp", "list", `--config=${other}`])).stdout).toContain("x\tstdio\tcmd");
  });

  test("the home dir is 0700 and the config 0600", async () => {
    expectOk(await tether(["mcp", "add", "x", "--", "cmd"]));
    expect(statSync(home.tetherHome).mode & 0o777).toBe(0o700);
    expect(statSync(home.configPath).mode & 0o777).toBe(0o600);
  });
});

describe("errors and exit codes", () => {
  test("adding an existing name needs --force", async () => {
    expectOk(await tether(["mcp", "add", "x", "--", "one"]));
    const again = await tether(["mcp", "add", "x", "--", "two"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`error: server "x" already exists in ${home.configPath}\nhint: use --force to replace it, or: tether mcp remove x\n`);
    const forced = expectOk(await tether(["mcp", "add", "x", "--force", "--url", "https://e.com/mcp"]));
    expect(forced.stdout).toStartWith(`Replaced http server "x"`);
    expect(parse(readFileSync(home.configPath, "utf8"))).toEqual({ mcp_servers: { x: { url: "https://e.com/mcp" } } });
  });

  test("mixed flags give the validator's message", async () => {
    const mixed = await tether(["mcp", "add", "x", "--url", "https://e.com/mcp", "--env", "A=1"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toBe(`error: server "x": 'env' is only for stdio servers (command), but this server has a 'url'\n`);
    const both = await tether(["mcp", "add", "x", "--url", "https://e.com/mcp", "--", "cmd"]);
    expect(both.stderr).toStartWith(`error: server "x": has both 'command' and 'url'`);
    const bearer = await tether(["mcp", "add", "x", "--bearer-token-env-var", "T", "--", "cmd"]);
    expect(bearer.stderr).toStartWith(`error: server "x": 'bearer_token_env_var' is only for HTTP servers (url)`);
    const badName = await tether(["mcp", "add", "bad name", "--", "cmd"]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toStartWith(`error: invalid server name "bad name"`);
    const nothing = await tether(["mcp", "add", "x"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("give the server's command after --");
  });

  test("remove of an unknown name lists the names that exist", async () => {
    expectOk(await tether(["mcp", "add", "alpha", "--", "a"]));
    expectOk(await tether(["mcp", "add", "beta", "--", "b"]));
    const result = await tether(["mcp", "remove", "gamma"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: no server named "gamma" in ${home.configPath}\nhint: servers: alpha, beta\n`);
  });

  test("unknown flags and commands are usage errors", async () => {
    const flag = await tether(["mcp", "list", "--jsn"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(`error: unknown flag --jsn for "tether mcp list"\nhint: did you mean --json?\n`);
    const command = await tether(["mcp", "lst"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe("error: unknown command lst\nhint: did you mean tether mcp list?\n");
    const top = await tether(["exce", "hello"]);
    expect(top.stderr).toBe("error: unknown command exce\nhint: did you mean tether exec?\n");
    const far = await tether(["mcp", "zzzzz"]);
    expect(far.stderr).toBe("error: unknown command zzzzz\nhint: see: tether mcp --help\n");
    const missing = await tether(["mcp", "call", "x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("error: missing required positional argument: TOOL\nhint: see: tether mcp call --help\n");
  });

  test("an argument a command does not take is a usage error, not silently dropped", async () => {
    // A tool argument without --arg: the call must not go out with no arguments.
    const call = await tether(["mcp", "call", "x", "add", "a=1", "--arg", "b=2"]);
    expect([call.code, call.stdout]).toEqual([2, ""]);
    expect(call.stderr).toBe('error: unexpected argument "a=1" for "tether mcp call"\nhint: pass it with --arg a=1\n');
    const list = await tether(["mcp", "list", "everything"]);
    expect(list.code).toBe(2);
    expect(list.stderr).toBe('error: unexpected argument "everything" for "tether mcp list"\nhint: see: tether mcp list --help\n');
    // Words after `--` are the server's command, not tether's arguments.
    expectOk(await tether(["mcp", "add", "srv", "--", "npx", "-y", "server", "a=1"]));
    const get = await tether(["mcp", "get", "srv", "extra"]);
    expect(get.stderr).toBe('error: unexpected argument "extra" for "tether mcp get"\nhint: see: tether mcp get --help\n');
  });

  test("a --config file that does not exist is an error, except for mcp add, which creates it", async () => {
    const missing = join(home.home, "typo.toml");
    const list = await tether(["--config", missing, "mcp", "list"]);
    expect(list.code).toBe(2);
    expect(list.stdout).toBe("");
    expect(list.stderr).toBe(
      `error: config file ${missing} does not exist (--config)\n` +
        "hint: create it first (an empty file is a valid config), or leave out --config to use $TETHER_HOME/config.toml\n",
    );
    expectOk(await tether(["mcp", "add", "x", `--config=${missing}`, "--", "cmd"]));
    expect(expectOk(await tether(["--config", missing, "mcp", "list"])).stdout).toBe("x\tstdio\tcmd\tyes\tnone\n");
  });

  test("mcp import also creates a --config file that does not exist yet", async () => {
    const fresh = join(home.home, "new.toml");
    const cursor = join(import.meta.dir, "..", "import", "fixtures", "cursor.json");
    expectOk(await tether(["--config", fresh, "mcp", "import", "--from", "cursor", "--path", cursor]));
    expect(Object.keys((parse(readFileSync(fresh, "utf8")) as { mcp_servers: object }).mcp_servers)).toEqual(["notion", "stripe", "docs"]);
    expect(expectOk(await tether(["--config", fresh, "mcp", "list"])).stdout).toContain("notion\thttp\t");
  });

  test("a URL without a scheme says so and suggests one", async () => {
    const local = await tether(["mcp", "add", "x", "--url", "localhost:3000/mcp"]);
    expect(local.code).toBe(2);
    expect(local.stderr).toBe(
      `error: server "x": 'url' must start with http:// or https:// (got "localhost:3000/mcp")\nhint: did you mean http://localhost:3000/mcp?\n`,
    );
    const remote = await tether(["mcp", "add", "x", "--url", "mcp.example.com/mcp"]);
    expect(remote.stderr).toEndWith("hint: did you mean https://mcp.example.com/mcp?\n");
  });

  test("a broken config is exit 2 with file and line, no stack", async () => {
    mkdirSync(home.tetherHome, { recursive: true });
    writeFileSync(home.configPath, `[mcp_servers.docs]\ncommand = "x"\nbearer_token = "abc123secret"\n`);
    const result = await tether(["mcp", "list"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      `error: ${home.configPath}:3: server "docs": 'bearer_token' is not allowed: a token must not be stored in config.toml`,
    );
    expect(result.stderr).toContain("hint: put the token in an environment variable");
    expect(result.stderr).not.toContain("abc123secret");
    expect(result.stderr).not.toContain("    at ");
  });

  test("an edited config is validated again before use", async () => {
    expectOk(await tether(["mcp", "add", "x", "--", "cmd"]));
    expectOk(await tether(["mcp", "list"]));
    writeFileSync(home.configPath, readFileSync(home.configPath, "utf8") + `comand = "typo"\n`);
    const result = await tether(["mcp", "list"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${home.configPath}:3: server "x": unknown field 'comand'`);
  });
});

describe("writes", () => {
  test("add + remove through the CLI keep a commented config byte-for-byte", async () => {
    const rich = `# my config\nmodel = "m" # inline\n\n[mcp_servers.keep]\n# why: tests\ncommand = "k"\n\n[otel]\nenvironment = "ci"\n`;
    mkdirSync(home.tetherHome, { recursive: true });
    writeFileSync(home.configPath, rich);
    expectOk(await tether(["mcp", "add", "tmp", "--", "t"]));
    const added = readFileSync(home.configPath, "utf8");
    expect(added).toBe(rich.replace(`command = "k"\n`, `command = "k"\n\n[mcp_servers.tmp]\ncommand = "t"\n`));
    expectOk(await tether(["mcp", "remove", "tmp"]));
    expect(readFileSync(home.configPath, "utf8")).toBe(rich);
  });

  test("20 concurrent adds all land", { timeout: 120_000 }, async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => tether(["mcp", "add", `s${i}`, "--", "cmd", String(i)])),
    );
    for (const result of results) expectOk(result);
    const parsed = parse(readFileSync(home.configPath, "utf8")) as { mcp_servers: Record<string, { args: string[] }> };
    expect(Object.keys(parsed.mcp_servers).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`).sort());
    for (let i = 0; i < 20; i++) expect(parsed.mcp_servers[`s${i}`]!.args).toEqual([String(i)]);
  });
});
