// Three `tether mcp serve --http` replicas sharing one private redis-server (`--state`), as a
// round-robin balancer would use them: a 2025 session opened on one replica is served by the
// others, its SSE stream resumed on a third, its questions answered through any replica; a
// replica killed mid-run costs its clients nothing; Redis gone is a clear 503, Redis back works
// again without a restart. A bad --state is one line and exit 2.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RedisClient } from "bun";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../support/redis.ts";
import { eventually, waitUntil } from "../support/wait.ts";
import { STATE_PREFIX } from "../../src/serve/state/keys.ts";
import { type HttpServe, newClient, startHttpServe } from "./harness.ts";

const STATE_KEY = "ab".repeat(32);
const PROTOCOL = "2025-11-25";
const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

let redis: PrivateRedis;
let home: ReturnType<typeof makeHome>;
let replicas: HttpServe[] = [];

const startReplica = () =>
  startHttpServe(home.home, ["--state", redis.url, "--state-key-env-var", "TETHER_STATE_KEY", "--sse-poll", "1"], { TETHER_STATE_KEY: STATE_KEY });

/** One SSE response read to its end: its events' ids and JSON-RPC messages. */
async function readSse(response: Response): Promise<{ ids: string[]; messages: Record<string, unknown>[] }> {
  const text = await response.text();
  const ids: string[] = [];
  const messages: Record<string, unknown>[] = [];
  for (const block of text.split("\n\n")) {
    const id = /^id: (.+)$/m.exec(block)?.[1];
    if (id) ids.push(id);
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (data) messages.push(JSON.parse(data));
  }
  return { ids, messages };
}

function post(url: string, body: unknown, session?: string): Promise<Response> {
  const headers: Record<string, string> = { ...JSON_HEADERS, "mcp-protocol-version": PROTOCOL };
  if (session) headers["mcp-session-id"] = session;
  return fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: PROTOCOL, capabilities: { elicitation: {} }, clientInfo: { name: "replicas-test", version: "1.0.0" } },
};

/** Opens a 2025 session on `url` the way the SDK's client does; resolves to its id. */
async function initialize(url: string): Promise<string> {
  const answer = await post(url, INITIALIZE);
  expect(answer.status).toBe(200);
  const session = answer.headers.get("mcp-session-id")!;
  await answer.body?.cancel();
  return session;
}

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

/** GET /readyz of the replica serving `mcpUrl` (no token needed). */
async function readyzOf(mcpUrl: string): Promise<number> {
  const answer = await fetch(new URL("/readyz", mcpUrl));
  await answer.body?.cancel();
  return answer.status;
}

/** Polls /readyz until it answers `wanted` (loosely bounded); the last status seen. */
async function readyzUntil(mcpUrl: string, wanted: number): Promise<number> {
  let status = 0;
  await eventually(async () => (status = await readyzOf(mcpUrl)) === wanted, { intervalMs: 100 });
  return status;
}

/** A client fetch that sends each request to the next replica in turn, recording where each went. */
function roundRobin(urls: string[]) {
  const log: { replica: number; method: string; lastEventId: string | null }[] = [];
  let next = 0;
  const rotate: typeof fetch = Object.assign(
    (input: RequestInfo | URL, init?: RequestInit) => {
      const replica = next++ % urls.length;
      log.push({ replica, method: init?.method ?? "GET", lastEventId: new Headers(init?.headers).get("last-event-id") });
      return fetch(urls[replica]!, init);
    },
    { preconnect: fetch.preconnect },
  );
  return { fetch: rotate, log };
}

