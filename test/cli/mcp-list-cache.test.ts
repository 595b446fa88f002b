// Cached lists (SEP-2549, issue 22): `mcp call` with a fresh cached tool list sends no tools/list,
// `mcp tools` refreshes it, a stale list is listed again and the call made once more; `mcp grep`
// searches the cached lists, asks only the servers whose lists are stale, and reports failures.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";

const each = homePerTest();
const tether = (args: string[], now?: () => number) => runTether(args, { home: each.home.home, now });
const count = async (fixture: FixtureHandle, method: string) => ((await fixture.stats()).methods[method] ?? 0) as number;

async function serve(args: string[]): Promise<FixtureHandle> {
  const fixture = await startHttpFixture(args);
  each.fixtures.push(fixture);
  return fixture;
}

describe("mcp call with a cached tool list", () => {
  test("2026-07-28 server with ttlMs: the second call lists nothing; mcp tools lists again", async () => {
    const fixture = await serve(["--era", "modern", "--ttl-ms", "300000"]);
    writeConfig(each.home.configPath, { servers: { web: { url: fixture.url } } });
    expect(expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=one"])).stdout).toBe("one\n");
    expect(await count(fixture, "tools/list")).toBe(1);
    expect(expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=two"])).stdout).toBe("two\n");
    expect(await count(fixture, "tools/list")).toBe(1);
    expectOk(await tether(["mcp", "tools", "web"]));
    expect(await count(fixture, "tools/list")).toBe(2);
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=three"]));
    expect(await count(fixture, "tools/list")).toBe(2);
    expect(await count(fixture, "tools/call")).toBe(3);
  });

  test("ttlMs 0 (the SDK's default) is never served: every call lists", async () => {
    const fixture = await serve(["--era", "modern", "--ttl-ms", "0"]);
    writeConfig(each.home.configPath, { servers: { web: { url: fixture.url } } });
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=a"]));
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=b"]));
    expect(await count(fixture, "tools/list")).toBe(2);
  });

  test("a list is fresh for its ttlMs, then listed again", async () => {
    const fixture = await serve(["--era", "modern", "--ttl-ms", "60000"]);
    writeConfig(each.home.configPath, { servers: { web: { url: fixture.url } } });
    let clock = Date.parse("2026-12-01T10:00:00Z");
    const now = () => clock;
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=a"], now));
    clock += 59_000;
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=b"], now));
    expect(await count(fixture, "tools/list")).toBe(1);
    clock += 2_000;
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=c"], now));
    expect(await count(fixture, "tools/list")).toBe(2);
  });

  test("2025 server (no ttlMs): fresh for five minutes", async () => {
    const fixture = await serve(["--era", "legacy"]);
    writeConfig(each.home.configPath, { servers: { old: { url: fixture.url } } });
    let clock = Date.parse("2026-12-01T10:00:00Z");
    const now = () => clock;
    expectOk(await tether(["mcp", "call", "old", "echo", "--arg", "text=a"], now));
    clock += 4 * 60_000;
    expectOk(await tether(["mcp", "call", "old", "echo", "--arg", "text=b"], now));
    expect(await count(fixture, "tools/list")).toBe(1);
    clock += 2 * 60_000;
    expectOk(await tether(["mcp", "call", "old", "echo", "--arg", "text=c"], now));
    expect(await count(fixture, "tools/list")).toBe(2);
  });

  test("cacheScope private: another bearer token does not read the list; public would", async () => {
    for (const scope of ["private", "public"] as const) {
      const fixture = await serve(["--era", "modern", "--ttl-ms", "300000", "--cache-scope", scope]);
      writeConfig(each.home.configPath, { servers: { web: { url: fixture.url, bearer_token_env_var: "WEB_TOKEN" } } });
      const as = (token: string) => runTether(["mcp", "call", "web", "echo", "--arg", "text=x"], { home: each.home.home, env: { WEB_TOKEN: token } });
      expectOk(await as("token-of-alice"));
      expectOk(await as("token-of-alice"));
      expect(await count(fixture, "tools/list")).toBe(1);
      expectOk(await as("token-of-bob"));
      expect(await count(fixture, "tools/list")).toBe(scope === "private" ? 2 : 1);
    }
  });

  test("another URL for the same name starts from its own cache", async () => {
    const one = await serve(["--era", "modern", "--ttl-ms", "300000"]);
    const two = await serve(["--era", "modern", "--ttl-ms", "300000"]);
    writeConfig(each.home.configPath, { servers: { web: { url: one.url } } });
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=a"]));
    writeConfig(each.home.configPath, { servers: { web: { url: two.url } } });
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=b"]));
    expect(await count(two, "tools/list")).toBe(1);
  });

  test("stale list: a tool the cache does not know is listed for, then called", async () => {
    const before = await serve(["--era", "modern", "--ttl-ms", "300000"]);
    writeConfig(each.home.configPath, { servers: { web: { url: before.url } } });
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=a"]));
    // The same server, restarted with one more tool: the cached list does not have it.
    await before.stop();
    const after = await serve(["--era", "modern", "--ttl-ms", "300000", "--port", String(before.port), "--extra-tool", "fresh_tool"]);
    expect(expectOk(await tether(["mcp", "call", "web", "fresh_tool"])).stdout).toBe("called fresh_tool\n");
    expect(await count(after, "tools/list")).toBe(1);
    expect(await count(after, "tools/call")).toBe(1);
  });

  test("stale list: a cached tool the server no longer has is refused, listed again, and named", async () => {
    const before = await serve(["--era", "legacy", "--extra-tool", "old_tool"]);
    writeConfig(each.home.configPath, { servers: { web: { url: before.url } } });
    expectOk(await tether(["mcp", "call", "web", "old_tool"]));
    await before.stop();
    const after = await serve(["--era", "legacy", "--port", String(before.port)]);
    const gone = await tether(["mcp", "call", "web", "old_tool"]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('error: server "web" has no tool "old_tool"');
    expect(await count(after, "tools/call")).toBe(1);
    expect(await count(after, "tools/list")).toBe(1);
  });

  test("-32602 on a call made from the cached list: listed again, called once more, no more; other errors are not retried", async () => {
    const refusing = await serve(["--era", "legacy", "--rpc-error=-32602"]);
    const failing = await serve(["--era", "legacy", "--rpc-error=-32000"]);
    writeConfig(each.home.configPath, { servers: { refusing: { url: refusing.url }, failing: { url: failing.url } } });
    // First call: the list is fresh from the server, so the refusal is final.
    expect((await tether(["mcp", "call", "refusing", "echo", "--arg", "text=a"])).code).toBe(1);
    expect([await count(refusing, "tools/list"), await count(refusing, "tools/call")]).toEqual([1, 1]);
    // From the cache: the refusal may mean a stale schema; one more list, one more call.
    const again = await tether(["mcp", "call", "refusing", "echo", "--arg", "text=a"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error: tool "echo" on server "refusing" failed: fixture: upstream unavailable');
    expect([await count(refusing, "tools/list"), await count(refusing, "tools/call")]).toEqual([2, 3]);
    expect((await tether(["mcp", "call", "failing", "echo", "--arg", "text=a"])).code).toBe(1);
    expect((await tether(["mcp", "call", "failing", "echo", "--arg", "text=a"])).code).toBe(1);
    expect([await count(failing, "tools/list"), await count(failing, "tools/call")]).toEqual([1, 2]);
  });

  test("a list_changed during a call drops the cached list", async () => {
    const fixture = await serve(["--sse-legacy", "--exec-tools"]);
    writeConfig(each.home.configPath, { servers: { web: { url: fixture.url } } });
    expectOk(await tether(["mcp", "call", "web", "peek"]));
    expectOk(await tether(["mcp", "call", "web", "peek"]));
    expect(await count(fixture, "tools/list")).toBe(1);
    // add_tool makes the server say its tools changed: the next call lists them again.
    expectOk(await tether(["mcp", "call", "web", "add_tool"]));
    expectOk(await tether(["mcp", "call", "web", "peek"]));
    expect(await count(fixture, "tools/list")).toBe(2);
  });
});

describe("mcp grep", () => {
  // Shared by the searches (they only read): a stdio pair per command was most of the file's starts.
  let fx: FixtureHandle;
  let plain: FixtureHandle;
  beforeAll(async () => {
    [fx, plain] = await Promise.all([startHttpFixture(["--features"]), startHttpFixture(["--era", "modern"])]);
  });
  afterAll(() => Promise.all([fx?.stop(), plain?.stop()]));
  const servers = () => ({ fx: { url: fx.url }, plain: { url: plain.url } });

  test("text: ranked rows (name, then title, then description), one line each", async () => {
    writeConfig(each.home.configPath, { servers: servers() });
    const out = expectOk(await tether(["mcp", "grep", "echo"]));
    expect(out.stdout).toBe(
      [
        "fx\ttool\techo\tEcho the given text back.",
        "plain\ttool\techo\tEcho the given text back.",
        "fx\ttool\task\tAsk the user to fill in a form (elicitation), then echo the answer.",
        "",
      ].join("\n"),
    );
    expect(out.stderr).toBe("");
  });

  test("prompts and resources; /regex/; no match is a note, not a failure", async () => {
    writeConfig(each.home.configPath, { servers: servers() });
    expect(expectOk(await tether(["mcp", "grep", "readme"])).stdout).toBe(
      "fx\tresource\treadme\tThe fixture's readme.\nfx\tprompt\twith_resource\tA prompt that embeds the readme.\n",
    );
    expect(expectOk(await tether(["mcp", "grep", "/^gre+t$/"])).stdout).toBe("fx\tprompt\tgreet\tSay hello.\n");
    const none = expectOk(await tether(["mcp", "grep", "no-such-thing"]));
    expect(none.stdout).toBe("");
    expect(none.stderr).toBe("No matches in 2 servers.\n");
    const bad = await tether(["mcp", "grep", "/(/"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toStartWith("error: mcp grep: /(/ is not a valid regular expression");
  });

  test("--json: the stable shape; --servers limits the search", async () => {
    writeConfig(each.home.configPath, { servers: servers() });
    const json = JSON.parse(expectOk(await tether(["mcp", "grep", "echo", "--servers", "plain", "--json"])).stdout);
    expect(json).toEqual({
      matches: [{ server: "plain", kind: "tool", name: "echo", title: null, description: "Echo the given text back.", uri: null, matched: "name" }],
      failed: [],
    });
    const unknown = await tether(["mcp", "grep", "echo", "--servers", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: no server named "nope"');
  });

  test("a server that fails is a warning line; exit 1 only when all failed", async () => {
    writeConfig(each.home.configPath, { servers: { fx: { url: fx.url }, broken: { command: "/nonexistent/tether-test-server" } } });
    const some = await tether(["mcp", "grep", "echo", "--json"]);
    expect(some.code).toBe(0);
    expect(JSON.parse(some.stdout).failed).toEqual([{ server: "broken", error: 'server "broken": command "/nonexistent/tether-test-server" not found' }]);
    expect(some.stderr).toBe(
      'warning: server "broken": command "/nonexistent/tether-test-server" not found (not searched; check \'command\' in config.toml and that the program is installed and on PATH)\n',
    );
    const all = await tether(["mcp", "grep", "echo", "--servers", "broken"]);
    expect(all.code).toBe(1);
    expect(all.stderr).toContain("error: no server could be searched (1 failed)");
    writeConfig(each.home.configPath, { servers: {} });
    const nothing = expectOk(await tether(["mcp", "grep", "echo"]));
    expect(nothing.stderr).toBe("No enabled servers to search.\n");
  });

  test("fresh cached lists are searched without asking the server", async () => {
    const fixture = await serve(["--era", "modern", "--ttl-ms", "300000", "--features"]);
    writeConfig(each.home.configPath, { servers: { web: { url: fixture.url } } });
    const first = expectOk(await tether(["mcp", "grep", "readme"])).stdout;
    const asked = (await fixture.stats()).mcpRequests;
    expect(expectOk(await tether(["mcp", "grep", "readme"])).stdout).toBe(first);
    expect((await fixture.stats()).mcpRequests).toBe(asked);
    expect(first).toBe("web\tresource\treadme\tThe fixture's readme.\nweb\tprompt\twith_resource\tA prompt that embeds the readme.\n");
  });

  test("descriptions are made terminal-safe", async () => {
    writeConfig(each.home.configPath, { servers: { evil: stdioFixture(["--hostile-text"]) } });
    const out = expectOk(await runTether(["mcp", "grep", "/./"], { home: each.home.home, tty: { stdout: true } })).stdout;
    expect(out).not.toContain("\u001b");
  });
});
