// How `tether exec` looks: observers of the agent's events. The answer on stdout as it streams,
// tool progress on stderr, or one JSON object per line with --json (shapes in README).
import type { Verdict } from "../../agent/approvals.ts";
import type {
  AgentEvent,
  AgentObserver,
  ElicitationInfo,
  RetryNotice,
  RunSummary,
  SessionInfo,
  TokenUsage,
  ToolCallInfo,
  ToolOutcome,
} from "../../agent/events.ts";
import type { ExecView } from "../../agent/exec.ts";
import type { Context, IO } from "../../context.ts";
import { redactKnownSecrets } from "../../config/secrets.ts";
import { terminalBlock, terminalText } from "../../text/sanitize.ts";
import { paint, printJsonLine } from "../render.ts";
import { withSpinner } from "../spinner.ts";
import { TerminalApprovalPrompt } from "./approval-prompt.ts";
import { progressText } from "./tools.ts";

const PREVIEW_CHARS = 160;

/** `secrets`: known secret values, replaced in failure and retry reasons (a server may echo a key back). */
export function createExecView(
  ctx: Pick<Context, "io" | "atExit">,
  options: { json: boolean; secrets?: readonly string[] },
): ExecView & { observe: AgentObserver } {
  const view = options.json ? new JsonExecView(ctx.io, options.secrets) : new TextExecView(ctx.io, options.secrets);
  // Asking needs a terminal both to read the answer from and to show the question on.
  if (ctx.io.stdinIsTTY && ctx.io.stderrIsTTY && ctx.io.stdin) {
    view.approvalPrompt = new TerminalApprovalPrompt(ctx.io, ctx.io.stdin, () => view.beforeStderr());
    ctx.atExit(() => view.approvalPrompt?.close());
  }
  // Handed around as a plain function: bound to its view.
  view.observe = view.observe.bind(view);
  return view;
}

abstract class BaseExecView {
  approvalPrompt?: TerminalApprovalPrompt;

  /** One event to its handler; events a view does not show are ignored. */
  observe(event: AgentEvent): void {
    switch (event.type) {
      case "server.failed":
        return this.serverFailed(event.name, event.error);
      case "session.started":
        return this.sessionStarted(event.info);
      case "retry":
        return this.retrying(event.notice);
      case "text.delta":
        return this.textDelta(event.turn, event.delta);
      case "text.restart":
        return this.textRestarted(event.turn);
      case "tool.call":
        return this.toolCall(event.call);
      case "tool.decision":
        return this.toolDecision(event.call, event.verdict);
      case "tool.result":
        return this.toolResult(event.call, event.outcome);
      case "tool.progress":
        return this.toolProgress(event.call, event.progress, event.total, event.message);
      case "turn.completed":
        return this.turnCompleted(event.turn, event.responseId, event.usage);
      case "final":
        return this.finished(event.summary);
      case "prompt.loaded":
        return this.promptLoaded(event.server, event.prompt, event.messages);
      case "tools.changed":
        return this.toolsChanged(event);
      case "elicitation":
        return this.elicitation(event.phase, event.info);
    }
  }

  abstract promptLoaded(server: string, prompt: string, messages: number): void;
  abstract toolsChanged(change: Extract<AgentEvent, { type: "tools.changed" }>): void;
  /** The answerer itself talks to the user on stderr; only --json reports elicitations. */
  elicitation(_phase: "requested" | "answered", _info: ElicitationInfo): void {}

  abstract sessionStarted(info: SessionInfo): void;
  abstract retrying(notice: RetryNotice): void;
  abstract textDelta(turn: number, delta: string): void;
  abstract textRestarted(turn: number): void;
  abstract toolCall(call: ToolCallInfo): void;
  abstract toolDecision(call: ToolCallInfo, verdict: Verdict): void;
  abstract toolResult(call: ToolCallInfo, outcome: ToolOutcome): void;
  abstract turnCompleted(turn: number, responseId: string, usage: TokenUsage | undefined): void;
  /** Only a terminal shows progress (one line, redrawn); piped and --json runs stay quiet. */
  toolProgress(_call: ToolCallInfo, _progress: number, _total: number | undefined, _message: string | undefined): void {}
  abstract finished(summary: RunSummary): void;

