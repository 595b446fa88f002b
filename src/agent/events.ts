// Everything a run of the agent reports, as one stream of events emitted once: the terminal view,
// the --json view and telemetry are observers of it (hono's one chain, fanned out). Records
// here carry what SPEC §7's telemetry needs; the loop knows nothing of views or OpenTelemetry.
import type { Verdict } from "./approvals.ts";

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

export interface SessionInfo {
  model: string;
  provider: string;
  /** Model-facing tool names offered in every request. */
  tools: string[];
  /** Servers that failed to start and were left out, with none of their tools. */
  failedServers: FailedServer[];
  /**
   * Servers whose read-only tools run without asking (`auto_approve_read_only`), with those tools'
   * MCP names: only tools the server annotates `readOnlyHint: true` that no other setting decides.
   */
  readOnlyUnasked: { server: string; tools: string[] }[];
}

export interface FailedServer {
  name: string;
  error: string;
  /** What would fix it (e.g. `export API_KEY=...` for a missing env_vars variable). */
  hint?: string;
}

export interface RetryNotice {
  turn: number;
  /** The attempt about to start (2 = first retry). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  reason: string;
}

export interface ToolCallInfo {
  turn: number;
  callId: string;
  /** As the model sent it. */
  name: string;
  /** Undefined when the name matches no offered tool. */
  server?: string;
  tool?: string;
  /** Parsed arguments, or the raw string when they are not a JSON object. */
  arguments: Record<string, unknown> | string;
  /** The arguments exactly as the model sent them (a JSON string). */
  rawArguments: string;
}

export interface ToolOutcome {
  success: boolean;
  /** Exactly the text that went back to the model in the `function_call_output` (capped by tool_output_max_bytes). */
  output: string;
  durationMs: number;
  /** Images that went to the model beside the text. */
  images?: { mimeType: string; bytes: number }[];
  /** When the text was cut: where the whole output was saved. */
  savedTo?: string;
}

/** A server's elicitation during the run; never the user's answers. */
export interface ElicitationInfo {
  server: string;
  mode: "form" | "url";
  /** On `answered`. */
  action?: "accept" | "decline" | "cancel";
}

export interface RunSummary {
  /** The answer: every turn's text, as shown. */
  text: string;
  turns: number;
  toolCalls: number;
  usage: TokenUsage;
}

export type AgentEvent =
  | { type: "server.failed"; name: string; error: Error }
  | { type: "session.started"; info: SessionInfo }
  | { type: "user.prompt"; prompt: string }
  | { type: "api.request"; record: ApiRequestRecord }
  | { type: "sse.event"; record: SseEventRecord }
  | { type: "retry"; notice: RetryNotice }
  /** New answer text, in order; a retried stream's replay of text already shown is not repeated. */
  | { type: "text.delta"; turn: number; delta: string }
  /** A retried stream said something else: the text shown for this turn so far is void. */
  | { type: "text.restart"; turn: number }
  /** `--mcp-prompt`: the server prompt that starts the conversation. */
  | { type: "prompt.loaded"; server: string; prompt: string; messages: number }
  /** Servers said their tools changed; `tools` is the model's new list, offered from `turn` on. */
  | { type: "tools.changed"; turn: number; servers: string[]; tools: string[]; failed: { server: string; error: string }[] }
  | { type: "elicitation"; phase: "requested" | "answered"; info: ElicitationInfo }
  | { type: "tool.call"; call: ToolCallInfo }
  | { type: "tool.decision"; call: ToolCallInfo; verdict: Verdict }
  /** The server reported progress on a running call (`total` when it knows it). */
  | { type: "tool.progress"; call: ToolCallInfo; progress: number; total?: number; message?: string }
  | { type: "tool.result"; call: ToolCallInfo; outcome: ToolOutcome }
  | { type: "turn.completed"; turn: number; responseId: string; usage?: TokenUsage }
  | { type: "final"; summary: RunSummary };

/** Sees every event; must not throw and must not block (telemetry batches, views write). */
export type AgentObserver = (event: AgentEvent) => void;

/** One observer that hands each event to all of `observers`, in order. */
export function fanOut(...observers: (AgentObserver | undefined)[]): AgentObserver {
  const all = observers.filter((o): o is AgentObserver => o !== undefined);
  return (event) => {
    for (const observe of all) observe(event);
  };
}
