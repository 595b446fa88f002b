// Telemetry for `tether mcp serve`: one `tether.tool_result` per proxied call (with `mcp.server`
// and `mcp.client`) and one `tether.mcp_request` per upstream request, through the same sink,
// metadata and secret scrubbing as `tether exec` (./run-telemetry.ts). Who asked: `mcp.client` is
// the name the client declared (anyone can declare any name); `mcp.client.id` is serve's keyed HMAC
// of the client's session or credential (serve/client-identity.ts), which a client cannot choose;
// `enduser.id` the OAuth subject of its access token behind --auth-issuer.
import type { CallToolResult } from "@modelcontextprotocol/client";
import { toolResultContent } from "../agent/model-input.ts";
import type { TetherConfig } from "../config/types.ts";
import { ms } from "./agent-events.ts";
import { type RecordEmitter, type RunTelemetryContext, startRunTelemetry } from "./run-telemetry.ts";
import type { MetricsRecorder } from "./metrics.ts";
import { toolAttributes } from "./metrics-observers.ts";

/** The downstream client behind a record. */
export interface DownstreamWho {
  /** The client's declared name, when it said. */
  client?: string;
  /** serve's keyed HMAC of its session or credential; absent for an anonymous stateless request. */
  clientId?: string;
  /** The OAuth subject of its access token (serve --auth-issuer): who the issuer says it is. */
  subject?: string;
}

export interface ProxiedCallRecord extends DownstreamWho {
  /** The served name the client called (`docs__search`). */
  toolName: string;
  server: string;
  tool: string;
  callId: string;
  /** As the client sent them: serialized only when telemetry is on. */
  arguments: Record<string, unknown>;
  durationMs: number;
  /** The upstream's result, or why there is none. */
  outcome: { result: CallToolResult } | { error: unknown };
}

/** The config's tool policy (enabled_tools / disabled_tools) deciding a proxied call. */
export interface ProxiedDecisionRecord extends DownstreamWho {
  toolName: string;
  server: string;
  tool: string;
  callId: string;
  decision: "approved" | "denied";
}

/** One request tether made upstream; `client` / `clientId` absent for serve's own (lists it caches for every client). */
export interface UpstreamRequestRecord extends DownstreamWho {
  method: string;
  server: string;
  durationMs: number;
  error?: string;
}

export interface ServeTelemetry {
  toolDecision(record: ProxiedDecisionRecord): void;
  toolResult(record: ProxiedCallRecord): void;
  mcpRequest(record: UpstreamRequestRecord): void;
}

export const NOOP_SERVE_TELEMETRY: ServeTelemetry = { toolDecision() {}, toolResult() {}, mcpRequest() {} };

/** Output kept in a record: enough to see what happened, bounded so a 10 MiB result is not exported. */
const MAX_OUTPUT_CHARS = 4_096;

export async function startServeTelemetry(ctx: RunTelemetryContext, config: TetherConfig, warn?: (message: string) => void): Promise<ServeTelemetry> {
  const run = await startRunTelemetry(ctx, config, { warn });
  if (!run) return NOOP_SERVE_TELEMETRY;
  // Metrics (issue 23): the same calls, measured.
  const metrics = run.metrics ? serveMetrics(run.metrics) : undefined;
  const records = run.emit ? serveRecords(run.emit) : undefined;
  if (metrics && records) return fanOutServe(records, metrics);
  return metrics ?? records ?? NOOP_SERVE_TELEMETRY;
}

/** The serve events as log records. */
function serveRecords(emit: RecordEmitter): ServeTelemetry {
  return {
    toolDecision(r) {
      emit("tether.tool_decision", {
        tool_name: r.toolName,
        call_id: r.callId,
        decision: r.decision,
        source: "config",
        "mcp.server": r.server,
        "mcp.tool": r.tool,
        ...who(r),
      });
    },
    toolResult(r) {
      const result = "result" in r.outcome ? r.outcome.result : undefined;
      // The text the model would read of this result (as exec records it), or the failure.
      const output = result ? toolResultContent(result).text : errorMessage("error" in r.outcome ? r.outcome.error : undefined);
      emit("tether.tool_result", {
        tool_name: r.toolName,
        call_id: r.callId,
        arguments: JSON.stringify(r.arguments),
        duration_ms: ms(r.durationMs),
        success: result !== undefined && !result.isError ? "true" : "false",
        output: output.length > MAX_OUTPUT_CHARS ? `${output.slice(0, MAX_OUTPUT_CHARS)}…` : output,
        "mcp.server": r.server,
        "mcp.tool": r.tool,
        ...who(r),
      });
    },
    mcpRequest(r) {
      emit("tether.mcp_request", {
        method: r.method,
        "mcp.server": r.server,
        ...who(r),
        duration_ms: ms(r.durationMs),
        success: r.error === undefined ? "true" : "false",
        ...(r.error !== undefined ? { "error.message": r.error } : {}),
      });
    },
  };
}

function who(r: DownstreamWho): Record<string, string> {
  return {
    ...(r.client ? { "mcp.client": r.client } : {}),
    ...(r.clientId ? { "mcp.client.id": r.clientId } : {}),
    // OpenTelemetry's attribute for the authenticated user.
    ...(r.subject ? { "enduser.id": r.subject } : {}),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `tether mcp serve`: proxied tool calls, and every upstream request (rate and latency per upstream). */
export function serveMetrics(metrics: MetricsRecorder): ServeTelemetry {
  return {
    toolDecision(r: ProxiedDecisionRecord) {
      // An approved call is counted with its result.
      if (r.decision === "denied") metrics.record("toolCalls", 1, toolAttributes(r.server, r.tool, "denied"));
    },
    toolResult(r: ProxiedCallRecord) {
      const success = "result" in r.outcome && r.outcome.result.isError !== true;
      const attributes = toolAttributes(r.server, r.tool, success ? "success" : "error");
      metrics.record("toolCalls", 1, attributes);
      metrics.record("toolDuration", r.durationMs / 1000, attributes);
    },
    mcpRequest(r: UpstreamRequestRecord) {
      metrics.record("mcpDuration", r.durationMs / 1000, { "mcp.method.name": r.method, "mcp.server": r.server, ...(r.error !== undefined && { "error.type": "_OTHER" }) });
    },
  };
}

/** Each ServeTelemetry call to all of `sinks`. */
export function fanOutServe(...sinks: ServeTelemetry[]): ServeTelemetry {
  return {
    toolDecision: (r) => sinks.forEach((s) => s.toolDecision(r)),
    toolResult: (r) => sinks.forEach((s) => s.toolResult(r)),
    mcpRequest: (r) => sinks.forEach((s) => s.mcpRequest(r)),
  };
}
