// requestState seals and client keys: per run without a state key; shared by replicas that hold the same one.
import { expect, test } from "bun:test";
import type { ServerContext } from "@modelcontextprotocol/server";
import { createRequestStates } from "../../src/serve/client-identity.ts";

/** A stateless HTTP request presenting `token`. */
function request(token: string): ServerContext {
  return { http: { req: new Request("http://127.0.0.1/mcp", { headers: { authorization: `Bearer ${token}` } }) } } as unknown as ServerContext;
}

const KEY = new TextEncoder().encode("s".repeat(48));

test("replicas with one state key: a state minted on one verifies on another, for the same client only; mcp.client.id is the same", async () => {
  const a = createRequestStates(60_000, "http", KEY);
  const b = createRequestStates(60_000, "http", KEY);
  const state = await a.mint("exchange/1", request("alice"));
  expect(await b.verify(state, request("alice"))).toBe("exchange/1");
  await expect(b.verify(state, request("bob"))).rejects.toThrow();
  expect(b.client(request("alice")).clientKey).toBe(a.client(request("alice")).clientKey!);
  expect(a.client(request("alice")).clientKey).not.toContain("alice");
});

test("another state key, or none (a random key per run), does not verify it; client ids differ", async () => {
  const a = createRequestStates(60_000, "http", KEY);
  const state = await a.mint("exchange/1", request("alice"));
  for (const other of [createRequestStates(60_000, "http", new TextEncoder().encode("t".repeat(48))), createRequestStates(60_000, "http")]) {
    await expect(other.verify(state, request("alice"))).rejects.toThrow();
    expect(other.client(request("alice")).clientKey).not.toBe(a.client(request("alice")).clientKey!);
  }
  const perRun = [createRequestStates(60_000, "http"), createRequestStates(60_000, "http")];
  expect(perRun[0]!.client(request("alice")).clientKey).not.toBe(perRun[1]!.client(request("alice")).clientKey!);
});
