// SEP-2322: a 2026-07-28 result without `resultType` is `complete`. The fixture's --no-result-type
// leaves it out (as the conformance suite's reference server does); the SDK alone would reject
// every such result ("missing required resultType"). Client commands and serve share one shim.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { connectStdioServe } from "../serve/harness.ts";

let home: ReturnType<typeof makeHome>;
const fixtures: FixtureHandle[] = [];
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
  home.cleanup();
});

test("tether mcp call takes an absent resultType as complete, over stdio and HTTP, and says so with TETHER_DEBUG=1", async () => {
  const http = await startHttpFixture(["--era", "modern", "--no-result-type"]);
  fixtures.push(http);
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--era", "modern", "--no-result-type"]), web: { url: http.url } } });
  for (const server of ["fx", "web"]) {
    const call = expectOk(await runTether(["mcp", "call", server, "echo", "--arg", "text=no resultType"], { home: home.home, env: { TETHER_DEBUG: "1" } }));
    expect(call.stdout).toBe("no resultType\n");
    expect(call.stderr).toContain(`server "${server}" answered tools/call without resultType; taken as "complete" (SEP-2322)`);
  }
  const read = expectOk(await runTether(["mcp", "tools", "fx", "--json"], { home: home.home }));
  expect(JSON.parse(read.stdout).tools.map((t: { name: string }) => t.name)).toContain("echo");
});

test("serve in front of a server that omits resultType passes its results on unchanged", async () => {
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--era", "modern", "--no-result-type"]) } });
  for (const era of ["legacy", "modern"] as const) {
    const served = await connectStdioServe(home.home, ["--no-prefix"], era);
    try {
      const result = await served.client.callTool({ name: "image", arguments: {} });
      expect(result.isError).toBeFalsy();
      expect((result.content as { type: string }[]).map((c) => c.type).sort()).toEqual(["image", "text"]);
    } finally {
      await served.close();
    }
  }
});
