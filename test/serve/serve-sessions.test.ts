// `tether mcp serve --http` keeps at most MAX_LEGACY_SESSIONS 2025 sessions open: one more
// initialize is told to come back later, and a client that ends its session makes room; a session
// that ended is answered 404.
import { expect, test } from "bun:test";
import { MAX_LEGACY_SESSIONS } from "../../src/serve/http.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { connectHttp, newClient, servePerTest } from "./harness.ts";

const serve = servePerTest();

/** A 2025 client's first request, as the SDK's client sends it (raw: 257 SDK clients would only be slower). */
function initialize(url: string, n: number): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: `client-${n}`, version: "1.0.0" } },
    }),
  });
}

test(`the ${MAX_LEGACY_SESSIONS + 1}th open 2025 session is refused with 503 and Retry-After; ending one makes room`, async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--tools", "echo"]) } });
  const served = await serve.http();
  const sessions: string[] = [];
  for (let batch = 0; batch < MAX_LEGACY_SESSIONS; batch += 32) {
    const answers = await Promise.all(Array.from({ length: 32 }, (_, i) => initialize(served.url, batch + i)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      await answer.body?.cancel();
      sessions.push(answer.headers.get("mcp-session-id")!);
    }
  }
  expect(new Set(sessions).size).toBe(MAX_LEGACY_SESSIONS);

  const refused = await initialize(served.url, MAX_LEGACY_SESSIONS);
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("60");
  expect(await refused.text()).toBe("Too many MCP sessions open; try again later\n");

  const ended = await fetch(served.url, { method: "DELETE", headers: { "mcp-session-id": sessions[0]!, "mcp-protocol-version": "2025-11-25" } });
  expect(ended.status).toBe(200);
  const admitted = await initialize(served.url, MAX_LEGACY_SESSIONS + 1);
  expect(admitted.status).toBe(200);
  expect(admitted.headers.get("mcp-session-id")).toBeTruthy();
  await admitted.body?.cancel();
}, 60_000);

test("a DELETEd or unknown 2025 session answers 404, so its client initializes again", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--tools", "echo"]) } });
  const served = await serve.http();
  const transport = new StreamableHTTPClientTransport(new URL(served.url));
  const client = newClient("legacy");
  await client.connect(transport);
  const session = transport.sessionId!;
  expect((await client.callTool({ name: "docs__echo", arguments: { text: "hi" } })).isError).toBeFalsy();
  await transport.terminateSession();
  await client.close();
  for (const id of [session, "never-issued"]) {
    const answer = await fetch(served.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
    });
    expect(answer.status).toBe(404);
    await answer.body?.cancel();
  }
  const again = await connectHttp(served.url, "legacy");
  expect((await again.callTool({ name: "docs__echo", arguments: { text: "back" } })).content).toEqual([{ type: "text", text: "back" }]);
  await again.close();
});
