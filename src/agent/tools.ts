// The bridge between MCP and the Responses API: tools out as `function` tools, calls and results back.
import type { CallToolResult, Tool } from "@modelcontextprotocol/client";
import type { McpConnection } from "../mcp/connect.ts";
import { base64Bytes } from "../mcp/content.ts";
import { ToolNameMap } from "../mcp/tool-names.ts";
import { type ToolHint, toolHints } from "./approvals.ts";
import { RESOURCE_TOOL_DEFINITIONS, type ResourceToolName } from "./resource-tools.ts";
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
  kind: "mcp";
  modelName: string;
  server: string;
  tool: Tool;
  connection: McpConnection;
  hints: ToolHint[];
}

/** tether's own `list_mcp_resources` / `read_mcp_resource`, offered when a server has resources. */
export interface ResourceToolBinding {
  kind: "resources";
  modelName: ResourceToolName;
  hints: ToolHint[];
}

export type Binding = ToolBinding | ResourceToolBinding;

/**
 * Every tool of every connected server, under its model-facing name, plus the resource tools when
 * a server has resources. A server's tool list may change during a run (list_changed): the
 * connection's refreshTools() is called before the next model turn, and the names rebuilt.
 */
export class Toolset {
  definitions: FunctionTool[] = [];
  private bindings = new Map<string, Binding>();
  /** Servers that said their tool list changed since the last refresh. */
  private readonly changed = new Set<string>();

  constructor(private readonly connections: readonly McpConnection[]) {
    this.rebuild();
  }

  /** A server's `notifications/tools/list_changed`: its tools are listed again before the next turn. */
  markChanged(server: string): void {
    this.changed.add(server);
  }

  /** Lists the tools of the servers that changed; undefined when none did. A failed listing keeps the old tools. */
  async refresh(): Promise<ToolRefresh | undefined> {
    if (this.changed.size === 0) return undefined;
    const servers = [...this.changed];
    this.changed.clear();
    const failed: ToolRefresh["failed"] = [];
    await Promise.all(
      servers.map(async (name) => {
        const connection = this.connections.find((c) => c.server.name === name);
        if (!connection) return;
        try {
          await connection.refreshTools();
        } catch (error) {
          failed.push({ server: name, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    this.rebuild();
    return { servers, failed };
  }

  resolve(modelName: string): Binding | undefined {
    return this.bindings.get(modelName);
  }

  get names(): string[] {
    return [...this.bindings.keys()];
  }

  /** The connections that offer resources, for the resource tools. */
  get resourceServers(): McpConnection[] {
    return this.connections.filter((connection) => connection.capabilities()?.resources !== undefined);
  }

  private rebuild(): void {
    const byRef = new Map<string, { tool: Tool; connection: McpConnection }>();
    const refs = this.connections.flatMap((connection) =>
      connection.tools.map((tool) => {
        byRef.set(JSON.stringify([connection.server.name, tool.name]), { tool, connection });
        return { server: connection.server.name, tool: tool.name };
      }),
    );
    const bindings = new Map<string, Binding>();
    for (const [modelName, ref] of new ToolNameMap(refs).entries()) {
      const found = byRef.get(JSON.stringify([ref.server, ref.tool]))!;
      bindings.set(modelName, { kind: "mcp", modelName, server: ref.server, ...found, hints: toolHints(found.tool.annotations) });
    }
    const definitions = [...bindings.values()].map((binding) => toFunctionTool(binding as ToolBinding));
    // MCP tools are always `mcp__…`, so these names never collide with a server's.
    if (this.resourceServers.length > 0) {
      for (const definition of RESOURCE_TOOL_DEFINITIONS) {
        bindings.set(definition.name, { kind: "resources", modelName: definition.name as ResourceToolName, hints: ["read-only"] });
        definitions.push(definition);
      }
    }
    this.bindings = bindings;
    this.definitions = definitions;
  }
}

export interface ToolRefresh {
  /** The servers whose tools were listed again. */
  servers: string[];
  failed: { server: string; error: string }[];
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

/** What goes back to the model for one tool call: text, and the images it can see. */
export interface ToolOutput {
  text: string;
  images: ImageInput[];
}

export interface ImageInput {
  mimeType: string;
  /** Base64, as MCP sends it. */
  data: string;
}

/** The image types the Responses API reads; others are described instead. */
const MODEL_IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** Base64 characters of one image sent to the model (about 15 MiB decoded); larger ones are described. */
export const MAX_IMAGE_BASE64_CHARS = 20 * 1024 * 1024;

/**
 * A tool result as the model reads it: text parts joined, images as images, other parts (audio,
 * blobs) described, since the model cannot take them; structured content when there is nothing else.
 */
export function toolResultContent(result: CallToolResult): ToolOutput {
  const parts: string[] = [];
  const images: ImageInput[] = [];
  for (const item of result.content ?? []) {
    switch (item.type) {
      case "text":
        parts.push(item.text);
        break;
      case "image":
        addImage(parts, images, item.mimeType, item.data);
        break;
      case "audio":
        parts.push(`[audio: ${item.mimeType}, not shown]`);
        break;
      case "resource":
        if ("text" in item.resource) parts.push(item.resource.text);
        else if (item.resource.mimeType?.startsWith("image/")) addImage(parts, images, item.resource.mimeType, item.resource.blob, item.resource.uri);
        else parts.push(`[resource: ${item.resource.uri}]`);
        break;
      case "resource_link":
        parts.push(`[resource link: ${item.uri}${item.name ? ` (${item.name})` : ""}]`);
        break;
    }
  }
  if (parts.length === 0 && images.length === 0 && result.structuredContent !== undefined) return { text: JSON.stringify(result.structuredContent), images };
  if (parts.length === 0 && images.length === 0) return { text: "(the tool returned no output)", images };
  return { text: parts.join("\n"), images };
}

/** An image the model can read goes to it as one; any other is named in the text. */
export function addImage(parts: string[], images: ImageInput[], mimeType: string, data: string, uri?: string): void {
  const what = uri ? `image ${uri}` : "image";
  if (!MODEL_IMAGE_TYPES.has(mimeType.toLowerCase())) parts.push(`[${what}: ${mimeType}, not shown: the model reads png, jpeg, gif and webp]`);
  else if (data.length > MAX_IMAGE_BASE64_CHARS) parts.push(`[${what}: ${mimeType}, ${base64Bytes(data)} bytes, too large to show the model]`);
  else images.push({ mimeType, data });
}

/** The `output` of a `function_call_output`: a string, or a content array when there are images. */
export function functionCallOutput(text: string, images: readonly ImageInput[]): string | JsonObject[] {
  if (images.length === 0) return text;
  return [
    ...(text === "" ? [] : [{ type: "input_text", text }]),
    ...images.map((image) => ({ type: "input_image", image_url: `data:${image.mimeType};base64,${image.data}` })),
  ];
}
