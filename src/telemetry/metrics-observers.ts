// Where the metrics' measurements come from (issue 23): the same observation points as the log
// records (the agent's event stream here; serve's ServeTelemetry in ./serve-events.ts and sampling
// records in ./sampling-events.ts, beside the records they observe), each turned into
// measurements on the run's MetricsRecorder (./metrics.ts). Attributes are names and
// outcomes only, never messages or arguments: low cardinality, nothing secret.
import type { AgentObserver } from "../agent/events.ts";
import type { MetricsRecorder } from "./metrics.ts";

/** `outcome` of tether.tool.calls: it ran and succeeded, it ran and failed (or could not run), or it was refused. */
export type ToolOutcomeName = "success" | "error" | "denied";

/** The model behind gen_ai.* measurements. */
export interface ModelAttributes {
  model?: string;
  provider?: string;
}

/** semconv's error.type for a failed model request: its HTTP status, else `_OTHER`. */
function modelErrorType(statusCode: number | undefined): string {
  return statusCode !== undefined && statusCode >= 400 ? String(statusCode) : "_OTHER";
}

export function genAi(model: ModelAttributes): Record<string, string> {
  return {
    "gen_ai.operation.name": "chat",
    ...(model.provider !== undefined && { "gen_ai.provider.name": model.provider }),
    ...(model.model !== undefined && { "gen_ai.request.model": model.model }),
  };
}

export function recordTokens(metrics: MetricsRecorder, model: ModelAttributes, input: number | undefined, output: number | undefined): void {
  if (input !== undefined) metrics.record("tokenUsage", input, { ...genAi(model), "gen_ai.token.type": "input" });
  if (output !== undefined) metrics.record("tokenUsage", output, { ...genAi(model), "gen_ai.token.type": "output" });
}

export function toolAttributes(server: string | undefined, tool: string | undefined, outcome: ToolOutcomeName): Record<string, string> {
  return { ...(server !== undefined && { "mcp.server": server }), ...(tool !== undefined && { "mcp.tool": tool }), outcome };
}

/** `tether exec`: model requests and tokens, tool calls, and the MCP requests behind them. */
export function agentMetricsObserver(metrics: MetricsRecorder, initial: ModelAttributes): AgentObserver {
  let model = initial;
  // Calls the approval let run, by call id: only those have a duration worth recording.
  const ran = new Set<string>();
  const denied = new Set<string>();
  return (event) => {
    switch (event.type) {
      case "session.started":
        model = { model: event.info.model, provider: event.info.provider };
        return;
      case "api.request": {
        const { record } = event;
        const failed = record.errorMessage !== undefined && { "error.type": modelErrorType(record.statusCode) };
        metrics.record("modelDuration", record.durationMs / 1000, { ...genAi(model), ...failed });
        return;
      }
      case "turn.completed":
        if (event.usage) recordTokens(metrics, model, event.usage.inputTokens, event.usage.outputTokens);
        return;
      case "tool.decision": {
        const { call, verdict } = event;
        if (verdict.decision === "abort") metrics.record("toolCalls", 1, toolAttributes(call.server, call.tool, "denied"));
        else if (verdict.refusal !== undefined || verdict.decision === "denied") denied.add(call.callId);
        else ran.add(call.callId);
        return;
      }
      case "tool.result": {
        const { call, outcome } = event;
        // A name no tool has: the model's invention is no series of its own.
        const known = call.server !== undefined;
        const name: ToolOutcomeName = denied.delete(call.callId) ? "denied" : outcome.success && ran.has(call.callId) ? "success" : "error";
        metrics.record("toolCalls", 1, toolAttributes(call.server, known ? call.tool : undefined, name));
        if (!ran.delete(call.callId)) return;
        const seconds = outcome.durationMs / 1000;
        metrics.record("toolDuration", seconds, toolAttributes(call.server, call.tool, name));
        // list_mcp_resources asks every server; the other tools are one request to one server.
        const method = call.name === "read_mcp_resource" ? "resources/read" : call.name === "list_mcp_resources" ? undefined : "tools/call";
        if (method) metrics.record("mcpDuration", seconds, { "mcp.method.name": method, "mcp.server": call.server!, ...(name === "error" && { "error.type": "tool_error" }) });
        return;
      }
    }
  };
}
