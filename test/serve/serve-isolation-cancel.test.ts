// A client of `tether mcp serve --http` that leaves (its 2025 session's DELETE, or an aborted
// stateless request) cancels its own calls upstream, notifications/cancelled or tasks/cancel, and
// no one else's.
import { describe, expect, test } from "bun:test";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { cancelledOnceIncludes, isolationPerTest, openCall, textOf } from "./isolation.ts";
import { eventually } from "../support/wait.ts";

const { serve, upstream, connectAs } = isolationPerTest();

describe("a client that leaves cancels its own upstream calls, no one else's", () => {
  test("a 2025 session's DELETE: its call is cancelled upstream; the other session's call completes", async () => {
    upstream();
    const http = await serve.http();
    const a = await connectAs(http.url, "legacy", "A");
    const b = await connectAs(http.url, "legacy", "B");
    const held = openCall(a.client, "A", 60_000);
    const other = openCall(b.client, "B", 2_000);
    await Promise.all([held.running, other.running]);
    await (a.client.transport as StreamableHTTPClientTransport).terminateSession();
    expect(await cancelledOnceIncludes(b.client, "A")).toEqual(["A"]);
    expect(textOf(await other.result)).toBe("B done");
  }, 90_000);

  test("a 2025 session's DELETE cancels its task call with tasks/cancel", async () => {
    upstream(["--task-tool"]);
    const http = await serve.http();
    const a = await connectAs(http.url, "legacy", "A");
    const b = await connectAs(http.url, "legacy", "B");
    const statuses = async () => JSON.parse(textOf(await b.client.callTool({ name: "old__task_statuses", arguments: {} }))!) as string[];
    void a.client.callTool({ name: "old__long_task", arguments: { ms: 60_000 } }, { timeout: 120_000 }).catch(() => {});
    let seen: string[] = [];
    await eventually(async () => (seen = await statuses()).includes("working"), { intervalMs: 100 });
    expect(seen).toEqual(["working"]);
    await (a.client.transport as StreamableHTTPClientTransport).terminateSession();
    await eventually(async () => (seen = await statuses()).includes("cancelled"), { intervalMs: 100 });
    expect(seen).toEqual(["cancelled"]);
  }, 90_000);

  test("a 2026-07-28 client that aborts its request: the call is cancelled upstream; another client's call completes", async () => {
    upstream();
    const http = await serve.http();
    const a = await connectAs(http.url, "modern", "A");
    const b = await connectAs(http.url, "modern", "B");
    const stop = new AbortController();
    const held = openCall(a.client, "A", 60_000, stop.signal);
    const other = openCall(b.client, "B", 2_000);
    await Promise.all([held.running, other.running]);
    stop.abort();
    expect(await cancelledOnceIncludes(b.client, "A")).toEqual(["A"]);
    expect(textOf(await other.result)).toBe("B done");
  }, 90_000);
});
