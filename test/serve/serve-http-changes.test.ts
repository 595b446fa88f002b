// Over HTTP, an upstream's list change reaches 2026-07-28 clients on their subscriptions/listen stream.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { makeHome } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, type HttpServe, startHttpServe } from "./harness.ts";

let home: ReturnType<typeof makeHome>;
let served: HttpServe | undefined;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await served?.stop();
  home.cleanup();
});

test("tools/list_changed from a stdio upstream → the modern HTTP client's listen stream; the new tool is served", async () => {
  writeConfig(home.configPath, { servers: { docs: stdioFixture(["--catalog", "--name", "docs", "--tools", "echo"]) } });
  served = await startHttpServe(home.home);
  const client = await connectHttp(served.url, "modern");
  try {
    const changed = new Promise<void>((resolve) => client.setNotificationHandler("notifications/tools/list_changed", () => resolve()));
    await client.listen({ toolsListChanged: true });
    await client.callTool({ name: "docs__grow", arguments: {} });
    await changed;
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["docs__echo", "docs__grow", "docs__grown_1"]);
  } finally {
    await client.close();
  }
}, 60_000);

test("a client that disconnects mid-call cancels the upstream call; serve keeps serving", async () => {
  writeConfig(home.configPath, { servers: { docs: stdioFixture(["--tools", "slow,echo"]) } });
  served = await startHttpServe(home.home);
  const client = await connectHttp(served.url, "modern");
  try {
    const controller = new AbortController();
    const call = client.callTool({ name: "docs__slow", arguments: { ms: 30_000 } }, { signal: controller.signal });
    setTimeout(() => controller.abort("stop"), 200);
    await expect(call).rejects.toThrow();
    expect((await client.callTool({ name: "docs__echo", arguments: { text: "ok" } })).content).toEqual([{ type: "text", text: "ok" }]);
  } finally {
    await client.close();
  }
}, 60_000);
