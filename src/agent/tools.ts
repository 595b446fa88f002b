// The bridge between MCP and the Responses API: tools out as `function` tools, calls and results back.
import type { CallToolResult, Tool } from "@modelcontextprotocol/client";
import type { McpConnection } from "../mcp/connect.ts";
import { ToolNameMap } from "../mcp/tool-names.ts";
import type { JsonObject } from "./responses-events.ts";

/** A Responses-API function tool. `strict: false`: MCP schemas rarely meet strict mode's rules. */
export interface FunctionTool {
  type: "function";
  name: string;
  description?: string;
  parameters: JsonObject;
  strict: false;
}

export interface ToolBinding {
  modelName: string;
  server: string;
  tool: Tool;
  connection: McpConnection;
}

/** Every tool of every connected server, under its model-facing name. */
export class Toolset {
  readonly definitions: FunctionTool[];
  private readonly bindings = new Map<string, ToolBinding>();

  constructor(connections: readonly McpConnection[]) {
    const byRef = new Map<string, { tool: Tool; connection: McpConnection }>();
    const refs = connections.flatMap((connection) =>
      connection.tools.map((tool) => {
        byRef.set(JSON.stringify([connection.server.name, tool.name]), { tool, connection });
        return { server: connection.server.name, tool: tool.name };
      }),
    );
    for (const [modelName, ref] of new ToolNameMap(refs).entries()) {
      const found = byRef.get(JSON.stringify([ref.server, ref.tool]))!;
      this.bindings.set(modelName, { modelName, server: ref.server, ...found });
    }
    this.definitions = [...this.bindings.values()].map(toFunctionTool);
  }

  resolve(modelName: string): ToolBinding | undefined {
    return this.bindings.get(modelName);
  }

  get names(): string[] {
    return [...this.bindings.keys()];
  }
}

export function toFunctionTool(binding: ToolBinding): FunctionTool {
  const { tool } = binding;
  const description = tool.description ?? tool.title ?? tool.annotations?.title;
  return {
    type: "function",
    name: binding.modelName,
    ...(description ? { description } : {}),
    parameters: toParameters(tool.inputSchema),
    strict: false,
  };
}

/** The input schema as the API accepts it: an object schema with `properties`, no `$schema`. */
function toParameters(schema: Tool["inputSchema"]): JsonObject {
  const { $schema: _ignored, ...rest } = schema as JsonObject;
  return { ...rest, type: "object", properties: schema.properties ?? {} };
}

export type ParsedArguments = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** The model's arguments string as a JSON object; empty means no arguments. */
export function parseToolArguments(text: string): ParsedArguments {
  if (text.trim() === "") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `the arguments are not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: "the arguments must be a JSON object" };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * A tool result as the text the model reads: text parts joined; other parts named, since a
 * `function_call_output` string cannot carry them; structured content when there is nothing else.
 */
export function toolResultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const item of result.content ?? []) {
    switch (item.type) {
      case "text":
        parts.push(item.text);
        break;
      case "image":
      case "audio":
        parts.push(`[${item.type}: ${item.mimeType}, not shown]`);
        break;
      case "resource":
        parts.push("text" in item.resource ? item.resource.text : `[resource: ${item.resource.uri}]`);
        break;
      case "resource_link":
        parts.push(`[resource link: ${item.uri}${item.name ? ` (${item.name})` : ""}]`);
        break;
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.length === 0 ? "(the tool returned no output)" : parts.join("\n");
}
