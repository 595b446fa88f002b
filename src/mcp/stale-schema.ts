// A call made with a cached tool list (list-cache.ts) may find the list stale: the tool was renamed,
// removed or added, or its parameters changed. The spec allows re-fetching then ("an unexpected
// error on a tool call indicating the method was not found or the parameters were invalid",
// SEP-2549): tether lists the tools once more and, when the server refused the call, calls again
// once. A refused call did not run, so calling again never runs a tool twice.
import type { CallToolResult, Tool } from "@modelcontextprotocol/client";
import { TetherError, UsageError } from "../errors.ts";
import { closest } from "../suggest.ts";
import type { ArgumentInput } from "./argument-files.ts";
import { coerceArguments } from "./coerce.ts";
import type { McpConnection } from "./connect.ts";
import { isToolAllowed } from "./tool-filter.ts";

/** JSON-RPC "invalid params" (the SDK's ProtocolErrorCode.InvalidParams). */
const INVALID_PARAMS = -32602;

/**
 * What says a call was refused for a schema tether had wrong: JSON-RPC -32602 (invalid params; the
 * spec's answer to an unknown tool too), or an error result that only says the tool is unknown (as
 * some SDK servers answer instead).
 */
function pointsToStaleSchema(outcome: { error: unknown } | { result: CallToolResult }): boolean {
  if ("error" in outcome) {
    const cause = outcome.error instanceof TetherError ? outcome.error.cause : outcome.error;
    // The SDK's ProtocolError, read by its code so that `mcp call` through the keep-alive daemon loads no SDK.
    return cause instanceof Error && (cause as { code?: unknown }).code === INVALID_PARAMS;
  }
  const { result } = outcome;
  if (!result.isError) return false;
  const text = (result.content ?? [])
    .map((c) => (c.type === "text" ? c.text : ""))
    .join(" ")
    .slice(0, 500);
  return /\bunknown tool\b|\btool\b[^\n.]{0,120}\bnot found\b|\bno such tool\b/i.test(text);
}

/** A tool call made: on which connection, which tool, with what arguments, and its result. */
export interface ToolCallOutcome {
  connection: McpConnection;
  tool: Tool;
  arguments: Record<string, unknown>;
  result: CallToolResult;
}

export async function callWithFreshSchema(
  connection: McpConnection,
  toolName: string,
  input: ArgumentInput,
  call: (tool: Tool, args: Record<string, unknown>) => Promise<CallToolResult>,
): Promise<ToolCallOutcome> {
  const prepare = () => {
    const tool = findTool(connection, toolName);
    return { tool, args: coerceArguments(tool.inputSchema, input.pairs, input.argsJson) };
  };
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare();
  } catch (error) {
    // An unknown tool, or arguments the cached schema rejects: the list may be what is old.
    if (!connection.toolsFromCache) throw error;
    await connection.refreshTools();
    prepared = prepare();
  }
  const attempt = async (p: typeof prepared) => {
    try {
      return { result: await call(p.tool, p.args) };
    } catch (error) {
      return { error };
    }
  };
  let outcome = await attempt(prepared);
  if (connection.toolsFromCache && pointsToStaleSchema(outcome)) {
    await connection.refreshTools();
    prepared = prepare();
    outcome = await attempt(prepared);
  }
  if ("error" in outcome) throw outcome.error;
  return { connection, tool: prepared.tool, arguments: prepared.args, result: outcome.result };
}

/** The connection's tool of that name; an unknown or turned-off tool is a usage error naming the nearest one. */
export function findTool(connection: McpConnection, name: string): Tool {
  const tool = connection.tools.find((t) => t.name === name);
  if (tool) return tool;
  const server = connection.server;
  if (!isToolAllowed(server, name)) {
    throw new UsageError(`tool "${name}" is turned off for server "${server.name}" (enabled_tools / disabled_tools)`);
  }
  const names = connection.tools.map((t) => t.name);
  const near = closest(name, names);
  throw new UsageError(`server "${server.name}" has no tool "${name}"`, {
    hint: near ? `did you mean "${near}"?` : `tools: ${names.join(", ") || "(none)"}`,
  });
}
