// Which roots a server is offered (rootsFor), and telling an open connection they changed.
import { afterEach, beforeEach, expect, test } from "bun:test";
import type { Root } from "@modelcontextprotocol/client";
import { getServer } from "../../src/config/servers.ts";
import { connectServer } from "../../src/mcp/connect.ts";
import { rootsFor } from "../../src/mcp/roots.ts";
import type { ServerConfig } from "../../src/config/types.ts";
import { baseEnv, makeHome } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { createTestContext } from "../support/context.ts";

let home: ReturnType<typeof makeHome>;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => home.cleanup());

const where = { cwd: "/work/here", paths: { home: "/home/ann/.tether", config: "/etc/tether/config.toml", userHome: "/home/ann" } };
const server = (roots?: string[]) => ({ name: "fs", roots }) as ServerConfig;
const uris = (roots: Root[]) => roots.map((root) => root.uri);

test("--root, else the server's roots, else the top level's, else the current directory", () => {
  expect(uris(rootsFor(where, server(), {}, []))).toEqual(["file:///work/here"]);
  expect(uris(rootsFor(where, server(), { roots: ["~", "~/src", "data", "/abs"] }, []))).toEqual([
    "file:///home/ann",
    "file:///home/ann/src",
    "file:///etc/tether/data",
    "file:///abs",
  ]);
  expect(uris(rootsFor(where, server(["own"]), { roots: ["/top"] }, []))).toEqual(["file:///etc/tether/own"]);
  expect(uris(rootsFor(where, server(["own"]), { roots: ["/top"] }, ["rel", "../up", "~/x"]))).toEqual([
    "file:///work/here/rel",
    "file:///work/up",
    "file:///home/ann/x",
  ]);
  // A name the server can show; a path that needs escaping stays a valid URI.
  expect(rootsFor(where, server(), {}, ["/tmp/a b#c"])).toEqual([{ uri: "file:///tmp/a%20b%23c", name: "a b#c" }]);
});

test("notifyRootsChanged tells a 2025 server, which asks again and sees the new roots", async () => {
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--features", "--era", "legacy"], { startup_timeout_sec: 60 }) } });
  const ctx = createTestContext({ env: baseEnv(home.home), cwd: home.home });
  let roots: Root[] = [{ uri: "file:///one" }];
  ctx.serverRequests = { ...ctx.serverRequests, listRoots: async () => roots };
  try {
    const connection = await connectServer(ctx, await getServer(ctx, "fx"));
    const text = async (tool: string) => ((await connection.callTool(tool, {})).content[0] as { text: string }).text;
    expect(await text("roots")).toBe('roots: ["file:///one"]');
    roots = [{ uri: "file:///two" }];
    await connection.notifyRootsChanged();
    expect(await text("roots_changed")).toBe("1");
    expect(await text("roots")).toBe('roots: ["file:///two"]');
  } finally {
    await ctx.runCleanups(5_000);
  }
});