  constructor(
    protected readonly io: IO,
    private readonly secrets: readonly string[] = [],
  ) {}

  protected redact(text: string): string {
    return redactKnownSecrets(text, this.secrets);
  }

  connecting<T>(servers: number, work: () => Promise<T>): Promise<T> {
    return withSpinner(this.io, `Connecting to ${servers} MCP server${servers === 1 ? "" : "s"}…`, work);
  }

  /** Said once per server, before the run: the model will not see its tools, and why. */
  serverFailed(name: string, error: Error): void {
    // The error names the server itself ("server "x" env_vars: …"); the line names it once.
    const message = this.redact(error.message);
    const own = `server "${name}"`;
    const reason = message.startsWith(`${own}: `) ? message.slice(own.length + 2) : message.startsWith(`${own} `) ? message.slice(own.length + 1) : message;
    this.diagnostic(`${paint(this.io, "yellow", "warning:")} server "${terminalText(name)}" is left out, with all its tools: ${terminalText(reason)}`);
    const hint = (error as { hint?: string }).hint;
    if (hint) this.diagnostic(`${paint(this.io, "dim", "hint:")} ${terminalText(this.redact(hint))}`);
  }

  /** Said once, before the run: whose tools run unasked on the server's own word that they only read. */
  protected readOnlyNotice(unasked: SessionInfo["readOnlyUnasked"]): void {
    if (unasked.length === 0) return;
    const servers = unasked.map(({ server, tools }) => `"${terminalText(server)}" (${toolList(tools)})`);
    const which = unasked.length === 1 ? `server ${servers[0]}` : `servers ${servers.slice(0, -1).join(", ")} and ${servers.at(-1)}`;
    this.diagnostic(
      `${paint(this.io, "yellow", "note:")} auto_approve_read_only: read-only tools run without asking on ${which}; ` +
        `the server${unasked.length === 1 ? " decides" : "s decide"} which tools are read-only`,
    );
  }

  /** Called before anything goes to stderr. */
  beforeStderr(): void {}

  protected diagnostic(line: string): void {
    this.beforeStderr();
    this.io.stderr.write(line + "\n");
  }
}

/** The answer on stdout, tool calls and retries as short lines on stderr. */
class TextExecView extends BaseExecView {
  private atLineStart = true;
  private lastTurn = 0;
  private readonly denied = new Set<string>();
  /** A progress line is on the terminal, without its newline: the next line replaces it. */
  private progressShown = false;

  /** Sharing a terminal, stdout's open line would swallow the stderr line: end it first. */
  override beforeStderr(): void {
    if (this.progressShown) {
      this.io.stderr.write("\r\u001b[2K");
      this.progressShown = false;
    }
    if (!this.atLineStart && this.io.stdoutIsTTY && this.io.stderrIsTTY) this.write("\n");
  }

  override toolProgress(call: ToolCallInfo, progress: number, total: number | undefined, message: string | undefined): void {
    if (!this.io.stderrIsTTY) return;
    this.beforeStderr();
    this.io.stderr.write(paint(this.io, "dim", `  … ${terminalText(call.name)} ${progressText({ progress, total, message })}`));
    this.progressShown = true;
  }

  sessionStarted(info: SessionInfo): void {
    this.readOnlyNotice(info.readOnlyUnasked);
  }

  promptLoaded(server: string, prompt: string, messages: number): void {
    this.diagnostic(paint(this.io, "dim", `prompt ${terminalText(prompt)} from server "${terminalText(server)}" (${messages} message${messages === 1 ? "" : "s"})`));
  }

