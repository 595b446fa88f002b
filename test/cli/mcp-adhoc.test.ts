// Ad-hoc servers (issue 22): `--stdio "CMD ARGS"`, `--url URL` or a URL in place of NAME on every
// command that takes a server, `--save NAME`, and the usage errors. In process against the stdio and
// HTTP fixtures; the OAuth login by URL and one call run through the compiled binary.
import { beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ensureHostBinary } from "../support/binary.ts";
import { expectOk, homePerTest, makeHome, runTether, type RunResult } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture, stdioFixtureCommand } from "../support/fixture.ts";
import { callTurn, type ExecHarness, execPerTest, expectExit, fixtureServer } from "../agent/exec-harness.ts";
import { sseStep } from "../support/mock-responses.ts";
import { functionCall, sse, textTurn } from "../support/sse.ts";
import { loginHeadless, onlyEntry, writeConfig as writeConfigText } from "./oauth-driver.ts";

const each = homePerTest();
const tether = (args: string[], env?: Record<string, string>) => runTether(args, { home: each.home.home, env });

/** The fixture's command line as one `--stdio` string (its path has no spaces; the flags are quoted to show the split). */
function fixtureLine(flags: string[] = []): string {
  const { command, args } = stdioFixtureCommand(flags);
  return [command, ...args.map((a) => `'${a}'`)].join(" ");
}

async function httpFixture(args: string[] = []): Promise<FixtureHandle> {
  const handle = await startHttpFixture(args);
  each.fixtures.push(handle);
  return handle;
}

function expectUsage(result: RunResult, line: string): string {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr.split("\n")[0]).toBe(`error: ${line}`);
  return result.stderr;
}

