// `tether mcp serve --http` shared by several clients at once, in front of a 2025 server on stdio
// (whose questions name no call): a question reaches only the client whose call caused it (refused
// when serve cannot tell; each client on its own connection with --per-session), a requestState
// cannot be forged, reused by another client or kept past its time, and a client that leaves
// cancels its own calls upstream and no one else's.
import { afterEach, describe, expect, test } from "bun:test";
import { type CallToolResult, Client, type ClientCapabilities, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, type Era, newClient, servePerTest } from "./harness.ts";

const serve = servePerTest();
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
});

const CAPABILITIES: ClientCapabilities = { elicitation: { form: {} }, roots: { listChanged: true } };

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

/** The tags of the `wait` calls the upstream saw cancelled, once `tag` is among them (bounded). */
async function cancelledOnceIncludes(client: Client, tag: string): Promise<string[]> {
  for (let i = 0; ; i++) {
    const tags = JSON.parse(textOf(await client.callTool({ name: "old__cancelled", arguments: {} }))!) as string[];
    if (tags.includes(tag) || i === 50) return tags;
    await Bun.sleep(100);
  }
}

test("usage errors: --per-session names a server not served; --max-upstream-sessions and --question-timeout want a whole number above 0", async () => {
  upstream();
  const home = serve.home.home;
  const unknown = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", "--per-session", "old,nope"], { home });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("--per-session nope: no such server is served");
  for (const flag of ["--max-upstream-sessions", "--question-timeout"]) {
    const zero = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", flag, "0"], { home });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain(`${flag} wants a whole number above 0, got "0"`);
  }
});

describe("questions from a 2025 stdio upstream, two clients at once", () => {
  for (const era of ["legacy", "modern"] as Era[]) {
    test(`without --per-session, ${era} clients: while A's call is open, B's question is refused (the upstream hears why), A never sees it; once alone, B is asked`, async () => {
      upstream();
      const http = await serve.http();
      const a = await connectAs(http.url, era, "A");
      const b = await connectAs(http.url, era, "B");
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
      // Once the upstream saw A's call cancelled, B's is the only one open.
      expect(await cancelledOnceIncludes(b.client, "A")).toEqual(["A"]);
      expect(textOf(await b.client.callTool({ name: "old__ask", arguments: {} }))).toBe('accept {"name":"B","count":1}');
      expect(textOf(await b.client.callTool({ name: "old__roots", arguments: {} }))).toBe('roots: ["file:///secret-of-B"]');
      expect(a.asked).toEqual([]);
    }, 90_000);
  }

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
    // A's roots changed: its own connection hears it (a 2025 session's connection lives on).
    await a.client.sendRootsListChanged();
    let told = "0";
    for (let i = 0; i < 50 && told === "0"; i++, await Bun.sleep(100)) {
      told = textOf(await a.client.callTool({ name: "old__roots_changed", arguments: {} }))!;
    }
    expect(told).toBe("1");
    expect(http.stderr()).not.toContain("refused");
  }, 90_000);

  test("--max-upstream-sessions: an idle connection makes room; when every one is busy, a JSON-RPC error naming the server and the flag", async () => {
    upstream();
    const http = await serve.http(["--per-session", "old", "--max-upstream-sessions", "1"]);
    const a = await connectAs(http.url, "legacy", "A");
    const b = await connectAs(http.url, "legacy", "B");
    expect(textOf(await a.client.callTool({ name: "old__echo", arguments: { text: "A's" } }))).toBe("A's");
    // A's connection is idle: it is closed for B's.
    expect(textOf(await b.client.callTool({ name: "old__echo", arguments: { text: "B's" } }))).toBe("B's");
    const held = openCall(b.client, "B", 60_000);
    await held.running;
    await expect(a.client.callTool({ name: "old__echo", arguments: { text: "A's again" } })).rejects.toThrow(
      /server "old" already has 1 per-session connections open and busy.*--max-upstream-sessions/,
    );
    // B's session ends (DELETE): its call is cancelled, its connection closed, and A gets one.
    await (b.client.transport as StreamableHTTPClientTransport).terminateSession();
    expect(textOf(await a.client.callTool({ name: "old__echo", arguments: { text: "A's again" } }))).toBe("A's again");
  }, 90_000);
});

/** A retry's params: the request repeated with answers and a requestState (the SDK's types leave these to its driver). */
function retryParams(params: { name: string; arguments: Record<string, unknown> }, inputResponses: Record<string, unknown>, requestState: string) {
  return { ...params, inputResponses, requestState } as Parameters<Client["callTool"]>[0];
}