  toolsChanged(change: Extract<AgentEvent, { type: "tools.changed" }>): void {
    const servers = change.servers.filter((server) => !change.failed.some((f) => f.server === server));
    if (servers.length > 0) {
      const names = servers.map((server) => `"${terminalText(server)}"`).join(", ");
      this.diagnostic(paint(this.io, "dim", `tools changed on ${names}; the model now has ${change.tools.length} tool${change.tools.length === 1 ? "" : "s"}`));
    }
    for (const failure of change.failed) {
      this.diagnostic(`${paint(this.io, "yellow", "warning:")} could not list the changed tools of "${terminalText(failure.server)}": ${terminalText(this.redact(failure.error))}`);
    }
  }

  retrying(notice: RetryNotice): void {
    this.diagnostic(
      paint(this.io, "dim", `${terminalText(this.redact(notice.reason))}; retrying in ${seconds(notice.delayMs)} (attempt ${notice.attempt} of ${notice.maxAttempts})`),
    );
  }

  textDelta(turn: number, delta: string): void {
    if (turn !== this.lastTurn && !this.atLineStart) this.write("\n");
    this.lastTurn = turn;
    // The model's words go to the terminal as text only: no escape sequence survives.
    this.write(terminalBlock(delta));
  }

  textRestarted(_turn: number): void {
    this.diagnostic(paint(this.io, "yellow", "(the retried response differs from the text above; here it is in full)"));
    if (!this.atLineStart) this.write("\n");
  }

  toolCall(call: ToolCallInfo): void {
    this.diagnostic(`${paint(this.io, "cyan", "→")} ${terminalText(call.name)} ${preview(formatArguments(call.arguments))}`);
  }

  toolDecision(call: ToolCallInfo, verdict: Verdict): void {
    if (verdict.decision !== "denied") return;
    this.denied.add(call.callId);
    this.diagnostic(`${paint(this.io, "red", "✗")} denied ${terminalText(call.name)}: ${deniedWhy(verdict)}`);
  }

  toolResult(call: ToolCallInfo, outcome: ToolOutcome): void {
    if (this.denied.has(call.callId)) return;
    const images = outcome.images?.length ? ` (+${outcome.images.length} image${outcome.images.length === 1 ? "" : "s"})` : "";
    this.diagnostic(`${paint(this.io, outcome.success ? "green" : "red", "←")} ${preview(outcome.output)}${images}`);
    if (outcome.savedTo) this.diagnostic(paint(this.io, "dim", `  the model got the start and end of the output; all of it is in ${terminalText(outcome.savedTo)}`));
  }

  turnCompleted(_turn: number, _responseId: string, _usage: TokenUsage | undefined): void {}

  finished(summary: RunSummary): void {
    if (!this.atLineStart) this.write("\n");
    if (this.io.stderrIsTTY) {
      const { usage } = summary;
      this.diagnostic(paint(this.io, "dim", `tokens: ${usage.inputTokens} in, ${usage.outputTokens} out`));
    }
  }

  private write(text: string): void {
    if (text === "") return;
    this.io.stdout.write(text);
    this.atLineStart = text.endsWith("\n");
  }
}

/** One JSON object per line on stdout; stderr keeps only warnings and the approval prompt. */
class JsonExecView extends BaseExecView {
  sessionStarted(info: SessionInfo): void {
    const failed = info.failedServers.map((f) => ({ name: f.name, error: this.redact(f.error), ...(f.hint ? { hint: this.redact(f.hint) } : {}) }));
    this.line({
      type: "session.started",
      model: info.model,
      provider: info.provider,
      tools: info.tools,
      failed_servers: failed,
      read_only_unasked: info.readOnlyUnasked,
    });
    // stderr too: a reader of the JSON may not look for it, the person running the command should see it.
    this.readOnlyNotice(info.readOnlyUnasked);
  }

  promptLoaded(server: string, prompt: string, messages: number): void {
    this.line({ type: "prompt.loaded", server, prompt, messages });
  }

  toolsChanged(change: Extract<AgentEvent, { type: "tools.changed" }>): void {
    const failed = change.failed.map((f) => ({ server: f.server, error: this.redact(f.error) }));
    this.line({ type: "tools.changed", turn: change.turn, servers: change.servers, tools: change.tools, failed });
  }

