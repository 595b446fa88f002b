// What a run shows its user, as calls on an interface: the CLI renders it as text or JSON lines.
import type { TokenUsage } from "./events.ts";
import type { Verdict } from "./approvals.ts";

export interface SessionInfo {
  model: string;
  provider: string;
  /** Model-facing tool names offered in every request. */
  tools: string[];
  /** Servers that failed to start and were left out. */
  failedServers: { name: string; error: string }[];
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
}

export interface ToolOutcome {
  success: boolean;
  /** Exactly what went back to the model as the `function_call_output`. */
  output: string;
  durationMs: number;
}

export interface RunSummary {
  /** The answer: every turn's text, as shown. */
  text: string;
  turns: number;
  toolCalls: number;
  usage: TokenUsage;
}

export interface AgentOutput {
  serverFailed(name: string, error: Error): void;
  sessionStarted(info: SessionInfo): void;
  retrying(notice: RetryNotice): void;
  /** New answer text, in order; a retried stream's replay of text already shown is not repeated. */
  textDelta(turn: number, delta: string): void;
  /** A retried stream said something else: the text shown for this turn so far is void. */
  textRestarted(turn: number): void;
  toolCall(call: ToolCallInfo): void;
  toolDecision(call: ToolCallInfo, verdict: Verdict): void;
  toolResult(call: ToolCallInfo, outcome: ToolOutcome): void;
  turnCompleted(turn: number, responseId: string, usage: TokenUsage | undefined): void;
  finished(summary: RunSummary): void;
}