describe.skipIf(!hasRedisServer)("replicas sharing state in Redis", () => {
  beforeAll(async () => {
    redis = await startRedis();
    home = makeHome();
    // test_reconnection takes 1.5 s upstream; --sse-poll 1 closes its stream after 1 s.
    writeConfig(home.configPath, { servers: { fx: stdioFixture(["--era", "legacy", "--conformance", "--name", "fx"]) } });
    replicas = await Promise.all([startReplica(), startReplica(), startReplica()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.close();
    home?.cleanup();
  });

  test("a session initialized on A is called on B and its SSE stream resumed on C with Last-Event-ID", async () => {
    const [a, b, c] = replicas.map((r) => r.url) as [string, string, string];
    const session = await initialize(a);
    expect((await post(b, { jsonrpc: "2.0", method: "notifications/initialized" }, session)).status).toBe(202);

    const quick = await readSse(await post(b, call(1, "fx__test_simple_text"), session));
    expect(quick.messages.at(-1)).toMatchObject({ id: 1, result: { content: [{ type: "text", text: "This is a simple text response for testing." }] } });

    // The long call's stream on B closes after --sse-poll with only its priming event id.
    const cut = await readSse(await post(b, call(2, "fx__test_reconnection"), session));
    expect(cut.messages.find((m) => m.id === 2)).toBeUndefined();
    let lastEventId = cut.ids.at(-1)!;
    expect(lastEventId).toBeTruthy();
    let result: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 20 && !result; attempt++) {
      const resumed = await fetch(c, {
        headers: { accept: "text/event-stream", "mcp-session-id": session, "mcp-protocol-version": PROTOCOL, "last-event-id": lastEventId },
      });
      expect(resumed.status).toBe(200);
      const events = await readSse(resumed);
      result = events.messages.find((m) => m.id === 2);
      lastEventId = events.ids.at(-1) ?? lastEventId;
      if (!result) await Bun.sleep(300);
    }
    expect(result).toMatchObject({ result: { content: [{ type: "text", text: "Reconnection test completed" }] } });
  }, 30_000);

  test("an SDK client behind a round-robin balancer: calls, SSE polling and an elicitation answered through another replica", async () => {
    const balancer = roundRobin(replicas.map((r) => r.url));
    const client = newClient("legacy", "round-robin", { elicitation: { form: {} } });
    client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { username: "ada", email: "ada@example.org" } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(replicas[0]!.url), { fetch: balancer.fetch }));
    try {
      expect((await client.callTool({ name: "fx__test_simple_text", arguments: {} })).content).toEqual([
        { type: "text", text: "This is a simple text response for testing." },
      ]);
      expect((await client.callTool({ name: "fx__test_reconnection", arguments: {} })).content).toEqual([{ type: "text", text: "Reconnection test completed" }]);
      // The question comes on the call's stream; the answer is the client's next request, on another replica.
      const asked = await client.callTool({ name: "fx__test_elicitation", arguments: { message: "who?" } });
      expect(asked.content).toEqual([{ type: "text", text: 'User response: action=accept, content={"username":"ada","email":"ada@example.org"}' }]);
      expect(new Set(balancer.log.map((r) => r.replica)).size).toBe(3);
      expect(balancer.log.some((r) => r.lastEventId !== null)).toBe(true);
    } finally {
      await client.close();
    }
  }, 30_000);

  test("DELETE on one replica ends the session on every replica (404)", async () => {
    const [a, b, c] = replicas.map((r) => r.url) as [string, string, string];
    const session = await initialize(a);
    // Held on all three first, so the end must reach instances, not only the record.
    for (const url of [a, b, c]) await readSse(await post(url, { jsonrpc: "2.0", id: 1, method: "ping" }, session));
    const ended = await fetch(b, { method: "DELETE", headers: { "mcp-session-id": session, "mcp-protocol-version": PROTOCOL } });
    expect(ended.status).toBe(200);
    for (const url of [a, b, c]) {
      const answer = await post(url, { jsonrpc: "2.0", id: 2, method: "ping" }, session);
      expect(answer.status).toBe(404);
      await answer.body?.cancel();
    }
  }, 30_000);

  test("a replica killed with SIGKILL mid-run: the client's next request succeeds on another", async () => {
    const doomed = await startReplica();
    const session = await initialize(doomed.url);
    await readSse(await post(doomed.url, call(1, "fx__test_simple_text"), session));
    await doomed.stop("SIGKILL");
    const after = await readSse(await post(replicas[1]!.url, call(2, "fx__test_simple_text"), session));
    expect(after.messages.at(-1)).toMatchObject({ id: 2, result: { content: [{ type: "text", text: "This is a simple text response for testing." }] } });
  }, 30_000);

  test("a call on a per-session upstream is relayed to the session's home; when the home dies, the replica reached takes over with its own connection", async () => {
    const perSession = makeHome();
    const pidFile = join(perSession.home, "per-session.pid");
    writeConfig(perSession.configPath, { servers: { ps: stdioFixture(["--tools", "echo", "--pid-file", pidFile]) } });
    const args = ["--state", redis.url, "--state-key-env-var", "TETHER_STATE_KEY", "--per-session", "ps"];
    const [p, q] = await Promise.all([0, 1].map(() => startHttpServe(perSession.home, args, { TETHER_STATE_KEY: STATE_KEY })));
    try {
      const echo = (id: number, text: string) => call(id, "ps__echo", { text });
      // Q's upstreams start with its first client (each fixture process writes its pid when it starts).
      const warm = await initialize(q!.url);
      await readSse(await post(q!.url, echo(1, "warm"), warm));
      const session = await initialize(p!.url);
      expect((await readSse(await post(p!.url, echo(1, "on the home"), session))).messages.at(-1)).toMatchObject({ result: { content: [{ text: "on the home" }] } });
      // The session's own upstream process, on P.
      const own = readFileSync(pidFile, "utf8");
      expect((await readSse(await post(q!.url, echo(2, "via Q"), session))).messages.at(-1)).toMatchObject({ id: 2, result: { content: [{ text: "via Q" }] } });
      expect(readFileSync(pidFile, "utf8")).toBe(own);
      await p!.stop("SIGKILL");
      expect((await readSse(await post(q!.url, echo(3, "after the home died"), session))).messages.at(-1)).toMatchObject({
        id: 3,
        result: { content: [{ text: "after the home died" }] },
      });
      expect(readFileSync(pidFile, "utf8")).not.toBe(own);
    } finally {
      await Promise.all([p!.stop(), q!.stop()]);
      perSession.cleanup();
    }
  }, 60_000);

  test("Redis stopped: /readyz 503 and requests that need it fail at once with a one-line 503; Redis back: ready and served again, pub/sub included, no restart", async () => {
    const [a, b] = replicas.map((r) => r.url) as [string, string];
    const session = await initialize(a);
    expect(await readyzOf(b)).toBe(200);
    await redis.stop();
    try {
      // Readiness follows the replica's heartbeat (every few seconds): a loose bound, no hang.
      expect(await readyzUntil(b, 503)).toBe(503);
      const started = performance.now();
      for (const answer of [await post(b, call(1, "fx__test_simple_text"), session), await post(a, INITIALIZE)]) {
        expect(answer.status).toBe(503);
        const text = await answer.text();
        expect(text.split("\n").filter(Boolean)).toHaveLength(1);
        expect(JSON.parse(text).error.message).toContain("shared state (Redis) is unreachable");
      }
      expect(performance.now() - started).toBeLessThan(15_000);
    } finally {
      await redis.start();
    }
    // A fresh Redis holds no sessions: clients initialize again, and once the replicas have
    // reconnected (their heartbeat), everything works, the bus that carries answers included.
    let served: string | undefined;
    await eventually(
      async () => {
        const answer = await post(a, INITIALIZE);
        if (answer.status === 200) served = answer.headers.get("mcp-session-id")!;
        await answer.body?.cancel();
        return served !== undefined;
      },
      { intervalMs: 100 },
    );
    expect(served).toBeTruthy();
    for (const replica of replicas) expect(await readyzUntil(replica.url, 200)).toBe(200);
    // Every replica's heartbeat has run since Redis came back (each one's key is in the fresh
    // Redis), so each counts the others alive: seen in Redis, not waited out with a fixed sleep.
    const probe = new RedisClient(redis.url);
    try {
      await waitUntil(async () => ((await probe.send("KEYS", [`${STATE_PREFIX}replica:*`])) as string[]).length >= replicas.length, "every replica's heartbeat");
    } finally {
      probe.close();
    }
    const balancer = roundRobin(replicas.map((r) => r.url));
    const client = newClient("legacy", "after-restart", { elicitation: { form: {} } });
    client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { username: "bo", email: "bo@example.org" } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(a), { fetch: balancer.fetch }));
    try {
      const asked = await client.callTool({ name: "fx__test_elicitation", arguments: { message: "again?" } });
      expect(asked.content).toEqual([{ type: "text", text: 'User response: action=accept, content={"username":"bo","email":"bo@example.org"}' }]);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe("a bad --state", () => {
  let badHome: ReturnType<typeof makeHome>;
  beforeAll(() => {
    badHome = makeHome();
    writeConfig(badHome.configPath, { servers: { fx: stdioFixture(["--tools", "echo"]) } });
  });
  afterAll(() => badHome.cleanup());

  const cases: [string, string[], RegExp][] = [
    ["a wrong scheme", ["--state", "http://user:hunter2secret@127.0.0.1:6379"], /--state wants redis\[s\]:\/\/.*scheme/],
    ["no host", ["--state", "redis://:hunter2secret@:6379/0"], /--state wants redis\[s\]:\/\/.*(host|not a URL)/],
    ["a bad port", ["--state", "redis://user:hunter2secret@127.0.0.1:99999"], /--state wants redis\[s\]:\/\/.*(port|not a URL)/],
    ["a bad database", ["--state", "redis://user:hunter2secret@127.0.0.1:6379/x"], /--state wants redis\[s\]:\/\/.*database/],
    ["no state key", ["--state", "redis://user:hunter2secret@127.0.0.1:6379"], /--state needs --state-key-env-var/],
  ];
  for (const [what, args, message] of cases) {
    test(`${what}: one line, exit 2, the password not shown`, async () => {
      const key = what === "no state key" ? [] : ["--state-key-env-var", "TETHER_STATE_KEY"];
      const result = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", "--no-token", ...args, ...key], {
        home: badHome.home,
        env: { TETHER_STATE_KEY: STATE_KEY },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain("hunter2secret");
      expect(result.stderr.split("\n").filter((line) => line.startsWith("error:"))).toHaveLength(1);
    });
  }

  test("--state on stdio is a usage error; a short state key is refused without showing it", async () => {
    const stdio = await runTether(["mcp", "serve", "--state", "redis://127.0.0.1:6379", "--state-key-env-var", "K"], { home: badHome.home, env: { K: STATE_KEY } });
    expect(stdio.code).toBe(2);
    expect(stdio.stderr).toContain("--state needs --http");
    const short = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", "--no-token", "--state", "redis://127.0.0.1:6379", "--state-key-env-var", "K"], {
      home: badHome.home,
      env: { K: "deadbeef" },
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("at least 32 are needed");
    expect(short.stderr).not.toContain("deadbeef");
  });

  test("--state-env-var: a bad URL in the variable is one line, exit 2, the password not shown", async () => {
    const result = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", "--no-token", "--state-env-var", "STATE_URL", "--state-key-env-var", "K"], {
      home: badHome.home,
      env: { K: STATE_KEY, STATE_URL: "rediss://u:hunter2secret@" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--state-env-var STATE_URL wants redis[s]://");
    expect(result.stderr).not.toContain("hunter2secret");
  });
});
