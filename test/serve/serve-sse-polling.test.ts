// SSE polling and resumption in `tether mcp serve --http` (SEP-1699): a 2025 session's call that
// outlives `--sse-poll` has its stream closed with a retry hint; the client reconnects with
// Last-Event-ID and receives the result from the session's event store.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type HttpServe, newClient, startHttpServe } from "./harness.ts";

let home: ReturnType<typeof makeHome>;
let served: HttpServe;

beforeAll(async () => {
  home = makeHome();
  // test_reconnection takes 1.5 s upstream; the stream is closed after 1 s.
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--era", "legacy", "--conformance", "--name", "fx"]) } });
  served = await startHttpServe(home.home, ["--sse-poll", "1"]);
}, 60_000);

afterAll(async () => {
  await served?.stop();
  home.cleanup();
});

/** A 2025 client whose every HTTP request is recorded (method and Last-Event-ID). */
async function recordingClient(url: string) {
  const requests: { method: string; lastEventId: string | null }[] = [];
  const record: typeof fetch = Object.assign(
    (input: RequestInfo | URL, init?: RequestInit) => {
      requests.push({ method: init?.method ?? "GET", lastEventId: new Headers(init?.headers).get("last-event-id") });
      return fetch(input, init);
    },
    { preconnect: fetch.preconnect },
  );
  const client = newClient("legacy");
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: record }));
  return { client, requests };
}

test("a call longer than --sse-poll: the stream is closed, the client reconnects with Last-Event-ID and gets the result", async () => {
  const { client, requests } = await recordingClient(served.url);
  try {
    const result = await client.callTool({ name: "fx__test_reconnection", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "Reconnection test completed" }]);
    const resumed = requests.filter((r) => r.method === "GET" && r.lastEventId !== null);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    // A quick call is answered on its own stream, with no reconnection.
    const before = requests.length;
    expect((await client.callTool({ name: "fx__test_simple_text", arguments: {} })).content).toEqual([
      { type: "text", text: "This is a simple text response for testing." },
    ]);
    expect(requests.slice(before).filter((r) => r.lastEventId !== null)).toEqual([]);
  } finally {
    await client.close();
  }
}, 30_000);

test("a 2025-11-25 session's SSE stream starts with a priming event id and a retry hint", async () => {
  const { client } = await recordingClient(served.url);
  const transport = client.transport as StreamableHTTPClientTransport;
  try {
    const response = await fetch(served.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": transport.sessionId!,
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "fx__test_simple_text", arguments: {} } }),
    });
    const body = await response.text();
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(body).toMatch(/^id: \S+\nretry: 1000\ndata: \n\n/);
    expect(body).toContain("This is a simple text response for testing.");
  } finally {
    await client.close();
  }
}, 30_000);

test("usage errors: --sse-poll wants whole seconds, and HTTP", async () => {
  const bad = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", "--sse-poll", "soon"], { home: home.home });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--sse-poll wants a whole number of seconds (0: never close a stream), got "soon"');
  const stdio = await runTether(["mcp", "serve", "--sse-poll", "5"], { home: home.home, stdin: "" });
  expect(stdio.code).toBe(2);
  expect(stdio.stderr).toContain("--sse-poll needs --http");
});
