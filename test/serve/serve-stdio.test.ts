// `tether mcp serve` on stdio: a client configured with only tether reaches every upstream.
import { describe, expect, test } from "bun:test";
import { LOG_LEVEL_META_KEY } from "@modelcontextprotocol/client";
import { runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { wireProgress } from "../support/progress.ts";
import { type Era, servePerTest } from "./harness.ts";

const serve = servePerTest();

const names = (items: { name: string }[]) => items.map((i) => i.name).sort();

for (const era of ["legacy", "modern"] as Era[]) {
  describe(`stdio, ${era} client`, () => {
    test("tools of every upstream, prefixed; calls routed back; a failing upstream reported and left out", async () => {
      writeConfig(serve.home.configPath, {
        servers: {
          docs: stdioFixture(["--tools", "echo,add,progress"]),
          code: stdioFixture(["--era", "dual", "--tools", "echo"], { disabled_tools: ["add"] }),
          broken: stdioFixture(["--exit-on-start", "3"]),
        },
      });
      const served = await serve.stdio([], era);
      const logged: unknown[] = [];
      served.client.setNotificationHandler("notifications/message", (n) => void logged.push(n.params.data));
      // 2025: a session level; 2026-07-28: the level travels with each request (logging/setLevel is gone).
      if (era === "legacy") await served.client.setLoggingLevel("info");
      const { tools } = await served.client.listTools(era === "modern" ? { _meta: { [LOG_LEVEL_META_KEY]: "info" } } : undefined);
      expect(names(tools)).toEqual(["code__echo", "docs__add", "docs__echo", "docs__progress"]);
      const sum = await served.client.callTool({ name: "docs__add", arguments: { a: 2, b: 3 } });
      expect(sum.content).toEqual([{ type: "text", text: "5" }]);
      const echo = await served.client.callTool({ name: "code__echo", arguments: { text: "hi" } });
      expect(echo.content).toEqual([{ type: "text", text: "hi" }]);
      expect(served.stderr()).toContain('server "broken" is left out');
      // The client hears it too, once, as a warning log line with its first list request.
      expect(logged.filter((d) => String(d).startsWith('server "broken" is left out'))).toHaveLength(1);
      // Progress passes through, each update before the result (read off the wire: see progress.ts).
      const updates = wireProgress(served.client);
      const done = await served.client.callTool({ name: "docs__progress", arguments: { steps: 2, ms: 20 } }, { onprogress: () => {} });
      expect(done.content).toEqual([{ type: "text", text: "done 2" }]);
      expect(updates).toEqual([1, 2]);
    }, 60_000);
  });
}

test("--servers limits the set; enabled_tools applies; an unknown tool is a protocol error", async () => {
  writeConfig(serve.home.configPath, {
    servers: {
      docs: stdioFixture([], { enabled_tools: ["echo"] }),
      other: stdioFixture(),
    },
  });
  const served = await serve.stdio(["--servers", "docs"]);
  expect(names((await served.client.listTools()).tools)).toEqual(["docs__echo"]);
  await expect(served.client.callTool({ name: "other__echo", arguments: { text: "x" } })).rejects.toThrow(/unknown tool/);
}, 60_000);

test("--no-prefix with one upstream: a tool it did not list still reaches it, unless the config turns it off", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--tools", "echo"], { disabled_tools: ["add"] }) } });
  const served = await serve.stdio(["--no-prefix"]);
  expect(names((await served.client.listTools()).tools)).toEqual(["echo"]);
  // An unknown name: the fixture answers it as it would directly.
  const unlisted = await served.client.callTool({ name: "nonesuch", arguments: {} });
  expect(unlisted.isError).toBe(true);
  expect(JSON.stringify(unlisted.content)).toContain("nonesuch");
  await expect(served.client.callTool({ name: "add", arguments: { a: 1, b: 2 } })).rejects.toThrow(/turned off by enabled_tools \/ disabled_tools of server "docs"/);
}, 60_000);

test("cancelling a call cancels it upstream", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture() } });
  const served = await serve.stdio();
  const controller = new AbortController();
  const call = served.client.callTool({ name: "docs__slow", arguments: { ms: 30_000 } }, { signal: controller.signal });
  setTimeout(() => controller.abort("stop"), 200);
  await expect(call).rejects.toThrow();
  // The gateway still serves after the cancel.
  expect((await served.client.callTool({ name: "docs__echo", arguments: { text: "still here" } })).content).toEqual([{ type: "text", text: "still here" }]);
}, 60_000);

test("a required server that fails makes start fail (exit 1, one line)", async () => {
  writeConfig(serve.home.configPath, { servers: { must: stdioFixture(["--exit-on-start", "3"], { required: true }) } });
  const result = await runTether(["mcp", "serve"], { home: serve.home.home, process: true, stdin: "" });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^error: required server "must" failed to start/m);
});

test("usage errors: --no-token off loopback, a bad --http, an unknown server", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture() } });
  const open = await runTether(["mcp", "serve", "--http", "0.0.0.0:0", "--no-token"], { home: serve.home.home });
  expect(open.code).toBe(2);
  expect(open.stderr).toContain("--no-token is for loopback binds only");
  const bad = await runTether(["mcp", "serve", "--http", "nope"], { home: serve.home.home });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--http wants HOST:PORT");
  const unknown = await runTether(["mcp", "serve", "--servers", "nope"], { home: serve.home.home });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('no server named "nope"');
});

/** The tools that come with the fixture's catalog (--features) besides `grow`, on a 2025 server. */
const CATALOG_ASKERS = ["ask", "ask_url", "chatty", "roots", "roots_changed", "sample"].map((tool) => `docs__${tool}`);

for (const era of ["legacy", "modern"] as Era[]) {
  test(`an upstream's tools/list_changed reaches a ${era} client, and the new tool is served`, async () => {
    writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--features", "--name", "docs", "--tools", "echo"]) } });
    const served = await serve.stdio([], era);
    const changed = new Promise<void>((resolve) => served!.client.setNotificationHandler("notifications/tools/list_changed", () => resolve()));
    if (era === "modern") await served.client.listen({ toolsListChanged: true });
    expect(names((await served.client.listTools()).tools)).toEqual(["docs__echo", "docs__grow"].concat(CATALOG_ASKERS).sort());
    await served.client.callTool({ name: "docs__grow", arguments: {} });
    await changed;
    expect(names((await served.client.listTools()).tools)).toEqual(["docs__echo", "docs__grow", "docs__grown_1"].concat(CATALOG_ASKERS).sort());
    expect((await served.client.callTool({ name: "docs__grown_1", arguments: {} })).content).toEqual([{ type: "text", text: "grown 1" }]);
  }, 60_000);
}
