// `tether mcp serve --tool-search`: two tools instead of hundreds, offline ranking.
import { expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/client";
import { ToolIndex, words } from "../../src/serve/tool-search.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { servePerTest } from "./harness.ts";

const tool = (name: string, description = "", params: string[] = []): Tool => ({
  name,
  description,
  inputSchema: { type: "object", properties: Object.fromEntries(params.map((p) => [p, { type: "string" }])) },
});

test("words: split on separators and camelCase, lower-cased", () => {
  expect(words("github__createIssue v2-API")).toEqual(["github", "create", "issue", "v2", "api"]);
});

test("ranking: name beats parameter beats description; rare words count more; prefixes count half", () => {
  const index = new ToolIndex([
    tool("gh__get_issue", "Get one issue", ["issue_number"]),
    tool("gh__get_user", "Get a user", ["login"]),
    tool("gh__get_repo", "Get a repository; mentions issue in passing"),
    tool("fs__read_file", "Read a file", ["path"]),
    tool("fs__search", "Find files by content", ["query"]),
  ]);
  expect(index.search("issue").map((r) => r.tool.name)).toEqual(["gh__get_issue", "gh__get_repo"]);
  expect(index.search("get user")[0]!.tool.name).toBe("gh__get_user");
  expect(index.search("sear")[0]!.tool.name).toBe("fs__search");
  expect(index.search("path")[0]!.tool.name).toBe("fs__read_file");
  expect(index.search("")).toEqual([]);
  expect(index.search("get", 2)).toHaveLength(2);
});

const serve = servePerTest();

test("with 500 tools upstream: search_tools finds them, call_tool runs them", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--many-tools", "500"], { startup_timeout_sec: 60 }) } });
  const served = await serve.stdio(["--tool-search"]);
  const { tools } = await served.client.listTools();
  expect(tools.map((t) => t.name)).toEqual(["search_tools", "call_tool"]);

  const found = await served.client.callTool({ name: "search_tools", arguments: { query: "add two numbers" } });
  const hits = (found.structuredContent as { tools: { name: string; description: string; inputSchema: { properties: object } }[] }).tools;
  expect(hits[0]!.name).toBe("docs__add");
  expect(hits[0]!.description).toBe("Add two numbers.");
  expect(Object.keys(hits[0]!.inputSchema.properties)).toEqual(["a", "b"]);

  const numbered = await served.client.callTool({ name: "search_tools", arguments: { query: "tool 250", limit: 3 } });
  const numberedHits = (numbered.structuredContent as { tools: { name: string }[] }).tools;
  expect(numberedHits[0]!.name).toBe("docs__tool_250");
  expect(numberedHits).toHaveLength(3);

  const sum = await served.client.callTool({ name: "call_tool", arguments: { name: "docs__add", arguments: { a: 1, b: 2 } } });
  expect(sum.content).toEqual([{ type: "text", text: "3" }]);
  const extra = await served.client.callTool({ name: "call_tool", arguments: { name: "docs__tool_499" } });
  expect(extra.content).toEqual([{ type: "text", text: "tool_499" }]);
  await expect(served.client.callTool({ name: "docs__add", arguments: { a: 1, b: 2 } })).rejects.toThrow(/only search_tools and call_tool/);
}, 60_000);
