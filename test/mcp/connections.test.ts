// Real servers, real processes: tether's connections through the CLI (issue: talk to MCP servers).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive, expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig, type ServerEntry } from "../support/config.ts";
import { startHttpFixture, stdioFixtureCommand, type FixtureHandle } from "../support/fixture.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { waitUntil } from "../support/wait.ts";

let home: ReturnType<typeof makeHome>;
const tether = (args: string[], env?: Record<string, string>) => runTether(args, { home: home.home, env });
const configure = (servers: Record<string, ServerEntry>, top?: Record<string, unknown>) =>
  writeConfig(home.configPath, { servers, top });

beforeEach(() => {
  home = makeHome();
});
afterEach(() => home.cleanup());



describe("stdio", () => {
  test("tools and call round trip", async () => {
    configure({ fx: stdioFixture() });
    const tools = JSON.parse(expectOk(await tether(["mcp", "tools", "fx", "--json"])).stdout);
    expect(tools.server).toBe("fx");
    expect(tools.tools.map((t: { name: string }) => t.name)).toEqual(["echo", "add", "slow", "fail", "crash", "big", "image", "progress"]);
    const add = tools.tools.find((t: { name: string }) => t.name === "add");
    expect(add.parameters).toEqual([
      { name: "a", type: "number", required: true },
      { name: "b", type: "number", required: true },
    ]);
    const table = expectOk(await tether(["mcp", "tools", "fx"]));
    expect(table.stdout).toContain("add\tAdd two numbers.\ta: number, b: number\n");
    const echo = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=héllo wörld"]));
    expect(echo.stdout).toBe("héllo wörld\n");
  });

  test("--arg values are coerced by the tool's schema; bad ones name the argument", async () => {
    configure({ fx: stdioFixture() });
    expect(expectOk(await tether(["mcp", "call", "fx", "add", "--arg", "a=2", "--arg", "b=3.5"])).stdout).toBe("5.5\n");
    expect(expectOk(await tether(["mcp", "call", "fx", "add", "--args-json", '{"a":1,"b":2}', "--arg", "b=40"])).stdout).toBe("41\n");
    const bad = await tether(["mcp", "call", "fx", "add", "--arg", "a=two", "--arg", "b=1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`argument "a"`);
    const missing = await tether(["mcp", "call", "fx", "add", "--arg", "a=1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"b"');
    const unknownTool = await tether(["mcp", "call", "fx", "ad"]);
    expect(unknownTool.code).toBe(2);
    expect(unknownTool.stderr).toBe(`error: server "fx" has no tool "ad"\nhint: did you mean "add"?\n`);
  });

  test("isError results print their text and exit 1; other content types are mentioned", async () => {
    configure({ fx: stdioFixture() });
    const fail = await tether(["mcp", "call", "fx", "fail", "--arg", "message=disk full"]);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toBe("disk full\n");
    expect(fail.stderr).toBe(`error: tool "fail" on server "fx" returned an error\n`);
    const image = expectOk(await tether(["mcp", "call", "fx", "image"]));
    expect(image.stdout).toBe("a 1x1 png\n");
    expect(image.stderr).toContain("(also returned 1 image; use --json to see everything)");
    const json = JSON.parse(expectOk(await tether(["mcp", "call", "fx", "image", "--json"])).stdout);
    expect(json.content.map((c: { type: string }) => c.type).sort()).toEqual(["image", "text"]);
  });

  test("enabled_tools and disabled_tools filter the tools", async () => {
    configure({ fx: stdioFixture([], { enabled_tools: ["echo", "add", "fail"], disabled_tools: ["fail"] }) });
    const tools = JSON.parse(expectOk(await tether(["mcp", "tools", "fx", "--json"])).stdout);
    expect(tools.tools.map((t: { name: string }) => t.name)).toEqual(["echo", "add"]);
    const blocked = await tether(["mcp", "call", "fx", "fail"]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain(`tool "fail" is turned off for server "fx"`);
  });

  test("env, env_vars and ${VAR} reach the child; other variables do not", async () => {
    const dump = join(home.home, "child-env.txt");
    const { command, args } = stdioFixtureCommand();
    const script = `env > '${dump}'; exec '${command}' ${args.map((a) => `'${a}'`).join(" ")}`;
    configure({
      fx: { command: "sh", args: ["-c", script], env: { FROM_CONFIG: "${HOST_VALUE:-fallback}", PLAIN: "p" }, env_vars: ["PASSED_ON"] },
    });
    const missing = await tether(["mcp", "tools", "fx"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: server "fx" env_vars: environment variable PASSED_ON is not set\nhint: export PASSED_ON=...\n`);

    expectOk(await tether(["mcp", "tools", "fx"], { PASSED_ON: "yes", SECRET_LEAK: "must-not-pass" }));
    const childEnv = readFileSync(dump, "utf8");
    expect(childEnv).toContain("FROM_CONFIG=fallback\n");
    expect(childEnv).toContain("PLAIN=p\n");
    expect(childEnv).toContain("PASSED_ON=yes\n");
    expect(childEnv).toContain(`HOME=${home.home}\n`);
    expect(childEnv).not.toContain("SECRET_LEAK");
    expect(childEnv).not.toContain("TETHER_HOME");
  });

  // A server that never answers fails on any bound, so the bounds here are short: nothing to wait out.
  test("startup_timeout_sec bounds a server that never answers", async () => {
    configure({ hung: stdioFixture(["--hang"], { startup_timeout_sec: 0.25 }) });
    const result = await tether(["mcp", "tools", "hung"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(`error: server "hung" did not start within 0.25s\n`);
  });

  test("a garbage-printing server fails alone with a clear message", async () => {
    configure({ junk: stdioFixture(["--garbage"], { startup_timeout_sec: 0.25 }), fx: stdioFixture() });
    const result = await tether(["mcp", "list", "--status", "--json"]);
    expect(result.code).toBe(0);
    const status = Object.fromEntries(JSON.parse(result.stdout).servers.map((s: any) => [s.name, s.status]));
    expect(status.fx.state).toBe("ok");
    expect(status.junk.state).toBe("error");
    expect(status.junk.error).toBe(`server "junk" did not start within 0.25s`);
  });

  test("tool_timeout_sec bounds a call", async () => {
    configure({ fx: stdioFixture([], { tool_timeout_sec: 0.25 }) });
    const result = await tether(["mcp", "call", "fx", "slow", "--arg", "ms=20000"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: tool "slow" on server "fx" timed out after 0.25s\nhint: raise tool_timeout_sec for "fx" in config.toml\n`);
  });

  test("progress notifications keep a long call alive past tool_timeout_sec", async () => {
    // 1.8 s of work under a 1.5 s bound; each 0.6 s gap leaves 0.9 s for a loaded machine's slow timers.
    configure({ fx: stdioFixture([], { tool_timeout_sec: 1.5 }) });
    const result = expectOk(await tether(["mcp", "call", "fx", "progress", "--arg", "steps=3", "--arg", "ms=600"]));
    expect(result.stdout).toBe("done 3\n");
  });

  test("a crashing server fails alone while another answers in the same list --status", async () => {
    configure({
      dead: stdioFixture(["--exit-on-start", "4"]),
      fx: stdioFixture(),
      off: stdioFixture([], { enabled: false }),
    });
    const result = expectOk(await tether(["mcp", "list", "--status"]));
    const lines = result.stdout.trim().split("\n").map((line) => line.split("\t"));
    const byName = Object.fromEntries(lines.map((cells) => [cells[0], cells]));
    expect(byName.fx!.slice(5, 7)).toEqual(["ok", "8"]);
    expect(byName.fx![7]).toMatch(/^\d+ms$/);
    expect(byName.dead![5]).toBe(`error: server "dead" exited before it finished starting`);
    expect(byName.off!.slice(3, 7)).toEqual(["no", "none", "disabled", "-"]);
  });

  test("naming a disabled server is a usage error that says how to turn it on (mcp tools, mcp serve --servers)", async () => {
    configure({ off: stdioFixture([], { enabled: false }) });
    for (const args of [["mcp", "tools", "off"], ["mcp", "serve", "--servers", "off"]]) {
      const result = await tether(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`server "off" is disabled`);
      expect(result.stderr).toContain("set enabled = true under [mcp_servers.off] in config.toml");
    }
  });

  test("a crash during a call names the server and shows its stderr", async () => {
    configure({ fx: stdioFixture() });
    const result = await tether(["mcp", "call", "fx", "crash"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: server "fx" exited while running "crash"`);
    expect(result.stderr).toContain("fixture: crashing");
  });

  test("doctor shows protocol, server info, tools, and a failure's stderr; exit 1", async () => {
    configure({ fx: stdioFixture(), dead: stdioFixture(["--exit-on-start", "4"]) });
    const result = await tether(["mcp", "doctor"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("fx  ok\n");
    expect(result.stdout).toMatch(/server: +fixture 1\.0\.0\n/);
    expect(result.stdout).toMatch(/protocol: +\d{4}-\d{2}-\d{2}\n/);
    expect(result.stdout).toMatch(/tools: +8\n/);
    expect(result.stdout).toContain("dead  error\n");
    expect(result.stdout).toContain("    fixture: fatal: config missing\n");
    expect(result.stderr).toBe("error: 1 of 2 servers failed\n");
    const one = expectOk(await tether(["mcp", "doctor", "fx", "--json"]));
    const report = JSON.parse(one.stdout).servers[0];
    expect(report).toMatchObject({ name: "fx", state: "ok", reachable: true, via: "stdio", tools: 8, server_info: { name: "fixture", version: "1.0.0" } });
  });

  test("the child process is gone after tether exits", async () => {
    const pidFile = join(home.home, "fixture.pid");
    configure({ fx: stdioFixture(["--pid-file", pidFile]) });
    expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]));
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(pid).toBeGreaterThan(0);
    expect(isProcessAlive(pid)).toBe(false);
  });

  test("a reader that stops early (| head) ends the output quietly: exit 0, no EPIPE error", async () => {
    configure({ fx: stdioFixture(["--many-tools", "3000"]) });
    const script = `"${await ensureHostBinary()}" mcp tools fx | head -n 1 > /dev/null; echo "exit=\${PIPESTATUS[0]}"`;
    const run = Bun.spawnSync(["bash", "-c", script], {
      env: { PATH: process.env.PATH!, HOME: home.home, TETHER_HOME: home.tetherHome, NO_COLOR: "1" },
    });
    expect(run.stdout.toString()).toBe("exit=0\n");
    expect(run.stderr.toString()).toBe("");
  });

  test("a reader that stops early during one large write (a 2 MB result | head -c 10): exit 0, nothing on stderr", async () => {
    configure({ fx: stdioFixture() });
    const script = `"${await ensureHostBinary()}" mcp call fx big --arg bytes=2000000 | head -c 10 > /dev/null; echo "exit=\${PIPESTATUS[0]}"`;
    const run = Bun.spawnSync(["bash", "-c", script], {
      env: { PATH: process.env.PATH!, HOME: home.home, TETHER_HOME: home.tetherHome, NO_COLOR: "1" },
    });
    expect(run.stdout.toString()).toBe("exit=0\n");
    expect(run.stderr.toString()).toBe("");
  });

  test("Ctrl-C during a call exits 130 and kills the child", async () => {
    const pidFile = join(home.home, "fixture.pid");
    configure({ fx: stdioFixture(["--pid-file", pidFile]) });
    // The compiled binary: the signal path as shipped, and a fraction of the start-up of `bun src/main.ts`.
    const child = Bun.spawn([await ensureHostBinary(), "mcp", "call", "fx", "slow", "--arg", "ms=30000"], {
      env: { PATH: process.env.PATH!, HOME: home.home, TETHER_HOME: home.tetherHome, NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    await waitUntil(() => existsSync(pidFile), "the server to start");
    // Most likely mid-call by now; a signal still in the handshake must end the same way.
    await Bun.sleep(300);
    child.kill("SIGINT");
    expect(await child.exited).toBe(130);
    expect(await new Response(child.stderr).text()).toContain("error: interrupted");
    expect(isProcessAlive(Number(readFileSync(pidFile, "utf8")))).toBe(false);
  });
});

describe("streamable HTTP", () => {
  let open: FixtureHandle;
  let locked: FixtureHandle;
  let legacy: FixtureHandle;
  beforeAll(async () => {
    [open, locked, legacy] = await Promise.all([
      startHttpFixture(["--require-header", "X-Region: eu", "--require-header", "X-Org: acme"]),
      startHttpFixture(["--token", "t0ken-XYZ"]),
      startHttpFixture(["--sse-legacy"]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), locked?.stop(), legacy?.stop()]);
  });

  test("round trip with http_headers and env_http_headers", async () => {
    configure({ web: { url: open.url, http_headers: { "X-Region": "eu" }, env_http_headers: { "X-Org": "ORG_NAME" } } });
    const result = expectOk(await tether(["mcp", "call", "web", "add", "--arg", "a=20", "--arg", "b=22"], { ORG_NAME: "acme" }));
    expect(result.stdout).toBe("42\n");
  });

  test("bearer token from the env var is accepted", async () => {
    configure({ locked: { url: locked.url, bearer_token_env_var: "FIXTURE_TOKEN" } });
    const result = expectOk(await tether(["mcp", "call", "locked", "echo", "--arg", "text=in"], { FIXTURE_TOKEN: "t0ken-XYZ" }));
    expect(result.stdout).toBe("in\n");
  });

  test("a missing bearer env var is an error naming it", async () => {
    configure({ locked: { url: locked.url, bearer_token_env_var: "FIXTURE_TOKEN" } });
    const result = await tether(["mcp", "tools", "locked"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: server "locked" bearer_token_env_var: environment variable FIXTURE_TOKEN is not set\nhint: export FIXTURE_TOKEN=...\n`);
  });

  test("a wrong token names the server and suggests checking the env var; never prints it", async () => {
    configure({ locked: { url: locked.url, bearer_token_env_var: "FIXTURE_TOKEN" } });
    const result = await tether(["mcp", "tools", "locked"], { FIXTURE_TOKEN: "wrong-secret-value" });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: server "locked" rejected tether's credentials (HTTP 401)\nhint: check that $FIXTURE_TOKEN holds a valid token for ${locked.url}\n`,
    );
    expect(result.stdout + result.stderr).not.toContain("wrong-secret-value");
  });

  test("a legacy HTTP+SSE server is reached through the fallback", async () => {
    configure({ old: { url: legacy.url } });
    expect(expectOk(await tether(["mcp", "call", "old", "echo", "--arg", "text=legacy"])).stdout).toBe("legacy\n");
    const doctor = JSON.parse(expectOk(await tether(["mcp", "doctor", "old", "--json"])).stdout);
    expect(doctor.servers[0].via).toBe("sse");
  });

  test("an unreachable server is a clear error", async () => {
    configure({ gone: { url: "http://127.0.0.1:9/mcp", startup_timeout_sec: 5 } });
    const result = await tether(["mcp", "tools", "gone"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: server "gone" is unreachable (connection refused)\n`);
  });
});
