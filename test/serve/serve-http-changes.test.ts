// Over HTTP, an upstream's list change reaches 2026-07-28 clients on their subscriptions/listen
// stream, and 2025 clients that initialized on their session's GET stream.
import { expect, test } from "bun:test";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, newClient, servePerTest } from "./harness.ts";

const serve = servePerTest();

test("tools/list_changed from a stdio upstream → the modern HTTP client's listen stream; the new tool is served", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--features", "--name", "docs", "--tools", "echo"]) } });
  const served = await serve.http();
  const client = await connectHttp(served.url, "modern");
  try {
    const changed = new Promise<void>((resolve) => client.setNotificationHandler("notifications/tools/list_changed", () => resolve()));
    await client.listen({ toolsListChanged: true });
    await client.callTool({ name: "docs__grow", arguments: {} });
    await changed;
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).filter((name) => /__(echo|grow)/.test(name)).sort()).toEqual(["docs__echo", "docs__grow", "docs__grown_1"]);
  } finally {
    await client.close();
  }
}, 60_000);

test("a 2025 client gets a session; tools/list_changed reaches it between requests; DELETE ends the session", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--features", "--name", "docs", "--tools", "echo"]) } });
  const served = await serve.http();
  const client = newClient("legacy");
  const transport = new StreamableHTTPClientTransport(new URL(served.url));
  await client.connect(transport);
  try {
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const changed = new Promise<void>((resolve) => client.setNotificationHandler("notifications/tools/list_changed", () => resolve()));
    await client.callTool({ name: "docs__grow", arguments: {} });
    await changed;
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("docs__grown_1");
    const session = transport.sessionId!;
    await transport.terminateSession();
    // The session is gone: its id is no longer known, so the request is served statelessly or refused, never by it.
    const after = await fetch(served.url, {
      method: "GET",
      headers: { Accept: "text/event-stream", "Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25" },
    });
    expect(after.status).not.toBe(200);
  } finally {
    await client.close();
  }
}, 60_000);

test("a client that disconnects mid-call cancels the upstream call; serve keeps serving", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--tools", "slow,echo"]) } });
  const served = await serve.http();
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
