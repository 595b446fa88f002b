// The bridge between MCP and the Responses API: tools out as `function` tools, calls and results back.
import type { Tool } from "@modelcontextprotocol/client";
import type { McpConnection } from "../mcp/connect.ts";
import { ToolNameMap } from "../mcp/tool-names.ts";
import { type ToolHint, toolHints } from "./approvals.ts";
import { type ImageInput, imageItem } from "./model-input.ts";
import { RESOURCE_TOOL_DEFINITIONS, type ResourceToolName } from "./resource-tools.ts";
import type { FunctionTool, JsonObject } from "./responses-events.ts";

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

  /**
   * `changed`: the servers that said their tool list changed since the last refresh. A caller may
   * pass the set its list_changed handler fills, since notifications arrive while the servers are
   * still connecting, before there is a toolset.
   */
  constructor(
    private readonly connections: readonly McpConnection[],
    private readonly changed = new Set<string>(),
  ) {
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

/** The `output` of a `function_call_output`: a string, or a content array when there are images. */
export function functionCallOutput(text: string, images: readonly ImageInput[]): string | JsonObject[] {
  if (images.length === 0) return text;
  return [
    ...(text === "" ? [] : [{ type: "input_text", text }]),
    ...images.map(imageItem),
  ];
}
