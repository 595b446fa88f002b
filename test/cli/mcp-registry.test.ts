// Registry install: `mcp registry search` and `mcp add NAME --registry SERVER[@VERSION]` in process,
// against the local registry fixture (test/support/registry-server.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { expectOk, homePerTest, runTether, type RunOptions } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { type RegistryFixture, startRegistryServer } from "../support/registry-server.ts";

let registry: RegistryFixture;
const state = homePerTest();

beforeAll(async () => {
  registry = await startRegistryServer();
});
afterAll(() => registry.stop());

beforeEach(() => {
  writeConfig(state.home.configPath, { top: { registry_url: registry.url } });
  registry.requests.length = 0;
});

const tether = (args: string[], options: Partial<RunOptions> = {}) => runTether(args, { home: state.home.home, ...options });
const servers = () => (parse(readFileSync(state.home.configPath, "utf8")).mcp_servers ?? {}) as Record<string, Record<string, unknown>>;

describe("tether mcp registry search", () => {
  test("piped: tab-separated rows of the latest versions, descriptions made safe, how to add one", async () => {
    const result = expectOk(await tether(["mcp", "registry", "search", "weather"]));
    expect(result.stdout).toBe(
      "io.github.acme/weather\t1.2.0\tnpm, pypi\tWeather forecasts and alerts from the Acme weather API\n" +
        "io.github.mallory/weather-clone\t0.0.1\tremote\tWeather^[[2J^[]52;c;cHduZWQ=^G clone\n",
    );
    expect(result.stderr).toBe("add one with: tether mcp add NAME --registry io.github.acme/weather\n");
    expect(registry.requests).toEqual(["/v0.1/servers?search=weather&version=latest&limit=30"]);
  });

  test("on a terminal: an aligned table with a header", async () => {
    const result = expectOk(await tether(["mcp", "registry", "search", "com.example"], { tty: { stdout: true } }));
    expect(result.stdout).toBe(
      "NAME                 VERSION  INSTALL      DESCRIPTION\n" +
        "com.example/tickets  2.0.0    remote, npm  Search and update support tickets\n" +
        "com.example/keyed    1.0.0    remote       A remote that takes its key in a header\n",
    );
  });

  test("--json: the registry's entries exactly as sent", async () => {
    const result = expectOk(await tether(["mcp", "registry", "search", "clone", "--json"]));
    const { registry_url, servers: entries, more } = JSON.parse(result.stdout);
    expect(registry_url).toBe(registry.url);
    expect(more).toBe(false);
    expect(entries).toHaveLength(1);
    expect(entries[0].server.name).toBe("io.github.mallory/weather-clone");
    expect(entries[0].server.description).toBe("Weather\u001b[2J\u001b]52;c;cHduZWQ=\u0007 clone");
    expect(entries[0]._meta["io.modelcontextprotocol.registry/official"].isLatest).toBe(true);
    expect(result.stderr).toBe("");
  });

  test("--limit: says when more servers match; no match is said on stderr", async () => {
    const limited = expectOk(await tether(["mcp", "registry", "search", "example", "--limit", "1"]));
    expect(limited.stdout.trim().split("\n")).toHaveLength(1);
    expect(limited.stderr).toContain("more servers match: showing the first 1");
    expect(registry.requests).toEqual(["/v0.1/servers?search=example&version=latest&limit=1"]);

    const none = expectOk(await tether(["mcp", "registry", "search", "zzz"]));
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe(`no servers in ${registry.url} match "zzz"\n`);
  });

  test("an unreachable registry is one line and exit 1; an invalid registry_url is a config error", async () => {
    const closed = await startRegistryServer([]);
    await closed.stop();
    writeConfig(state.home.configPath, { top: { registry_url: closed.url } });
    const down = await tether(["mcp", "registry", "search", "weather"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toStartWith(`error: cannot reach the registry ${closed.url}`);
    expect(down.stderr).toContain("hint: check your network");

    writeConfig(state.home.configPath, { top: { registry_url: "http://registry.example.com" } });
    const insecure = await tether(["mcp", "registry", "search", "weather"]);
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toStartWith(`error: ${state.home.configPath}:1: 'registry_url' must be https:// (plain http:// only to 127.0.0.1 or localhost)`);
  });

  test("a response past the size bound is refused", async () => {
    const big = await startRegistryServer([
      { server: { name: "io.github.big/server", description: "x".repeat(5 * 1024 * 1024), version: "1.0.0" } },
    ]);
    try {
      writeConfig(state.home.configPath, { top: { registry_url: big.url } });
      const result = await tether(["mcp", "registry", "search", "big"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("larger than 4194304 bytes (MAX_REGISTRY_RESPONSE_BYTES)");
    } finally {
      await big.stop();
    }
  });
});

describe("tether mcp add --registry", () => {
  test("npm (the preferred package): npx -y PKG@VERSION, defaults for required values, the secret by name only", async () => {
    const result = expectOk(await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather"]));
    expect(result.stdout).toBe('Added stdio server "weather": npx -y @acme/weather-mcp@1.2.0\n  env WEATHER_UNITS=*****\n');
    expect(result.stderr).toBe(
      `Saved to ${state.home.configPath}\n` +
        "From the registry: io.github.acme/weather 1.2.0, npm package @acme/weather-mcp 1.2.0\n" +
        "Secrets are not stored in config.toml: set WEATHER_API_KEY in the environment tether runs in\n",
    );
    expect(servers().weather).toEqual({
      command: "npx",
      args: ["-y", "@acme/weather-mcp@1.2.0"],
      env: { WEATHER_UNITS: "celsius" },
      env_vars: ["WEATHER_API_KEY"],
    });
    expect(registry.requests).toEqual(["/v0.1/servers/io.github.acme%2Fweather/versions/latest"]);
  });

  test("pypi at a pinned version: uvx PKG==VERSION with its package arguments; no secret note when it is set", async () => {
    const result = expectOk(
      await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather@1.1.0", "--package", "pypi"], { env: { WEATHER_API_KEY: "k-123456789" } }),
    );
    expect(servers().weather).toEqual({ command: "uvx", args: ["acme-weather-mcp==1.1.0", "--units", "celsius"], env_vars: ["WEATHER_API_KEY"] });
    expect(result.stderr).not.toContain("Secrets are not stored");
    expect(registry.requests).toEqual(["/v0.1/servers/io.github.acme%2Fweather/versions/1.1.0"]);
  });

  test("oci: docker run -i --rm with runtime and package arguments; env vars reach the container by name", async () => {
    expectOk(
      await tether([
        "mcp", "add", "db", "--registry", "io.github.example/database-manager",
        "--arg", "db_type=postgres", "--arg", "database_name=shop", "--env", "DB_USERNAME=app",
      ]),
    );
    expect(servers().db).toEqual({
      command: "docker",
      args: [
        "run", "-i", "--rm", "--network", "host", "-e", "DB_TYPE=postgres",
        "-e", "DB_USERNAME", "-e", "DB_PASSWORD",
        "docker.io/example/database-manager-mcp:3.1.0", "--host", "localhost", "shop",
      ],
      env: { DB_USERNAME: "app" },
      env_vars: ["DB_PASSWORD"],
    });
  });

  test("no terminal: every missing value in one error, with the flags that give them; nothing written", async () => {
    const before = readFileSync(state.home.configPath, "utf8");
    const result = await tether(["mcp", "add", "db", "--registry", "io.github.example/database-manager"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: "io.github.example/database-manager" needs values and there is no terminal to ask for them: ' +
        "variable db_type (Type of database); argument database_name (Name of the database to connect to); environment variable DB_USERNAME (Database username)\n" +
        "hint: pass them: --arg db_type=… --arg database_name=… --env DB_USERNAME=…\n",
    );
    expect(readFileSync(state.home.configPath, "utf8")).toBe(before);
  });

  test("remote (preferred over packages) on a terminal: asks for the URL variable and header, the bearer secret by reference", async () => {
    const result = expectOk(
      await tether(["mcp", "add", "tickets", "--registry", "com.example/tickets"], { tty: { stdin: true, stderr: true }, stdin: "acme\n\n" }),
    );
    expect(result.stderr).toContain('"tickets" needs variable tenant — Your tenant identifier: ');
    expect(result.stderr).toContain('"tickets" needs header X-Region — Data region (one of: eu, us) [eu]: ');
    expect(result.stderr).toContain("set TICKETS_TOKEN in the environment tether runs in");
    expect(result.stdout).toStartWith('Added http server "tickets": https://acme.tickets.example.com/mcp\n');
    expect(servers().tickets).toEqual({
      url: "https://acme.tickets.example.com/mcp",
      bearer_token_env_var: "TICKETS_TOKEN",
      http_headers: { "X-Region": "eu" },
    });
  });

  test("--package npm picks the package over the remote; a choice outside the list is refused", async () => {
    expectOk(await tether(["mcp", "add", "tickets", "--registry", "com.example/tickets", "--package", "npm"]));
    expect(servers().tickets).toEqual({ command: "npx", args: ["-y", "@example/tickets-mcp@2.0.0", "stdio"], env_vars: ["TICKETS_TOKEN"] });

    const bad = await tether(["mcp", "add", "t2", "--registry", "com.example/tickets", "--arg", "tenant=acme", "--header", "X-Region: mars"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toStartWith('error: header X-Region must be one of eu, us (got "mars")');
  });

  test("a secret's value is refused and never printed; a ${VAR} reference is written as given", async () => {
    const refused = await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather", "--env", "WEATHER_API_KEY=sk-live-1234567890"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toStartWith("error: environment variable WEATHER_API_KEY is a secret: tether never writes a secret's value to config.toml\n");
    expect(refused.stdout + refused.stderr).not.toContain("sk-live");
    expect(servers().weather).toBeUndefined();

    expectOk(await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather", "--env", "WEATHER_API_KEY=${MY_WEATHER_KEY}"]));
    expect(servers().weather!.env).toEqual({ WEATHER_API_KEY: "${MY_WEATHER_KEY}", WEATHER_UNITS: "celsius" });
    expect(readFileSync(state.home.configPath, "utf8")).not.toContain("sk-live");
  });

  test("--dry-run prints the TOML entry and writes nothing; a deprecated server is flagged", async () => {
    const result = expectOk(await tether(["mcp", "add", "keyed", "--registry", "com.example/keyed", "--dry-run"]));
    expect(result.stdout).toBe('[mcp_servers.keyed]\nurl = "https://keyed.example.com/mcp"\nenv_http_headers = { X-API-Key = "KEYED_X_API_KEY" }\n');
    expect(result.stderr).toBe(
      "From the registry: com.example/keyed 1.0.0, streamable-http remote https://keyed.example.com/mcp\n" +
        "warning: the registry marks this server deprecated: use com.example/tickets\n" +
        "Secrets are not stored in config.toml: set KEYED_X_API_KEY in the environment tether runs in\n" +
        `--dry-run: nothing written to ${state.home.configPath}\n`,
    );
    expect(servers()).toEqual({});
  });

  test("--protocol, --cwd and --keep-alive reach the entry as they do for a hand-written one", async () => {
    expectOk(await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather", "--protocol", "2025-11-25", "--cwd", "/srv/weather", "--keep-alive"]));
    expect(servers().weather).toMatchObject({ command: "npx", cwd: "/srv/weather", protocol: "2025-11-25", keep_alive: true });
    const bad = await tether(["mcp", "add", "x", "--registry", "io.github.acme/weather", "--protocol", "2024"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toStartWith('error: --protocol must be 2025-11-25, 2026-07-28, auto (got "2024")\n');
  });

  test("a missing server or version, and a bad reference, are usage errors with the way forward", async () => {
    const missing = await tether(["mcp", "add", "x", "--registry", "io.github.acme/nope"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: no server named "io.github.acme/nope" in the registry ${registry.url}\nhint: find its name with: tether mcp registry search nope\n`);

    const version = await tether(["mcp", "add", "x", "--registry", "io.github.acme/weather@9.9.9"]);
    expect(version.code).toBe(2);
    expect(version.stderr).toBe(`error: the registry ${registry.url} has no version 9.9.9 of "io.github.acme/weather"\nhint: leave out @9.9.9 for the latest version\n`);

    const ref = await tether(["mcp", "add", "x", "--registry", "weather"]);
    expect(ref.code).toBe(2);
    expect(ref.stderr).toContain("--registry expects SERVER[@VERSION]");
    expect(existsSync(state.home.configPath)).toBe(true);
    expect(servers()).toEqual({});
  });

  test("what tether cannot install, or a --package the server lacks, says what it offers", async () => {
    const bundle = await tether(["mcp", "add", "x", "--registry", "io.github.example/mind-map"]);
    expect(bundle.code).toBe(2);
    expect(bundle.stderr).toStartWith('error: "io.github.example/mind-map" offers nothing tether can install (it has: mcpb)\n');

    const remote = await tether(["mcp", "add", "x", "--registry", "io.github.acme/weather", "--package", "remote"]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toBe('error: "io.github.acme/weather" has no remote; it offers: npm, pypi\nhint: choose one with --package npm\n');
  });

  test("registry-only flags need --registry; --registry replaces --url and a command", async () => {
    const dry = await tether(["mcp", "add", "x", "--dry-run", "--", "docs-server"]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toStartWith("error: --dry-run goes with --registry SERVER\n");

    const both = await tether(["mcp", "add", "x", "--registry", "io.github.acme/weather", "--url", "https://example.com/mcp"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toStartWith("error: --registry describes the server itself: it cannot be combined with --url\n");

    const envForRemote = await tether(["mcp", "add", "x", "--registry", "com.example/keyed", "--env", "A=1"]);
    expect(envForRemote.code).toBe(2);
    expect(envForRemote.stderr).toStartWith('error: --env does not apply: "com.example/keyed" is installed as a remote (it takes --header)\n');
    const headerForPackage = await tether(["mcp", "add", "x", "--registry", "io.github.acme/weather", "--header", "A: 1"]);
    expect(headerForPackage.code).toBe(2);
    expect(headerForPackage.stderr).toStartWith('error: --header does not apply: "io.github.acme/weather" is installed as the npm package (it takes --env)\n');

    const unknownArg = await tether(["mcp", "add", "x", "--registry", "io.github.acme/weather", "--arg", "colour=red"]);
    expect(unknownArg.code).toBe(2);
    expect(unknownArg.stderr).toStartWith('error: --arg colour: "io.github.acme/weather" has no argument or variable of that name\n');
  });

  test("an existing name needs --force, as with mcp add", async () => {
    expectOk(await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather"]));
    const again = await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather", "--package", "pypi"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('server "weather" already exists');
    const forced = expectOk(await tether(["mcp", "add", "weather", "--registry", "io.github.acme/weather", "--package", "pypi", "--force"]));
    expect(forced.stdout).toStartWith('Replaced stdio server "weather": uvx acme-weather-mcp==1.2.0 --units celsius\n');
  });
});
