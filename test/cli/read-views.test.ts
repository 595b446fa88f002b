// Every read command in the two forms a user meets: on a terminal (aligned table with a header,
// detail views) and piped (tab-separated rows, no header), in process through the test twin.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";

let home: ReturnType<typeof makeHome>;
let web: FixtureHandle;
beforeAll(async () => {
  web = await startHttpFixture(["--tools", "echo,add"]);
});
afterAll(() => web.stop());
beforeEach(() => {
  home = makeHome();
  writeConfig(home.configPath, { servers: { local: stdioFixture(["--tools", "echo,add"]), web: { url: web.url, bearer_token_env_var: "WEB_TOKEN" } } });
});
afterEach(() => home.cleanup());

const run = (args: string[], tty: boolean) => runTether(args, { home: home.home, tty: { stdout: tty, stderr: tty }, env: { WEB_TOKEN: "t0ken-value-1" } });

describe("mcp list", () => {
  test("terminal: a header and aligned columns; piped: tab-separated rows only", async () => {
    const command = `${stdioFixture().command} ${(stdioFixture(["--tools", "echo,add"]).args as string[]).join(" ")}`;
    expect(expectOk(await run(["mcp", "list"], true)).stdout.split("\n")[0]).toMatch(/^NAME\s+TRANSPORT\s+COMMAND\/URL\s+ENABLED\s+AUTH$/);
    const tty = expectOk(await run(["mcp", "list"], true)).stdout.split("\n");
    expect(tty[1]).toMatch(/^local\s{2,}stdio\s{2,}/);
    expect(tty[2]).toMatch(/^web\s{2,}http\s{2,}http:\/\/127\.0\.0\.1:\d+\/mcp\s{2,}yes\s{2,}bearer \(WEB_TOKEN\)$/);
    expect(tty[1]!.indexOf("stdio")).toBe(tty[2]!.indexOf("http "));
    const piped = expectOk(await run(["mcp", "list"], false)).stdout;
    expect(piped).toBe(`local\tstdio\t${command}\tyes\tnone\nweb\thttp\t${web.url}\tyes\tbearer (WEB_TOKEN)\n`);
  });

  test("--status: the same two forms, with status, tools and latency", async () => {
    const tty = expectOk(await run(["mcp", "list", "--status"], true)).stdout.split("\n");
    expect(tty[0]).toMatch(/^NAME\s+TRANSPORT\s+COMMAND\/URL\s+ENABLED\s+AUTH\s+STATUS\s+TOOLS\s+LATENCY$/);
    expect(tty[1]).toMatch(/\bok\s{2,}2\s{2,}\d+ms$/);
    const piped = expectOk(await run(["mcp", "list", "--status"], false)).stdout.split("\n");
    expect(piped[1]).toMatch(/^web\thttp\t\S+\tyes\tbearer \(WEB_TOKEN\)\tok\t2\t\d+ms$/);
  });
});

describe("mcp tools", () => {
  test("terminal: header and columns; piped: name, description, required parameters separated by tabs", async () => {
    const tty = expectOk(await run(["mcp", "tools", "web"], true)).stdout.split("\n");
    expect(tty[0]).toMatch(/^TOOL\s+DESCRIPTION\s+REQUIRED$/);
    expect(tty[1]).toMatch(/^echo\s{2,}Echo the given text back\.\s{2,}text: string$/);
    expect(expectOk(await run(["mcp", "tools", "web"], false)).stdout).toBe(
      "echo\tEcho the given text back.\ttext: string\nadd\tAdd two numbers.\ta: number, b: number\n",
    );
  });
});

describe("mcp get and doctor", () => {
  test("the same detail view on a terminal and piped; secrets never shown", async () => {
    for (const tty of [true, false]) {
      const get = expectOk(await run(["mcp", "get", "web"], tty)).stdout;
      expect(get).toContain("web\n");
      expect(get).toMatch(/bearer_token_env_var:\s+WEB_TOKEN\n/);
      expect(get).not.toContain("t0ken-value-1");
      const doctor = expectOk(await run(["mcp", "doctor", "web"], tty)).stdout;
      expect(doctor).toMatch(/^web {2}ok\n {2}transport: http\n/);
      expect(doctor).toContain("  tools:     2\n");
    }
  });
});
