// `list_mcp_resources` and `read_mcp_resource`: the model's way to MCP resources, with Codex's
// names and parameters (list takes an optional `server`, read takes `server` and `uri`). They are
// offered only when a connected server has resources, and go through the approval gate like any tool.
import type { McpConnection } from "../mcp/connect.ts";
import type { FunctionTool, JsonObject } from "./responses-events.ts";
import { addResource, type ModelParts, RESOURCE_WORDING, type ToolOutput } from "./model-input.ts";

export type ResourceToolName = "list_mcp_resources" | "read_mcp_resource";

export const RESOURCE_TOOL_DEFINITIONS: FunctionTool[] = [
  {
    type: "function",
    name: "list_mcp_resources",
    description:
      "Lists the resources MCP servers offer (uri, name, mime type, description). Resources are context the " +
      "servers provide: files, schemas, documents. Give `server` to list one server's; omit it for every server's.",
    parameters: {
      type: "object",
      properties: { server: { type: "string", description: "The MCP server's name; omit for every server." } },
      additionalProperties: false,
    },
    strict: false,
  },
  {
    type: "function",
    name: "read_mcp_resource",
    description: "Reads one resource from an MCP server, by the server's name and the resource's URI (from list_mcp_resources).",
    parameters: {
      type: "object",
      properties: {
        server: { type: "string", description: "The MCP server's name, as list_mcp_resources gives it." },
        uri: { type: "string", description: "The resource's URI." },
      },
      required: ["server", "uri"],
      additionalProperties: false,
    },
    strict: false,
  },
];

export interface ResourceToolResult {
  isError: boolean;
  output: ToolOutput;
}

/** The server a call names, if it names one as a string (for approvals and the views). */
export function resourceToolServer(args: Record<string, unknown>): string | undefined {
  return typeof args.server === "string" && args.server !== "" ? args.server : undefined;
}

export async function runResourceTool(
  name: ResourceToolName,
  args: Record<string, unknown>,
  servers: readonly McpConnection[],
  signal: AbortSignal,
): Promise<ResourceToolResult> {
  return name === "list_mcp_resources" ? listResources(args, servers) : readResource(args, servers, signal);
}

async function listResources(args: Record<string, unknown>, servers: readonly McpConnection[]): Promise<ResourceToolResult> {
  if (args.server !== undefined && typeof args.server !== "string") return failed("`server` must be a string");
  const named = resourceToolServer(args);
  let chosen = servers;
  if (named !== undefined) {
    const one = servers.find((connection) => connection.server.name === named);
    if (!one) return failed(unknownServer(named, servers));
    chosen = [one];
  }
  const resources: JsonObject[] = [];
  const errors: JsonObject[] = [];
  await Promise.all(
    chosen.map(async (connection) => {
      try {
        for (const resource of await connection.listResources()) {
          resources.push({
            server: connection.server.name,
            uri: resource.uri,
            name: resource.name,
            ...(resource.title ? { title: resource.title } : {}),
            ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
            ...(resource.size !== undefined ? { size: resource.size } : {}),
            ...(resource.description ? { description: resource.description } : {}),
          });
        }
      } catch (error) {
        errors.push({ server: connection.server.name, error: message(error) });
      }
    }),
  );
  // Servers answer in any order; the model sees them in config order.
  const order = (server: unknown) => chosen.findIndex((connection) => connection.server.name === server);
  resources.sort((a, b) => order(a.server) - order(b.server));
  if (named !== undefined && errors.length > 0) return failed(String(errors[0]!.error));
  return { isError: false, output: { text: JSON.stringify({ resources, ...(errors.length > 0 ? { errors } : {}) }), images: [] } };
}

async function readResource(args: Record<string, unknown>, servers: readonly McpConnection[], signal: AbortSignal): Promise<ResourceToolResult> {
  const server = resourceToolServer(args);
  if (server === undefined) return failed("`server` is required: the name of an MCP server from list_mcp_resources");
  if (typeof args.uri !== "string" || args.uri === "") return failed("`uri` is required: a resource URI from list_mcp_resources");
  const connection = servers.find((c) => c.server.name === server);
  if (!connection) return failed(unknownServer(server, servers));
  let contents;
  try {
    ({ contents } = await connection.readResource(args.uri, { signal }));
  } catch (error) {
    if (signal.aborted) throw error;
    return failed(message(error));
  }
  const { parts, images }: ModelParts = { parts: [], images: [] };
  for (const content of contents) addResource({ parts, images }, content, { images: true, wording: RESOURCE_WORDING });
  const text = parts.length === 0 && images.length === 0 ? "(the resource is empty)" : parts.join("\n");
  return { isError: false, output: { text, images } };
}

function unknownServer(name: string, servers: readonly McpConnection[]): string {
  const names = servers.map((connection) => connection.server.name);
  return `no connected server named "${name}" has resources; servers with resources: ${names.join(", ") || "none"}`;
}

function failed(text: string): ResourceToolResult {
  return { isError: true, output: { text, images: [] } };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