describe("requestState handed to a 2026-07-28 client", () => {
  /** A 2026-07-28 client that handles input_required itself, and the first round of old__ask. */
  async function firstRound(url: string) {
    const client = new Client({ name: "manual", version: "0.0.0" }, { versionNegotiation: { mode: "auto" }, capabilities: CAPABILITIES, inputRequired: { autoFulfill: false } });
    clients.push(client);
    await connectHttp(url, "modern", {}, client);
    const first = (await client.callTool({ name: "old__ask", arguments: {} }, { allowInputRequired: true })) as unknown as {
      resultType: string;
      requestState: string;
      inputRequests: Record<string, unknown>;
    };
    expect(first.resultType).toBe("input_required");
    const key = Object.keys(first.inputRequests)[0]!;
    const retry = (state: string, params: { name: string; arguments: Record<string, unknown> } = { name: "old__ask", arguments: {} }) =>
      client.callTool(retryParams(params, { [key]: { action: "accept", content: { name: "M", count: 1 } } }, state), { allowInputRequired: true });
    return { client, state: first.requestState, retry };
  }

  test("a tampered state, or the state on another request or from another client, is refused with -32602; the genuine retry completes", async () => {
    upstream();
    const http = await serve.http();
    const { state, retry } = await firstRound(http.url);
    // Any byte changed: the seal no longer verifies.
    const tampered = state.slice(0, 10) + (state[10] === "A" ? "B" : "A") + state.slice(11);
    await expect(retry(tampered)).rejects.toThrow(/Invalid or expired requestState/);
    // The genuine state on a different request.
    await expect(retry(state, { name: "old__echo", arguments: { text: "x" } })).rejects.toThrow(/Invalid or expired requestState/);
    // Another client (a 2025 session) presenting it.
    const other = await connectAs(http.url, "legacy", "other");
    await expect(
      other.client.callTool(retryParams({ name: "old__ask", arguments: {} }, { x: { action: "accept", content: { name: "X", count: 1 } } }, state)),
    ).rejects.toThrow(/Invalid or expired requestState/);
    expect(textOf((await retry(state)) as CallToolResult)).toBe('accept {"name":"M","count":1}');
  }, 90_000);

  test("a state past --question-timeout is refused with -32602", async () => {
    upstream();
    const http = await serve.http(["--question-timeout", "1"]);
    const { state, retry } = await firstRound(http.url);
    await Bun.sleep(2_500);
    await expect(retry(state)).rejects.toThrow(/Invalid or expired requestState/);
  }, 90_000);
});

describe("a client that leaves cancels its own upstream calls, no one else's", () => {
  test("a 2025 session's DELETE: its call is cancelled upstream; the other session's call completes", async () => {
    upstream();
    const http = await serve.http();
    const a = await connectAs(http.url, "legacy", "A");
    const b = await connectAs(http.url, "legacy", "B");
    const held = openCall(a.client, "A", 60_000);
    const other = openCall(b.client, "B", 3_000);
    await Promise.all([held.running, other.running]);
    await (a.client.transport as StreamableHTTPClientTransport).terminateSession();
    expect(await cancelledOnceIncludes(b.client, "A")).toEqual(["A"]);
    expect(textOf(await other.result)).toBe("B done");
  }, 90_000);

  test("a 2025 session's DELETE cancels its task call with tasks/cancel", async () => {
    writeConfig(serve.home.configPath, { servers: { old: stdioFixture(["--era", "legacy", "--task-tool", "--cancellable", "--tools", "echo"]) } });
    const http = await serve.http();
    const a = await connectAs(http.url, "legacy", "A");
    const b = await connectAs(http.url, "legacy", "B");
    const statuses = async () => JSON.parse(textOf(await b.client.callTool({ name: "old__task_statuses", arguments: {} }))!) as string[];
    void a.client.callTool({ name: "old__long_task", arguments: { ms: 60_000 } }, { timeout: 120_000 }).catch(() => {});
    let seen: string[] = [];
    for (let i = 0; i < 100 && !seen.includes("working"); i++, await Bun.sleep(100)) seen = await statuses();
    expect(seen).toEqual(["working"]);
    await (a.client.transport as StreamableHTTPClientTransport).terminateSession();
    for (let i = 0; i < 50 && !seen.includes("cancelled"); i++, await Bun.sleep(100)) seen = await statuses();
    expect(seen).toEqual(["cancelled"]);
  }, 90_000);

  test("a 2026-07-28 client that aborts its request: the call is cancelled upstream; another client's call completes", async () => {
    upstream();
    const http = await serve.http();
    const a = await connectAs(http.url, "modern", "A");
    const b = await connectAs(http.url, "modern", "B");
    const stop = new AbortController();
    const held = openCall(a.client, "A", 60_000, stop.signal);
    const other = openCall(b.client, "B", 3_000);
    await Promise.all([held.running, other.running]);
    stop.abort();
    expect(await cancelledOnceIncludes(b.client, "A")).toEqual(["A"]);
    expect(textOf(await other.result)).toBe("B done");
  }, 90_000);
});