describe("--stdio", () => {
  test("tools, call (TOOL moves up one), a quoted argument, --json names the server after its program", async () => {
    const line = fixtureLine(["--tools", "echo,add"]);
    expect(expectOk(await tether(["mcp", "tools", "--stdio", line])).stdout).toBe("echo\tEcho the given text back.\ttext: string\nadd\tAdd two numbers.\ta: number, b: number\n");
    expect(expectOk(await tether(["mcp", "call", "--stdio", line, "add", "--arg", "a=2", "--arg", "b=3"])).stdout).toBe("5\n");
    // The flag may come anywhere; the words around it stay in order.
    expect(expectOk(await tether(["mcp", "call", "echo", "--arg", "text=hi there", `--stdio=${line}`])).stdout).toBe("hi there\n");
    const json = JSON.parse(expectOk(await tether(["mcp", "tools", "--stdio", line, "--json"])).stdout);
    expect(json.server).toBe("fixture-server");
    // Nothing was written: an ad-hoc server is not configured.
    expect(existsSync(each.home.configPath)).toBe(false);
  });

  test("resources, read, prompts, prompt; a hint names the server the way it was given", async () => {
    const line = fixtureLine(["--features"]);
    expect(expectOk(await tether(["mcp", "resources", "--stdio", line, "--templates"])).stdout).toBe("fixture://notes/{id}\tnote\ttext/plain\tA note by id.\n");
    expect(expectOk(await tether(["mcp", "read", "--stdio", line, "fixture://notes/42"])).stdout).toBe("note 42\n");
    expect(expectOk(await tether(["mcp", "prompts", "--stdio", line])).stdout).toContain("review\tReview some code.\tcode*, style\n");
    expect(expectOk(await tether(["mcp", "prompt", "--stdio", line, "greet"])).stdout).toContain("[user]");
    const unknown = await tether(["mcp", "read", "--stdio", line, "fixture://nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`\nhint: list what it has: tether mcp resources --stdio '${line.replaceAll("'", `'\\''`)}' (and --templates)\n`);
  });

  test("--env reaches the server (FIXTURE_ERA picks its protocol era); doctor checks the one server", async () => {
    const line = fixtureLine(["--tools", "echo"]);
    const json = JSON.parse(expectOk(await tether(["mcp", "doctor", "--stdio", line, "--env", "FIXTURE_ERA=modern", "--json"])).stdout);
    expect(json.servers).toHaveLength(1);
    expect(json.servers[0]).toMatchObject({ name: "fixture-server", transport: "stdio", state: "ok", tools: 1, protocol_version: "2026-07-28" });
    const legacy = JSON.parse(expectOk(await tether(["mcp", "doctor", "--stdio", line, "--json"])).stdout);
    expect(legacy.servers[0].protocol_version).not.toBe("2026-07-28");
  });

  test("a command that is not there fails as a configured one would, its hint not pointing into config.toml", async () => {
    const result = await tether(["mcp", "tools", "--stdio", "/nonexistent/mcp-server --flag"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: server "mcp-server": command "/nonexistent/mcp-server" not found\nhint: check that the program is installed and on PATH\n');
  });
});

describe("a URL or --url", () => {
  test("tools, call and doctor by URL in place of NAME and by --url, named after the host and port", async () => {
    const fx = await httpFixture(["--tools", "echo,add"]);
    const name = `127-0-0-1-${fx.port}`;
    expect(expectOk(await tether(["mcp", "tools", fx.url])).stdout).toContain("add\tAdd two numbers.");
    expect(expectOk(await tether(["mcp", "call", fx.url, "add", "--arg", "a=1", "--arg", "b=2"])).stdout).toBe("3\n");
    expect(expectOk(await tether(["mcp", "call", "--url", fx.url, "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
    expect(JSON.parse(expectOk(await tether(["mcp", "tools", "--url", fx.url, "--json"])).stdout).server).toBe(name);
    const doctor = JSON.parse(expectOk(await tether(["mcp", "doctor", fx.url, "--json"])).stdout);
    expect(doctor.servers[0]).toMatchObject({ name, transport: "http", state: "ok", tools: 2 });
  });

  test("--header and --bearer-token-env-var are sent; the token's value is never printed", async () => {
    const fx = await httpFixture(["--tools", "echo", "--require-header", "X-Team: blue", "--token", "s3cret-token"]);
    const missing = await tether(["mcp", "tools", fx.url]);
    expect(missing.code).toBe(1);
    const ok = expectOk(await tether(["mcp", "call", fx.url, "echo", "--arg", "text=in", "--header", "X-Team: blue", "--bearer-token-env-var", "FX_TOKEN"], { FX_TOKEN: "s3cret-token" }));
    expect(ok.stdout).toBe("in\n");
    expect(ok.stdout + ok.stderr).not.toContain("s3cret-token");
  });

  test("a token over plain http to another host is refused as config.toml would refuse it", async () => {
    const result = await tether(["mcp", "tools", "http://mcp.example.com/mcp", "--bearer-token-env-var", "T"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("plain http://");
  });
});

describe("--save NAME", () => {
  test("writes the entry exactly as mcp add would, keeping the user's bytes, and the run uses that name", async () => {
    const user = "# my servers\nmodel = \"gpt-x\"   # keep me\n\n[mcp_servers.old]\ncommand = \"old-server\" # mine\n";
    writeConfig(each.home.configPath, {});
    writeFileSync(each.home.configPath, user);
    const line = fixtureLine(["--tools", "echo"]);
    const saved = expectOk(await tether(["mcp", "call", "--stdio", line, "echo", "--arg", "text=hey", "--env", "A=1", "--save", "fx"]));
    expect(saved.stdout).toBe("hey\n");
    expect(saved.stderr).toContain(`Added stdio server "fx" to ${each.home.configPath}\n`);
    const written = readFileSync(each.home.configPath, "utf8");
    expect(written.startsWith(user)).toBe(true);

    // The same entry through mcp add, in another home with the same starting bytes.
    const other = makeHome();
    try {
      writeConfig(other.configPath, {});
      writeFileSync(other.configPath, user);
      const { command, args } = stdioFixtureCommand(["--tools", "echo"]);
      expectOk(await runTether(["mcp", "add", "fx", "--env", "A=1", "--", command, ...args], { home: other.home }));
      expect(readFileSync(other.configPath, "utf8")).toBe(written);
    } finally {
      other.cleanup();
    }
    // From now on it is a configured server.
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=again"])).stdout).toBe("again\n");
  });

  test("a URL is saved as url (with its headers); an existing name is refused before anything is written", async () => {
    const fx = await httpFixture(["--tools", "echo"]);
    expectOk(await tether(["mcp", "tools", fx.url, "--header", "X-A: 1", "--save", "web"]));
    const written = readFileSync(each.home.configPath, "utf8");
    expect(written).toContain(`[mcp_servers.web]\nurl = "${fx.url}"\n`);
    expect(written).toContain('http_headers = { X-A = "1" }');
    const again = await tether(["mcp", "tools", fx.url, "--save", "web"]);
    expectUsage(again, `--save: server "web" already exists in ${each.home.configPath}`);
    expect(readFileSync(each.home.configPath, "utf8")).toBe(written);
  });
});

describe("usage errors (exit 2)", () => {
  test("--stdio with --url, or with a NAME, names both; NAME alone still means a configured server", async () => {
    writeConfig(each.home.configPath, { servers: { fx: { command: "x" } } });
    expectUsage(await tether(["mcp", "tools", "--stdio", "x", "--url", "http://127.0.0.1:1/mcp"]), "--stdio and --url cannot be used together: a server is either a command to start or a URL");
    expectUsage(await tether(["mcp", "call", "fx", "add", "--stdio", "x"]), '--stdio and the server "fx" cannot be used together: give one server');
    expectUsage(await tether(["mcp", "tools", "http://127.0.0.1:1/mcp", "--url", "http://127.0.0.1:1/mcp"]), '--url and the server "http://127.0.0.1:1/mcp" cannot be used together: give one server');
    const unknown = expectUsage(await tether(["mcp", "tools", "docs"]), `no server named "docs" in ${each.home.configPath}`);
    expect(unknown).toContain("hint: servers: fx\n");
  });

  test("an unknown NAME that looks like a URL without its scheme gets a hint", async () => {
    const remote = expectUsage(await tether(["mcp", "tools", "mcp.example.com/mcp"]), `no server named "mcp.example.com/mcp" in ${each.home.configPath}`);
    expect(remote).toContain("hint: to reach it without configuring it, give the URL with its scheme: https://mcp.example.com/mcp\n");
    const local = expectUsage(await tether(["mcp", "call", "localhost:3000/mcp", "echo"]), `no server named "localhost:3000/mcp" in ${each.home.configPath}`);
    expect(local).toContain("give the URL with its scheme: http://localhost:3000/mcp\n");
  });

  test("flags that belong to the other kind of server, a missing TOOL, a bad command line, --save of a configured server", async () => {
    writeConfig(each.home.configPath, { servers: { fx: { command: "x" } } });
    expectUsage(await tether(["mcp", "tools", "--url", "http://127.0.0.1:1/mcp", "--env", "A=1"]), "--env is for a server started with --stdio");
    expectUsage(await tether(["mcp", "tools", "--stdio", "x", "--header", "A: 1"]), "--header is for a server given by URL (--url URL, or a URL in place of NAME)");
    expectUsage(await tether(["mcp", "call", "--stdio", "x"]), "missing required positional argument: TOOL");
    expectUsage(await tether(["mcp", "tools"]), 'missing the server: NAME, a URL, --url URL or --stdio "CMD ARGS"');
    expectUsage(await tether(["mcp", "doctor", "--save", "y"]), "no server given: name a configured server, or give one ad hoc");
    expectUsage(await tether(["mcp", "tools", "--stdio", "server 'unclosed"]), "--stdio: unterminated single quote in the command");
    expectUsage(await tether(["mcp", "tools", "--stdio", "  "]), "--stdio needs a command");
    expectUsage(await tether(["mcp", "tools", "fx", "--save", "y"]), '--save is for a server given ad hoc; "fx" is already configured');
    expectUsage(await tether(["mcp", "tools", "--stdio", "a", "--stdio", "b"]), "--stdio may be given once: one server per command");
    expectUsage(await tether(["mcp", "login", "--stdio", "x"]), 'server "x" is a stdio server; OAuth login is only for HTTP servers (url)');
  });
});

describe("exec", () => {
  const setup = execPerTest();
  const answer = (id: string) => sseStep(sse(textTurn(id, ["done"])));
  const offered = (h: ExecHarness) => h.bodies()[0].tools.map((t: { name: string }) => t.name).filter((n: string) => n.startsWith("mcp__"));

  test("--stdio replaces the configured servers; --mcp NAME adds a configured one back; the model calls the ad-hoc tool", async () => {
    const tables = [fixtureServer({ name: "fx", tools: ["echo"] })];
    const line = fixtureLine(["--tools", "add"]);
    const h = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture-server__add", { a: 1, b: 2 })), answer("resp_2")], { tables });
    const run = expectExit(await h.run(["--yes", "--stdio", line, "add one and two"]), 0);
    expect(offered(h)).toEqual(["mcp__fixture-server__add"]);
    expect(h.bodies()[1].input.find((item: { type: string }) => item.type === "function_call_output").output).toBe("3");
    expect(run.stdout).toBe("done\n");
    await h.cleanup(); // execPerTest cleans up the last harness only

    const both = setup([answer("resp_1")], { tables });
    expectExit(await both.run(["--mcp", "fx", "--stdio", line, "hi"]), 0);
    expect(offered(both).sort()).toEqual(["mcp__fixture-server__add", "mcp__fx__echo"]);
  }, 60_000);

  test("--mcp URL and two servers on one host (told apart by -2); bad combinations are usage errors", async () => {
    const fx = await httpFixture(["--tools", "echo"]);
    const name = `127-0-0-1-${fx.port}`;
    const h = setup([answer("resp_1")], { tables: [fixtureServer({ name: "off", tools: ["add"] })] });
    expectExit(await h.run(["--mcp", fx.url, "--url", fx.url, "hi"]), 0);
    expect(offered(h).sort()).toEqual([`mcp__${name}-2__echo`, `mcp__${name}__echo`]);
    expectUsage(await h.run(["--url", fx.url, "--mcp", fx.url, "--header", "A: 1", "hi"]), "--header is for one server given by URL; this run has 2");
    expectUsage(await h.run(["--mcp", "nope", "hi"]), `no server named "nope" in ${h.home.configPath}`);
    expectUsage(await h.run(["--env", "A=1", "hi"]), "--env is for servers started with --stdio");
  }, 60_000);
});

describe("OAuth login by URL (compiled binary)", () => {
  let fx: FixtureHandle;
  beforeEach(async () => {
    fx = await httpFixture(["--oauth"]);
    writeConfigText(each.home.tetherHome, 'mcp_oauth_credentials_store = "file"\n');
  });

  test("before login the hint names the URL; mcp login URL stores the login under the host's name and the URL finds it again; logout URL removes it", async () => {
    const name = `127-0-0-1-${fx.port}`;
    const before = await tether(["mcp", "tools", fx.url]);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(`hint: run: tether mcp login ${fx.url}\n`);

    const login = await loginHeadless(fx.url, { home: each.home.home, via: "callback" });
    expectOk(login);
    expect(login.stdout).toBe(`Logged in to "${name}" (scopes: mcp:tools)\n`);
    expect(onlyEntry(each.home.tetherHome)).toMatchObject({ serverName: name, serverUrl: fx.url });

    expect(expectOk(await tether(["mcp", "call", fx.url, "echo", "--arg", "text=authed"])).stdout).toBe("authed\n");
    expect(expectOk(await tether(["mcp", "call", "--url", fx.url, "echo", "--arg", "text=again"])).stdout).toBe("again\n");
    expectOk(await tether(["mcp", "logout", fx.url]));
    expect(onlyEntry(each.home.tetherHome)).toBeUndefined();
  }, 120_000);
});

describe("device login by URL", () => {
  test("mcp login URL --device stores the login the URL finds again; a denied one's hint names the URL", async () => {
    const fx = await httpFixture(["--oauth", "--device", "--device-script", "ok"]);
    writeConfigText(each.home.tetherHome, 'mcp_oauth_credentials_store = "file"\n');
    const instant = { home: each.home.home, sleep: async () => undefined };
    const run = expectOk(await runTether(["mcp", "login", fx.url, "--device"], instant));
    expect(run.stdout).toBe(`Logged in to "127-0-0-1-${fx.port}" (scopes: mcp:tools)\n`);
    expect(expectOk(await tether(["mcp", "tools", "--url", fx.url])).stdout).toContain("echo");
  });

  test("a device login the user denies ends in the login hint for the URL", async () => {
    const fx = await httpFixture(["--oauth", "--device", "--device-script", "denied"]);
    writeConfigText(each.home.tetherHome, 'mcp_oauth_credentials_store = "file"\n');
    const run = await runTether(["mcp", "login", fx.url, "--device"], { home: each.home.home, sleep: async () => undefined });
    expect(run.code).toBe(1);
    expect(run.stderr).toEndWith(`hint: run: tether mcp login ${fx.url}\n`);
  });
});

describe("compiled binary", () => {
  test("a call through the compiled binary with --stdio", async () => {
    const result = await runTether(["mcp", "call", "--stdio", fixtureLine(["--tools", "add"]), "add", "--arg", "a=20", "--arg", "b=22"], {
      home: each.home.home,
      binary: await ensureHostBinary(),
    });
    expect(expectOk(result).stdout).toBe("42\n");
  }, 120_000);
});
