// The requestState `tether mcp serve` hands a 2026-07-28 client with a forwarded question: a
// tampered one, one on another request or from another client, or one past its time is refused.
import { describe, expect, test } from "bun:test";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { connectHttp } from "./harness.ts";
import { CAPABILITIES, isolationPerTest, textOf } from "./isolation.ts";

const { serve, clients, upstream, connectAs } = isolationPerTest();

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
    await Bun.sleep(1_500);
    await expect(retry(state)).rejects.toThrow(/Invalid or expired requestState/);
  }, 90_000);
});
