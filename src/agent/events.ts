// The agent's event sink: what telemetry can observe, with no knowledge of OpenTelemetry (SPEC §7).

/** Token counts from `response.completed`. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  /** `usage.total_tokens` (input + output), reported as `tool_token_count` as Codex does. */
  totalTokens: number;
}

/** One HTTP attempt at the model API, recorded when the attempt ends (`tether.api_request`). */
export interface ApiRequestRecord {
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** From sending the request to the end of this attempt (its stream included). */
  durationMs: number;
  /** Absent when no response arrived (network error). */
  statusCode?: number;
  /** Why this attempt failed; absent when it succeeded. */
  errorMessage?: string;
  /** The `x-request-id` response header. */
  requestId?: string;
}

/** One SSE event of the model stream (`tether.sse_event`). */
export interface SseEventRecord {
  /** The event's `type`, e.g. `response.output_text.delta`; unknown types are reported too. */
  kind: string;
  /** Since the previous event of this attempt, or since the request was sent. */
  durationMs: number;
  /** For `response.failed`, `error` and unparseable events. */
  errorMessage?: string;
  /** On `response.completed`. */
  usage?: TokenUsage;
}

export type ToolDecision = "approved" | "approved_for_session" | "denied" | "abort";
export type ToolDecisionSource = "config" | "user";

/** `tether.tool_decision`. */
export interface ToolDecisionRecord {
  toolName: string;
  callId: string;
  decision: ToolDecision;
  source: ToolDecisionSource;
}

/** `tether.tool_result`. */
export interface ToolResultRecord {
  toolName: string;
  callId: string;
  /** The arguments as the model sent them (a JSON string). */
  arguments: string;
  durationMs: number;
  success: boolean;
  output: string;
}

/** What the Responses client reports: every attempt and every stream event. */
export interface ResponsesObserver {
  apiRequest(record: ApiRequestRecord): void;
  sseEvent(record: SseEventRecord): void;
}

/**
 * Everything the agent reports. Implementations must not throw and must not block: the OTEL
 * sink batches, the no-op sink drops. Redaction (`log_user_prompt`) is the sink's business.
 */
export interface AgentEventSink extends ResponsesObserver {
  userPrompt(prompt: string): void;
  toolDecision(record: ToolDecisionRecord): void;
  toolResult(record: ToolResultRecord): void;
}

const ignore = (): void => {};

export const NOOP_EVENT_SINK: AgentEventSink = Object.freeze({
  apiRequest: ignore,
  sseEvent: ignore,
  userPrompt: ignore,
  toolDecision: ignore,
  toolResult: ignore,
});
