import { describe, expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { parseToolArguments, toolResultText, Toolset } from "../../src/agent/tools.ts";
import type { McpConnection } from "../../src/mcp/connect.ts";

function connection(server: string, tools: Tool[]): McpConnection {
  return { server: { name: server }, tools } as unknown as McpConnection;
}

const schema = (properties: Record<string, object> = {}): Tool["inputSchema"] => ({ type: "object", properties });

describe("Toolset", () => {
  test("offers every server's tools as function tools under mcp__ names (sorted), and maps them back", () => {
    const docs = connection("docs", [
      { name: "search", description: "Search the docs.", inputSchema: { ...schema({ q: { type: "string" } }), required: ["q"] } },
      { name: "read.file", inputSchema: { type: "object" } },
    ]);
    const toolset = new Toolset([docs, connection("git", [{ name: "log", title: "Git log", inputSchema: schema() }])]);
    const shortened = toolset.names.find((name) => name.startsWith("mcp__docs__read_file_"))!;
    expect(toolset.names).toEqual([shortened, "mcp__docs__search", "mcp__git__log"]);
    expect(toolset.definitions).toEqual([
      { type: "function", name: shortened, parameters: { type: "object", properties: {} }, strict: false },
      {
        type: "function",
        name: "mcp__docs__search",
        description: "Search the docs.",
        parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
        strict: false,
      },
      { type: "function", name: "mcp__git__log", description: "Git log", parameters: { type: "object", properties: {} }, strict: false },
    ]);
    const back = toolset.resolve(shortened)!;
    expect([back.server, back.tool.name, back.connection]).toEqual(["docs", "read.file", docs]);
    expect(toolset.resolve("mcp__docs__nope")).toBeUndefined();
  });

  test("drops $schema, which the API does not want in parameters", () => {
    const tool = { name: "t", inputSchema: { $schema: "http://json-schema.org/draft-07/schema#", ...schema() } } as Tool;
    expect(new Toolset([connection("s", [tool])]).definitions[0]!.parameters).toEqual({ type: "object", properties: {} });
  });
});

test("parseToolArguments: a JSON object, empty as {}, anything else an error", () => {
  expect(parseToolArguments('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  expect(parseToolArguments("  ")).toEqual({ ok: true, value: {} });
  expect(parseToolArguments("[1]")).toEqual({ ok: false, error: "the arguments must be a JSON object" });
  expect(parseToolArguments("{oops").ok).toBe(false);
});

test("toolResultText: text parts joined, other parts named, structured content as JSON", () => {
  const text = toolResultText({
    content: [
      { type: "text", text: "first" },
      { type: "image", data: "AA==", mimeType: "image/png" },
      { type: "resource", resource: { uri: "file:///a.txt", text: "file text" } },
      { type: "resource", resource: { uri: "file:///b.bin", blob: "AA==" } },
      { type: "resource_link", uri: "file:///c", name: "c" },
    ],
  });
  expect(text).toBe("first\n[image: image/png, not shown]\nfile text\n[resource: file:///b.bin]\n[resource link: file:///c (c)]");
  expect(toolResultText({ content: [], structuredContent: { sum: 5 } })).toBe('{"sum":5}');
  expect(toolResultText({ content: [] })).toBe("(the tool returned no output)");
});
