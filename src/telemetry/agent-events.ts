// The agent's events as telemetry records: SPEC §7's five events with exactly its attributes, the
// prompt redacted unless `log_user_prompt`. The agent sees only AgentEventSink; which exporter runs
// (and the metadata every record shares, ./run-records.ts) is not its business.
import type { AgentEventSink } from "../agent/events.ts";
import type { TelemetrySink } from "./index.ts";

export const REDACTED = "[REDACTED]";

export type EventName =
  | "tether.api_request"
  | "tether.sse_event"
  | "tether.user_prompt"
  | "tether.tool_decision"
  | "tether.tool_result";

export interface TelemetryEventSinkOptions {
  logUserPrompt: boolean;
}

type Attributes = Record<string, string | number | boolean | undefined>;

export function telemetryEventSink(telemetry: TelemetrySink, options: TelemetryEventSinkOptions): AgentEventSink {
  const emit = (name: EventName, attributes: Attributes): void => telemetry.emit(name, defined(attributes));
  return {
    apiRequest(record) {
      emit("tether.api_request", {
        attempt: record.attempt,
        duration_ms: ms(record.durationMs),
        "http.response.status_code": record.statusCode,
        "error.message": record.errorMessage,
        "request.id": record.requestId,
      });
    },
    sseEvent(record) {
      const usage = record.usage;
      emit("tether.sse_event", {
        "event.kind": record.kind,
        duration_ms: ms(record.durationMs),
        "error.message": record.errorMessage,
        input_token_count: usage?.inputTokens,
        output_token_count: usage?.outputTokens,
        cached_token_count: usage?.cachedTokens,
        reasoning_token_count: usage?.reasoningTokens,
        tool_token_count: usage?.totalTokens,
      });
    },
    userPrompt(prompt) {
      emit("tether.user_prompt", { prompt_length: prompt.length, prompt: options.logUserPrompt ? prompt : REDACTED });
    },
    toolDecision(record) {
      emit("tether.tool_decision", {
        tool_name: record.toolName,
        call_id: record.callId,
        decision: record.decision,
        source: record.source,
      });
    },
    toolResult(record) {
      emit("tether.tool_result", {
        tool_name: record.toolName,
        call_id: record.callId,
        arguments: record.arguments,
        duration_ms: ms(record.durationMs),
        success: record.success ? "true" : "false",
        output: record.output,
      });
    },
  };
}

/** Optional attributes (`status_code`?, `error.message`?, ...) are left out, not sent empty. */
function defined(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key in attributes) if (attributes[key] !== undefined) out[key] = attributes[key];
  return out;
}

/** Whole milliseconds: an OTLP int, not a double with clock noise. */
function ms(value: number): number {
  return Math.max(0, Math.round(value));
}
