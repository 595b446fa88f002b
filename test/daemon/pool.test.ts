// The daemon's server pool in process, over a fake connection: which command a server's question
// reaches, when one is refused, and when a server is opened again.
import { describe, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import type { Context } from "../../src/context.ts";
import type { ServerConfig } from "../../src/config/types.ts";
import { ConnectionError } from "../../src/errors.ts";
import type { McpConnection } from "../../src/mcp/connect.ts";
import type { ServerRequestHandlers } from "../../src/mcp/server-requests.ts";
import { type Caller, type OpenParams, ServerPool } from "../../src/daemon/pool.ts";
import { createTestContext } from "../support/context.ts";

const SERVER = { name: "fx", transport: "stdio", command: "fx", args: [], env: {}, envVars: [] } as unknown as ServerConfig;
const FORM = { message: "who?", requestedSchema: { type: "object" as const, properties: {} } };

interface Harness {
  pool: ServerPool;
  /** The question handlers each opened connection was given, latest last. */
  handlers: ServerRequestHandlers[];
  opened: number;
  closed: number;
  /** Resolves the `wait` calls in flight. */
  release(): void;
}

function harness(): Harness {
  const ctx = createTestContext({ env: {}, cwd: tmpdir() }) as Context;
  let release = () => {};
  let gate = new Promise<void>((resolve) => (release = resolve));
  const h: Harness = {
    handlers: [],
    opened: 0,
    closed: 0,
    release: () => {
      release();
      gate = new Promise<void>((resolve) => (release = resolve));
    },
    pool: new ServerPool(ctx, async (serverCtx, server) => {
      h.opened++;
      const handlers = serverCtx.serverRequests;
      h.handlers.push(handlers);
      return {
        server,
        via: "stdio",
        tools: [],
        latencyMs: 0,
        stderrTail: () => [],
        capabilities: () => undefined,
        async callTool(name: string) {
          if (name === "ask") {
            const answer = await handlers.elicit(server, FORM);
            return { content: [{ type: "text", text: JSON.stringify(answer.content) }] };
          }
          if (name === "wait") await gate;
          if (name === "die") throw new ConnectionError('server "fx" exited while running "die"');
          return { content: [] };
        },
        close: async () => void h.closed++,
      } as unknown as McpConnection;
    }),
  };
  return h;
}

const open = (fingerprint = "one"): OpenParams => ({ server: SERVER, env: {}, cwd: tmpdir(), fingerprint });

function caller(who: string, asked: string[] = []): Caller {
  return {
    async ask(kind) {
      asked.push(`${who}:${kind}`);
      return { action: "accept", content: { who } };
    },
    log: () => {},
  };
}

describe("questions", () => {
  test("each call's question reaches the command that made the call, even when calls overlap", async () => {
    const h = harness();
    await h.pool.open(open(), 0);
    const asked: string[] = [];
    const results = await Promise.all(
      ["ann", "bob"].map((who) => h.pool.run("fx", caller(who, asked), 0, (c) => c.callTool("ask", {}))),
    );
    expect(results.map((r) => (r.content[0] as { text: string }).text)).toEqual(['{"who":"ann"}', '{"who":"bob"}']);
    expect(asked.sort()).toEqual(["ann:elicit", "bob:elicit"]);
  });

  test("a question nothing ties to a call goes to the only command with a call running; with several or none, it is refused", async () => {
    const h = harness();
    await h.pool.open(open(), 0);
    const [handlers] = h.handlers;
    const asked: string[] = [];
    // None running: refused; roots are simply none.
    await expect(handlers!.elicit(SERVER, FORM)).rejects.toThrow("cannot tell which command this elicitation/create is for (no command's request is running on it); refused");
    expect(await handlers!.listRoots(SERVER)).toEqual([]);
    // One running: it is asked.
    const one = h.pool.run("fx", caller("ann", asked), 0, (c) => c.callTool("wait", {}));
    await Bun.sleep(0);
    expect(await handlers!.elicit(SERVER, FORM)).toEqual({ action: "accept", content: { who: "ann" } } as never);
    // Two running: nobody can tell whose it is.
    const two = h.pool.run("fx", caller("bob", asked), 0, (c) => c.callTool("wait", {}));
    await Bun.sleep(0);
    await expect(handlers!.sample(SERVER, { messages: [], maxTokens: 1 })).rejects.toThrow("requests of several commands are running on it");
    h.release();
    await Promise.all([one, two]);
    expect(asked).toEqual(["ann:elicit"]);
  });
});

describe("questions while a server starts", () => {
  test("roots asked during start-up go to the command that opened it", async () => {
    const ctx = createTestContext({ env: {}, cwd: tmpdir() }) as Context;
    let asked: unknown;
    const pool = new ServerPool(ctx, async (serverCtx, server) => {
      asked = await serverCtx.serverRequests.listRoots(server);
      return { server, via: "stdio", tools: [], close: async () => {} } as unknown as McpConnection;
    });
    const opener: Caller = { ask: async (kind) => (kind === "roots" ? [{ uri: "file:///mine" }] : undefined), log: () => {} };
    await pool.open(open(), 0, opener);
    expect(asked).toEqual([{ uri: "file:///mine" }]);
  });
});

describe("reuse and restart", () => {
  test("a server that failed to start is simply tried again, not reported as restarted", async () => {
    const ctx = createTestContext({ env: {}, cwd: tmpdir() }) as Context;
    let attempts = 0;
    const pool = new ServerPool(ctx, async (_ctx, server) => {
      if (++attempts === 1) throw new ConnectionError('server "fx" did not start');
      return { server, via: "stdio", tools: [], close: async () => {} } as unknown as McpConnection;
    });
    await expect(pool.open(open(), 0)).rejects.toThrow("did not start");
    expect((await pool.open(open(), 1)).restarted).toBeUndefined();
    expect(pool.states()[0]).toMatchObject({ state: "running", restarts: 0 });
  });

  test("the same fingerprint reuses the connection; a new one closes it and opens another", async () => {
    const h = harness();
    expect((await h.pool.open(open("one"), 0)).restarted).toBeUndefined();
    expect((await h.pool.open(open("one"), 1)).restarted).toBeUndefined();
    expect([h.opened, h.closed]).toEqual([1, 0]);
    expect((await h.pool.open(open("two"), 2)).restarted).toBe("config");
    expect([h.opened, h.closed]).toEqual([2, 1]);
  });

  test("a call that finds the server gone marks it, and the next use opens it again", async () => {
    const h = harness();
    await h.pool.open(open(), 0);
    await expect(h.pool.run("fx", caller("ann"), 0, (c) => c.callTool("die", {}))).rejects.toBeInstanceOf(ConnectionError);
    expect(h.pool.states()[0]?.state).toBe("stopped");
    expect((await h.pool.open(open(), 1)).restarted).toBe("crashed");
    expect(h.opened).toBe(2);
    expect(h.pool.states()[0]).toMatchObject({ state: "running", restarts: 1, calls: 1 });
  });
});
