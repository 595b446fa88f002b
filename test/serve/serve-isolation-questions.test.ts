// `tether mcp serve --http` with several clients at once, in front of a 2025 server on stdio (whose
// questions name no call): a question reaches only the client whose call caused it, refused when
// serve cannot tell, and each client on its own connection with --per-session (at most
// --max-upstream-sessions per server).
import { describe, expect, test } from "bun:test";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { runTether } from "../support/cli.ts";
import type { Era } from "./harness.ts";
import { cancelledOnceIncludes, isolationPerTest, openCall, textOf } from "./isolation.ts";
import { eventually } from "../support/wait.ts";

const { serve, upstream, connectAs } = isolationPerTest();

test("usage errors: --per-session names a server not served; --max-upstream-sessions and --question-timeout want a whole number above 0", async () => {
  upstream();
  const home = serve.home.home;
  const unknown = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", "--per-session", "old,nope"], { home });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("--per-session nope: no such server is served");
  for (const flag of ["--max-upstream-sessions", "--question-timeout"]) {
    const zero = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", flag, "0"], { home });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain(`${flag} wants a whole number of at least 1, got "0"`);
  }
});

test("an address another process listens on: one line naming it, exit 1, no stack", async () => {
  upstream();
  const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  try {
    const result = await runTether(["mcp", "serve", "--http", `127.0.0.1:${taken.port}`], { home: serve.home.home });
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(`error: cannot listen on 127.0.0.1:${taken.port}: another process is listening there\nhint: `);
    expect(result.stderr).not.toContain("    at ");
  } finally {
    taken.stop(true);
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
    await eventually(async () => (told = textOf(await a.client.callTool({ name: "old__roots_changed", arguments: {} }))!) !== "0", { intervalMs: 100 });
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
