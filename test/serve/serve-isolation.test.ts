// `tether mcp serve --http` shared by several clients at once, in front of a 2025 server on stdio
// (whose questions name no call): a question reaches only the client whose call caused it (refused
// when serve cannot tell; each client on its own connection with --per-session), a requestState
// cannot be forged, reused by another client or kept past its time, and a client that leaves
// cancels its own calls upstream and no one else's.
import { afterEach, describe, expect, test } from "bun:test";
import { type CallToolResult, Client, type ClientCapabilities, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, type Era, newClient, servePerTest } from "./harness.ts";

const serve = servePerTest();
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
});

const CAPABILITIES: ClientCapabilities = { elicitation: { form: {} }, roots: {} };

/** A client that answers questions as `name` with the root file:///secret-of-NAME, and notes each one. */
async function connectAs(url: string, era: Era, name: string): Promise<{ client: Client; asked: string[] }> {
  const client = newClient(era, name, CAPABILITIES);
  const asked: string[] = [];
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(`elicit: ${request.params.message}`);
    return { action: "accept", content: { name, count: 1 } };
  });
  client.setRequestHandler("roots/list", async () => {
    asked.push("roots");
    return { roots: [{ uri: `file:///secret-of-${name}` }] };
  });
  clients.push(client);
  await connectHttp(url, era, {}, client);
  return { client, asked };
}

const textOf = (result: { content?: unknown }) => (result.content as { text?: string }[])[0]?.text;

function upstream(): void {
  writeConfig(serve.home.configPath, {
    servers: { old: stdioFixture(["--era", "legacy", "--features", "--cancellable", "--tools", "echo"]) },
  });
}

/** A `wait` call, and a promise that resolves once the upstream runs it (its first progress). */
function openCall(client: Client, tag: string, ms: number, signal?: AbortSignal): { running: Promise<void>; result: Promise<CallToolResult> } {
  let running!: () => void;
  const started = new Promise<void>((resolve) => (running = resolve));
  const result = client.callTool({ name: "old__wait", arguments: { tag, ms } }, { onprogress: () => running(), signal, timeout: 120_000 }) as Promise<CallToolResult>;
  result.catch(() => {});
  return { running: Promise.race([started, result.then(() => {})]), result };
}

describe("questions from a 2025 stdio upstream, two clients at once", () => {
  test("without --per-session: while A's call is open, B's question is refused (the upstream hears why), A never sees it; once alone, B is asked", async () => {
    upstream();
    const http = await serve.http();
    const a = await connectAs(http.url, "legacy", "A");
    const b = await connectAs(http.url, "legacy", "B");
    const stop = new AbortController();
    const held = openCall(a.client, "A", 60_000, stop.signal);
    await held.running;

    const asked = await b.client.callTool({ name: "old__ask", arguments: {} });
    expect(asked.isError).toBe(true);
    expect(textOf(asked)).toContain("cannot tell which of its clients this elicitation/create is for");
    const roots = await b.client.callTool({ name: "old__roots", arguments: {} });
    expect(roots.isError).toBe(true);
    expect(textOf(roots)).not.toContain("secret-of-A");
    expect(a.asked).toEqual([]);
    expect(b.asked).toEqual([]);
    // One warning, naming the server and the way out.
    expect(http.stderr().match(/server "old" sent .* --per-session old/g)).toHaveLength(1);

    stop.abort();
    await held.result.catch(() => {});
    expect(textOf(await b.client.callTool({ name: "old__ask", arguments: {} }))).toBe('accept {"name":"B","count":1}');
    expect(textOf(await b.client.callTool({ name: "old__roots", arguments: {} }))).toBe('roots: ["file:///secret-of-B"]');
    expect(a.asked).toEqual([]);
  }, 90_000);

  test("--per-session: each client has its own upstream connection; a question and its roots reach only the client whose call caused them", async () => {
    upstream();
    const http = await serve.http(["--per-session", "old"]);
    const a = await connectAs(http.url, "legacy", "A");
    // B speaks 2026-07-28: stateless, so its connection is its request's own.
    const b = await connectAs(http.url, "modern", "B");
    const held = openCall(a.client, "A", 60_000);
    await held.running;

    expect(textOf(await b.client.callTool({ name: "old__ask", arguments: {} }))).toBe('accept {"name":"B","count":1}');
    expect(textOf(await b.client.callTool({ name: "old__roots", arguments: {} }))).toBe('roots: ["file:///secret-of-B"]');
    expect(textOf(await a.client.callTool({ name: "old__roots", arguments: {} }))).toBe('roots: ["file:///secret-of-A"]');
    expect(a.asked).toEqual(["roots"]);
    expect(b.asked).toEqual(["elicit: Tell the fixture about yourself.", "roots"]);
    expect(http.stderr()).not.toContain("refused");
  }, 90_000);

  test("--max-upstream-sessions: a client past the cap gets a JSON-RPC error naming the server and the flag", async () => {
    upstream();
    const http = await serve.http(["--per-session", "old", "--max-upstream-sessions", "1"]);
    const a = await connectAs(http.url, "legacy", "A");
    const b = await connectAs(http.url, "legacy", "B");
    expect(textOf(await a.client.callTool({ name: "old__echo", arguments: { text: "A's own" } }))).toBe("A's own");
    const refused = b.client.callTool({ name: "old__echo", arguments: { text: "B's" } });
    await expect(refused).rejects.toThrow(/server "old" already has 1 per-session connections open.*--max-upstream-sessions/);
    // A's session ends (DELETE): its connection closes, and B gets one.
    await (a.client.transport as StreamableHTTPClientTransport).terminateSession();
    expect(textOf(await b.client.callTool({ name: "old__echo", arguments: { text: "B's" } }))).toBe("B's");
  }, 90_000);
});
