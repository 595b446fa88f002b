// The compiled binary serves: a client configured with only `tether mcp serve` reaches the upstream.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { baseEnv, makeHome } from "../support/cli.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";

let home: ReturnType<typeof makeHome>;
let binary: string;
beforeAll(async () => {
  home = makeHome();
  binary = await ensureHostBinary();
}, 300_000);
afterAll(() => home.cleanup());

test("compiled tether mcp serve on stdio: list, call, read, get", async () => {
  writeConfig(home.configPath, { servers: { docs: stdioFixture(["--features", "--name", "docs", "--tools", "add"]) } });
  const client = new Client({ name: "binary-test", version: "0" }, { versionNegotiation: { mode: "auto" } });
  await client.connect(new StdioClientTransport({ command: binary, args: ["mcp", "serve"], env: baseEnv(home.home), stderr: "pipe" }));
  try {
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["docs__add", ...["ask", "ask_url", "chatty", "grow", "roots", "roots_changed", "sample"].map((t) => `docs__${t}`)]);
    expect((await client.callTool({ name: "docs__add", arguments: { a: 1, b: 2 } })).content).toEqual([{ type: "text", text: "3" }]);
    expect((await client.readResource({ uri: "docs://docs/readme" })).contents[0]).toMatchObject({ text: "# Fixture\nhello from a resource\n" });
    expect((await client.getPrompt({ name: "docs__greet", arguments: { name: "Bo" } })).messages[0]!.content).toEqual({ type: "text", text: "Hello, Bo!" });
  } finally {
    await client.close();
  }
}, 120_000);