  override elicitation(phase: "requested" | "answered", info: ElicitationInfo): void {
    this.line({ type: "elicitation", phase, server: info.server, mode: info.mode, ...(info.action ? { action: info.action } : {}) });
  }

  retrying(notice: RetryNotice): void {
    const { turn, attempt, maxAttempts, delayMs, reason } = notice;
    this.line({ type: "retry", turn, attempt, max_attempts: maxAttempts, delay_ms: delayMs, reason: this.redact(reason) });
  }

  textDelta(turn: number, delta: string): void {
    this.line({ type: "text.delta", turn, delta });
  }

  textRestarted(turn: number): void {
    this.line({ type: "text.restart", turn });
  }

  toolCall(call: ToolCallInfo): void {
    this.line({ type: "tool.call", ...callFields(call), server: call.server ?? null, tool: call.tool ?? null, arguments: call.arguments });
  }

  toolDecision(call: ToolCallInfo, verdict: Verdict): void {
    this.line({ type: "tool.decision", ...callFields(call), decision: verdict.decision, source: verdict.source });
  }

  toolResult(call: ToolCallInfo, outcome: ToolOutcome): void {
    this.line({
      type: "tool.result",
      ...callFields(call),
      success: outcome.success,
      output: outcome.output,
      duration_ms: outcome.durationMs,
      ...(outcome.images ? { images: outcome.images.map((i) => ({ mime_type: i.mimeType, bytes: i.bytes })) } : {}),
      ...(outcome.savedTo ? { saved_to: outcome.savedTo } : {}),
    });
  }

  turnCompleted(turn: number, responseId: string, usage: TokenUsage | undefined): void {
    this.line({ type: "turn.completed", turn, response_id: responseId, usage: usage ? usageFields(usage) : null });
  }

  finished(summary: RunSummary): void {
    this.line({ type: "final", text: summary.text, turns: summary.turns, tool_calls: summary.toolCalls, usage: usageFields(summary.usage) });
  }

  private line(value: Record<string, unknown>): void {
    printJsonLine(this.io, value);
  }
}

function callFields(call: ToolCallInfo): Record<string, unknown> {
  return { turn: call.turn, call_id: call.callId, name: call.name };
}

function usageFields(usage: TokenUsage): Record<string, number> {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    ...(usage.cachedTokens !== undefined ? { cached_tokens: usage.cachedTokens } : {}),
    ...(usage.reasoningTokens !== undefined ? { reasoning_tokens: usage.reasoningTokens } : {}),
  };
}

function deniedWhy(verdict: Verdict): string {
  switch (verdict.deniedBy) {
    case "policy":
      return 'approval_policy = "deny"';
    case "no_terminal":
      return "no terminal to ask for approval (use --yes, or approve_tools in config.toml)";
    case "destructive":
      return "the tool is marked destructive and there is no terminal to ask for approval (only --yes allows it)";
    default:
      return "by you";
  }
}

function formatArguments(args: Record<string, unknown> | string): string {
  return typeof args === "string" ? args : JSON.stringify(args);
}

/** The first line, cut to a terminal-friendly length, saying how many lines were left out; control characters made visible. */
function preview(text: string): string {
  const lines = text.split("\n");
  const first = terminalText(lines[0]!.length > PREVIEW_CHARS ? `${lines[0]!.slice(0, PREVIEW_CHARS)}…` : lines[0]!);
  const more = lines.length - 1;
  return more > 0 ? `${first} (+${more} line${more === 1 ? "" : "s"})` : first;
}

/** A few tool names, then how many more (the names are the server's: made safe for the terminal). */
function toolList(tools: string[]): string {
  const shown = tools.slice(0, 3).map((tool) => terminalText(tool));
  return tools.length > shown.length ? `${shown.join(", ")} and ${tools.length - shown.length} more` : shown.join(", ");
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}s`;
}
