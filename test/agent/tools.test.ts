import { describe, expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { toolResultContent } from "../../src/agent/model-input.ts";
import { functionCallOutput, parseToolArguments, Toolset, type ToolBinding } from "../../src/agent/tools.ts";
import type { McpConnection } from "../../src/mcp/connect.ts";

function connection(server: string, tools: Tool[]): McpConnection {
  return { server: { name: server }, tools, capabilities: () => ({ tools: {} }) } as unknown as McpConnection;
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
    const back = toolset.resolve(shortened) as ToolBinding;
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

test("toolResultContent: text parts joined, images kept as images, other parts named, structured content as JSON", () => {
  const output = toolResultContent({
    content: [
      { type: "text", text: "first" },
      { type: "image", data: "AA==", mimeType: "image/png" },
      { type: "image", data: "AA==", mimeType: "image/tiff" },
      { type: "audio", data: "AA==", mimeType: "audio/wav" },
      { type: "resource", resource: { uri: "file:///a.txt", text: "file text" } },
      { type: "resource", resource: { uri: "file:///b.bin", blob: "AA==" } },
      { type: "resource_link", uri: "file:///c", name: "c" },
    ],
  });
  expect(output.text).toBe(
    "first\n[image: image/tiff, not shown: the model reads png, jpeg, gif and webp]\n[audio: audio/wav, not shown]\nfile text\n[resource: file:///b.bin]\n[resource link: file:///c (c)]",
  );
  expect(output.images).toEqual([{ mimeType: "image/png", data: "AA==" }]);
  expect(toolResultContent({ content: [], structuredContent: { sum: 5 } }).text).toBe('{"sum":5}');
  expect(toolResultContent({ content: [] }).text).toBe("(the tool returned no output)");
});

test("functionCallOutput: a string without images, a content array with them", () => {
  expect(functionCallOutput("hi", [])).toBe("hi");
  expect(functionCallOutput("a png", [{ mimeType: "image/png", data: "AA==" }])).toEqual([
    { type: "input_text", text: "a png" },
    { type: "input_image", image_url: "data:image/png;base64,AA==" },
  ]);
});

describe("resource tools", () => {
  test("offered only when a server has resources; marked read-only", () => {
    expect(new Toolset([connection("a", [])]).names).toEqual([]);
    const withResources = { ...connection("docs", []), capabilities: () => ({ resources: {} }) } as unknown as McpConnection;
    const toolset = new Toolset([withResources]);
    expect(toolset.names).toEqual(["list_mcp_resources", "read_mcp_resource"]);
    expect(toolset.resolve("read_mcp_resource")).toEqual({ kind: "resources", modelName: "read_mcp_resource", hints: ["read-only"] });
    expect((toolset.definitions[1]!.parameters as { required: string[] }).required).toEqual(["server", "uri"]);
  });
});

test("a tool list that changed is listed again on refresh(), and the names rebuilt", async () => {
  const b = { name: "b", inputSchema: schema() } as Tool;
  const docs = connection("docs", [{ name: "a", inputSchema: schema() }]);
  docs.refreshTools = async () => (docs.tools = [...docs.tools, b as never]);
  const toolset = new Toolset([docs]);
  expect(await toolset.refresh()).toBeUndefined();
  toolset.markChanged("docs");
  expect(await toolset.refresh()).toEqual({ servers: ["docs"], failed: [] });
  expect(toolset.names).toEqual(["mcp__docs__a", "mcp__docs__b"]);
  docs.refreshTools = async () => {
    throw new Error("gone");
  };
  toolset.markChanged("docs");
  expect(await toolset.refresh()).toEqual({ servers: ["docs"], failed: [{ server: "docs", error: "gone" }] });
  expect(toolset.names).toEqual(["mcp__docs__a", "mcp__docs__b"]);
});
