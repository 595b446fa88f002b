// `tether __complete`, the helper the completion scripts call for tool, prompt and resource names:
// what it offers after a listing command filled the cache, what it keeps from a shell, and that a
// missing or dead server completes nothing instead of an error. In process.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { startHttpFixture } from "../support/fixture.ts";

const each = homePerTest();
const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 1);

const tether = (args: string[], now = T0) => runTether(args, { home: each.home.home, now: () => now });
const complete = async (kind: string, server: string, now = T0) => {
  const result = expectOk(await tether(["__complete", kind, server], now));
  expect(result.stderr).toBe("");
  return result.stdout;
};

describe("names a listing command left in the cache", () => {
  test("tools, prompts and resource URIs, one a line", async () => {
    writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--features", "--tools", "echo,add"]) } });
    expectOk(await tether(["mcp", "tools", "fx"]));
    expectOk(await tether(["mcp", "prompts", "fx"]));
    expectOk(await tether(["mcp", "resources", "fx"]));
    expect(await complete("tools", "fx")).toMatch(/^echo\nadd\n/);
    expect(await complete("prompts", "fx")).toBe("greet\nreview\nwith_resource\n");
    expect(await complete("resources", "fx")).toBe("fixture://docs/readme\nfixture://logo.png\n");
  });

  test("rendering one prompt (mcp prompt) leaves the server's prompt names too", async () => {
    writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--features", "--tools", "echo"]) } });
    expectOk(await tether(["mcp", "prompt", "fx", "greet"]));
    expect(await complete("prompts", "fx")).toBe("greet\nreview\nwith_resource\n");
  });

  test("a name a shell could interpret, or with control characters, is never offered", async () => {
    const hostile = ["$(touch pwned)", "a b", "`id`", "-rf", "x;y", "~root", "{a,b}"];
    writeConfig(each.home.configPath, {
      servers: { fx: stdioFixture(["--tools", "echo", "--hostile-text", ...hostile.map((name) => `--extra-tool=${name}`), "--extra-tool=safe_one"]) },
    });
    expectOk(await tether(["mcp", "tools", "fx"]));
    expect(await complete("tools", "fx")).toBe("echo\nsafe_one\n");
    // Nor kept on disk, where a later script could pick them up.
    const dir = join(each.home.tetherHome, "cache", "names");
    const [file] = readdirSync(dir);
    expect(JSON.parse(readFileSync(join(dir, file!), "utf8")).tools.names).toEqual(["echo", "safe_one"]);
  });

  test("served from the cache without the server: fresh, and stale (older than 5 minutes) too; not after a day", async () => {
    const web = await startHttpFixture(["--tools", "echo,add"]);
    writeConfig(each.home.configPath, { servers: { web: { url: web.url } } });
    expectOk(await tether(["mcp", "tools", "web"]));
    await web.stop();
    expect(await complete("tools", "web", T0 + 60_000)).toBe("echo\nadd\n");
    expect(await complete("tools", "web", T0 + HOUR)).toBe("echo\nadd\n");
    expect(await complete("tools", "web", T0 + 25 * HOUR)).toBe("");
  });

  test("an edited server entry starts without names (the cache is keyed by the whole entry)", async () => {
    writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--tools", "echo"]) } });
    expectOk(await tether(["mcp", "tools", "fx"]));
    expect(await complete("tools", "fx")).toBe("echo\n");
    writeConfig(each.home.configPath, { servers: { fx: { command: join(each.home.home, "no-such-server") } } });
    expect(await complete("tools", "fx")).toBe("");
  });

  test("list --status fills it too (the connection path exec shares)", async () => {
    writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--tools", "add"]) } });
    expectOk(await tether(["mcp", "list", "--status"]));
    expect(await complete("tools", "fx")).toBe("add\n");
  });
});

describe("nothing cached", () => {
  test("a server that answers at once is asked, and what it lists is kept", async () => {
    const web = await startHttpFixture(["--tools", "echo,add"]);
    each.fixtures.push(web);
    writeConfig(each.home.configPath, { servers: { web: { url: web.url } } });
    // The budget is 300 ms; a local HTTP server answers well within it.
    expect(await complete("tools", "web")).toBe("echo\nadd\n");
    await web.stop();
    expect(await complete("tools", "web")).toBe("echo\nadd\n");
  });

  test("a server that does not answer within the budget completes nothing", async () => {
    const web = await startHttpFixture(["--tools", "echo", "--hang"]);
    each.fixtures.push(web);
    writeConfig(each.home.configPath, { servers: { web: { url: web.url } } });
    expect(await complete("tools", "web")).toBe("");
  });

  test("unknown server, disabled server, unknown kind, no config: no output, no error, exit 0", async () => {
    writeConfig(each.home.configPath, { servers: { off: { command: "x", enabled: false } } });
    expect(await complete("tools", "nope")).toBe("");
    expect(await complete("tools", "off")).toBe("");
    expect(await complete("widgets", "off")).toBe("");
  });
});

test("hidden: not in help, not offered as a command by the completion scripts", async () => {
  const help = expectOk(await tether(["--help"])).stdout;
  expect(help).not.toContain("__complete");
  const bash = expectOk(await tether(["completion", "bash"])).stdout;
  expect(bash).toContain("_tether_subs='mcp exec completion'");
});
