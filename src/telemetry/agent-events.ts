// The agent's events as telemetry records: SPEC §7's five events with exactly its attributes, the
// prompt redacted unless `log_user_prompt`. Telemetry is one observer of the agent's event stream;
// which exporter runs (and the metadata every record shares, ./run-records.ts) is not the agent's business.
import type { AgentObserver } from "../agent/events.ts";
import type { TelemetrySink } from "./sink.ts";

export const REDACTED = "[REDACTED]";

export type EventName =
  | "tether.api_request"
  | "tether.sse_event"
  | "tether.user_prompt"
  | "tether.tool_decision"
  | "tether.tool_result"
  | "tether.elicitation";

export interface TelemetryEventSinkOptions {
  logUserPrompt: boolean;
}

type Attributes = Record<string, string | number | boolean | undefined>;

export function telemetryObserver(telemetry: Pick<TelemetrySink, "emit">, options: TelemetryEventSinkOptions): AgentObserver {
  const emit = (name: EventName, attributes: Attributes): void => telemetry.emit(name, defined(attributes));
  return (event) => {
    switch (event.type) {
      case "api.request": {
        const { record } = event;
        emit("tether.api_request", {
          attempt: record.attempt,
          duration_ms: ms(record.durationMs),
          "http.response.status_code": record.statusCode,
          "error.message": record.errorMessage,
          "request.id": record.requestId,
        });
        return;
      }
      case "sse.event": {
        const { record } = event;
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
        return;
      }
      case "user.prompt":
        emit("tether.user_prompt", { prompt_length: event.prompt.length, prompt: options.logUserPrompt ? event.prompt : REDACTED });
        return;
      case "tool.decision":
        emit("tether.tool_decision", {
          tool_name: event.call.name,
          call_id: event.call.callId,
          decision: event.verdict.decision,
          source: event.verdict.source,
        });
        return;
      case "tool.result":
        emit("tether.tool_result", {
          tool_name: event.call.name,
          call_id: event.call.callId,
          arguments: event.call.rawArguments,
          duration_ms: ms(event.outcome.durationMs),
          success: event.outcome.success ? "true" : "false",
          output: event.outcome.output,
        });
        return;
      case "elicitation":
        // Which server asked, how, and what the user did; never what they answered.
        emit("tether.elicitation", { server: event.info.server, mode: event.info.mode, phase: event.phase, action: event.info.action });
        return;
    }
  };
}

/** Optional attributes (`status_code`?, `error.message`?, ...) are left out, not sent empty. */
function defined(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key in attributes) if (attributes[key] !== undefined) out[key] = attributes[key];
  return out;
}

/** Whole milliseconds: an OTLP int, not a double with clock noise. */
export function ms(value: number): number {
  return Math.max(0, Math.round(value));
}
