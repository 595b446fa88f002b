// Replicas of `tether mcp serve --http` sharing state in a real redis-server (`--state`): a
// 2026-07-28 multi-round-trip call answered through another replica, and resource updates one
// replica's upstream sends reaching a subscriber on another.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../support/redis.ts";
import { connectHttp, newClient } from "./harness.ts";
import { CAPABILITIES, isolationPerTest, textOf } from "./isolation.ts";

if (!hasRedisServer) console.warn("serve-state-shared.test.ts: redis-server is not installed; skipped");

const { serve, clients } = isolationPerTest();
let redis: PrivateRedis | undefined;
beforeAll(async () => {
  if (hasRedisServer) redis = await startRedis();
});
afterAll(() => redis?.close());

const TOKEN = "replicas-share-this-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const KEY = "a1".repeat(32); // 32 bytes, hex

/** One replica: the shared Redis, the state key `key`, the one bearer token. */
function replica(key = KEY, args: string[] = []) {
  return serve.http(["--state", redis!.url, "--state-key-env-var", "STATE_KEY", "--token-env-var", "SERVE_TOKEN", ...args], { STATE_KEY: key, SERVE_TOKEN: TOKEN });
}

/** A retry's params: the request repeated with answers and a requestState (the SDK's types leave these to its driver). */
function retryParams(inputResponses: Record<string, unknown>, requestState: string) {
  return { name: "old__ask", arguments: {}, inputResponses, requestState } as Parameters<Client["callTool"]>[0];
}

/** A 2026-07-28 client that handles input_required itself, as a client behind a round-robin balancer would reach one replica. */
async function manualClient(url: string): Promise<Client> {
  const client = new Client({ name: "manual", version: "0.0.0" }, { versionNegotiation: { mode: "auto" }, capabilities: CAPABILITIES, inputRequired: { autoFulfill: false } });
  clients.push(client);
  return connectHttp(url, "modern", AUTH, client);
}

describe.if(hasRedisServer)("replicas sharing state", () => {
  test("a 2026-07-28 call's question asked through replica A is answered through replica B; a replica with another key refuses the state", async () => {
    writeConfig(serve.home.configPath, { servers: { old: stdioFixture(["--era", "legacy", "--features", "--tools", "echo"]) } });
    const [a, b, stranger] = await Promise.all([replica(), replica(), replica("b2".repeat(32))]);
    const first = (await (await manualClient(a.url)).callTool({ name: "old__ask", arguments: {} }, { allowInputRequired: true })) as unknown as {
      resultType: string;
      requestState: string;
      inputRequests: Record<string, unknown>;
    };
    expect(first.resultType).toBe("input_required");
    const answers = { [Object.keys(first.inputRequests)[0]!]: { action: "accept", content: { name: "M", count: 1 } } };

    // Another state key: the seal does not verify there.
    const elsewhere = await manualClient(stranger.url);
    await expect(elsewhere.callTool(retryParams(answers, first.requestState), { allowInputRequired: true })).rejects.toThrow(/Invalid or expired requestState/);

    // Replica B verifies it (the shared key) and relays the answer to A, where the upstream's call waits.
    const onB = await manualClient(b.url);
    expect(textOf((await onB.callTool(retryParams(answers, first.requestState), { allowInputRequired: true })) as CallToolResult)).toBe('accept {"name":"M","count":1}');
    // Answered once: the same state again is refused, on either replica.
    await expect(onB.callTool(retryParams(answers, first.requestState), { allowInputRequired: true })).rejects.toThrow(/Invalid or expired requestState/);
    for (const r of [a, b, stranger]) expect(r.stderr()).not.toContain(KEY);
  }, 120_000);

  test("a question whose replica is gone: the retry on another replica is refused, not hung", async () => {
    writeConfig(serve.home.configPath, { servers: { old: stdioFixture(["--era", "legacy", "--features", "--tools", "echo"]) } });
    const [a, b] = await Promise.all([replica(), replica()]);
    const first = (await (await manualClient(a.url)).callTool({ name: "old__ask", arguments: {} }, { allowInputRequired: true })) as unknown as {
      requestState: string;
      inputRequests: Record<string, unknown>;
    };
    await a.stop("SIGKILL");
    const answers = { [Object.keys(first.inputRequests)[0]!]: { action: "accept", content: { name: "M", count: 1 } } };
    const onB = await manualClient(b.url);
    await expect(onB.callTool(retryParams(answers, first.requestState), { allowInputRequired: true })).rejects.toThrow(/Invalid or expired requestState.*gone/);
  }, 120_000);

  test("a resource update one replica's upstream sends reaches a subscriber on another replica", async () => {
    writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--features", "--subscriptions", "--name", "docs", "--tools", "echo"]) } });
    const [a, b] = await Promise.all([replica(), replica()]);
    const onA = newClient("legacy");
    const onB = newClient("legacy");
    clients.push(onA, onB);
    const updatedOnB = new Promise<string>((resolve) => onB.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri)));
    await connectHttp(a.url, "legacy", AUTH, onA);
    await connectHttp(b.url, "legacy", AUTH, onB);
    await onB.subscribeResource({ uri: "docs://docs/readme" });
    await onA.subscribeResource({ uri: "docs://docs/readme" });
    // Only A's upstream process changes the readme and says so.
    expect(textOf((await onA.callTool({ name: "docs__touch", arguments: {} })) as CallToolResult)).not.toBe("nobody subscribed");
    // A loose bound, so a lost update fails with a message instead of the test's timeout.
    const missed = Bun.sleep(30_000).then(() => "no update reached the subscriber on B");
    expect(await Promise.race([updatedOnB, missed])).toBe("docs://docs/readme");
  }, 120_000);
});
