// The agent loop: ask the model, run the tools it calls (once approved), send the results back,
// until a response calls no tool. Everything observable goes out once, as an AgentEvent to `observe`
// (views and telemetry alike); the loop itself neither prints nor knows about OpenTelemetry.
import type { Context } from "../context.ts";
import { CancelledError, TetherError } from "../errors.ts";
import type { CallProgress } from "../mcp/connect.ts";
import { base64Bytes } from "../mcp/content.ts";
import type { ApprovalGate } from "./approvals.ts";
import type { AgentObserver, RunSummary, TokenUsage, ToolCallInfo, ToolOutcome } from "./events.ts";
import type { ModelTarget } from "./provider.ts";
import type { FunctionCallItem, JsonObject } from "./responses-events.ts";
import { streamResponse, type ResponseResult } from "./responses.ts";
import type { RetryOptions } from "./retry.ts";
import { resourceToolServer, runResourceTool } from "./resource-tools.ts";
import { ToolOutputCap, type ToolOutputLimit } from "./tool-output.ts";
import { type ToolOutput, toolResultContent } from "./model-input.ts";
import { type Binding, functionCallOutput, parseToolArguments, type Toolset } from "./tools.ts";
import { TurnText } from "./turn-text.ts";
import { inSpan, NOOP_TRACER, type Span, SpanKind, type Tracer } from "../telemetry/traces.ts";
import { tracedFetch } from "../telemetry/trace-fetch.ts";
import { modelRequestAttributes, modelResponseAttributes, toolCallAttributes } from "./span-attributes.ts";

export const DEFAULT_INSTRUCTIONS =
  "You are tether, an agent run from a command line. Do what the user asks and answer concisely: " +
  "your text is printed in a terminal or read by a script. You may call the tools of the user's MCP " +
  "servers. The user approves each call; a call may be denied, and then its output says why: do not " +
  "retry a denied call, continue without it. A tool output starting with `error:` means the call failed.";

export interface AgentRunOptions {
  target: ModelTarget;
  /** The user's prompt; may be absent when `conversation` starts the run. */
  prompt?: string;
  /** Input items before the prompt (a server prompt's messages, from --mcp-prompt). */
  conversation?: JsonObject[];
  /** Caps each tool result's text; unbounded when absent. */
  toolOutput?: ToolOutputLimit;
  toolset: Toolset;
  gate: ApprovalGate;
  /** Model requests in all; a response still calling tools at the last one ends the run. */
  maxTurns: number;
  observe: AgentObserver;
  instructions?: string;
  retry?: Partial<RetryOptions>;
  /** Traces (issue 23): the run's tracer; spans for turns, model requests and tool calls. */
  tracer?: Tracer;
}

export type AgentContext = Pick<Context, "fetch" | "now" | "signal">;

/** The model still called tools at `--max-turns` (exit 1). */
export class TurnLimitError extends TetherError {}

/** The user answered `q` at an approval prompt (exit 1). */
export class RunAbortedError extends TetherError {}

export async function runAgent(ctx: AgentContext, options: AgentRunOptions): Promise<RunSummary> {
  const { observe } = options;
  const input: JsonObject[] = [...(options.conversation ?? [])];
  if (options.prompt !== undefined) {
    observe({ type: "user.prompt", prompt: options.prompt });
    input.push({ type: "message", role: "user", content: [{ type: "input_text", text: options.prompt }] });
  }
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  const texts: string[] = [];
  let toolCalls = 0;
  const cap = options.toolOutput && new ToolOutputCap(options.toolOutput);
  // Traces (issue 23): model requests carry the traceparent header of their span.
  const tracer = options.tracer ?? NOOP_TRACER;
  if (tracer.propagating) ctx = { ...ctx, fetch: tracedFetch(ctx.fetch, tracer) };
  for (let turn = 1; ; turn++) {
    const done = await inSpan(tracer, "tether.turn", { attributes: { "tether.turn": turn } }, async (span) => {
      const calls = toolCalls;
      try {
        return await runTurn(turn);
      } finally {
        span.set({ "tether.tool_calls": toolCalls - calls });
      }
    });
    if (done) return done;
  }

  /** One turn: the model request, then the tools it calls; the summary when the run is over. */
  async function runTurn(turn: number): Promise<RunSummary | undefined> {
    const refreshed = await options.toolset.refresh();
    if (refreshed) observe({ type: "tools.changed", turn, servers: refreshed.servers, tools: options.toolset.names, failed: refreshed.failed });
    const response = await requestTurn(ctx, options, input, turn);
    addUsage(usage, response.usage);
    texts.push(response.text);
    observe({ type: "turn.completed", turn, responseId: response.responseId, usage: response.usage });
    // Every output item goes back as it came: function calls must be followed by their outputs,
    // and reasoning items must stay beside the calls they led to.
    input.push(...response.items.map((item) => item.raw));
    if (response.functionCalls.length === 0) {
      const summary: RunSummary = { text: joinTurns(texts), turns: turn, toolCalls, usage };
      observe({ type: "final", summary });
      return summary;
    }
    if (turn >= options.maxTurns) {
      const names = [...new Set(response.functionCalls.map((call) => call.name))].join(", ");
      throw new TurnLimitError(`stopped after ${turn} turn${turn === 1 ? "" : "s"}: the model still wants to call ${names}`, {
        hint: "raise --max-turns (or max_turns in config.toml) if the task needs more steps",
      });
    }
    for (const call of response.functionCalls) {
      toolCalls++;
      input.push(await handleCall(ctx, options, call, turn, cap));
    }
    return undefined;
  }
}

/** One model request, its text shown as it streams; a retry's replay is not shown twice. */
async function requestTurn(ctx: AgentContext, options: AgentRunOptions, input: JsonObject[], turn: number): Promise<ResponseResult> {
  const { target, observe } = options;
  const text = new TurnText();
  const show = (delta: string): void => {
    const step = text.push(delta);
    if (step.restart) observe({ type: "text.restart", turn });
    if (step.show) observe({ type: "text.delta", turn, delta: step.show });
  };
  const body: JsonObject = {
    model: target.model,
    instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
    input,
    tools: options.toolset.definitions,
  };
  const result = await inSpan(options.tracer ?? NOOP_TRACER, "tether.model_request", { kind: SpanKind.CLIENT, attributes: modelRequestAttributes(target) }, async (span) => {
    let retries = 0;
    let status: number | undefined;
    try {
      const response = await streamResponse(ctx, {
        provider: target.provider,
        apiKey: target.apiKey,
        body,
        retry: options.retry,
        observe: (event) => {
          if (event.type === "api.request") status = event.record.statusCode;
          observe(event);
        },
        onAttemptStart: () => text.newAttempt(),
        onRetry: (retry) => {
          retries++;
          observe({ type: "retry", notice: { turn, ...retry } });
        },
        onEvent: (event) => {
          if (event.type === "response.output_text.delta") show(event.delta);
        },
      });
      span.set(modelResponseAttributes(response));
      return response;
    } finally {
      span.set({ "tether.retries": retries, "http.response.status_code": status });
    }
  });
  // A provider that sends whole messages without deltas still gets its answer shown.
  if (text.text === "" && result.text !== "") show(result.text);
  return { ...result, text: text.text };
}

/** Decides, runs and reports one function call; returns its `function_call_output` item. */
async function handleCall(ctx: AgentContext, options: AgentRunOptions, call: FunctionCallItem, turn: number, cap: ToolOutputCap | undefined): Promise<JsonObject> {
  const { observe } = options;
  const binding = options.toolset.resolve(call.name);
  const parsed = parseToolArguments(call.arguments);
  const server = binding?.kind === "mcp" ? binding.server : binding && parsed.ok ? resourceToolServer(parsed.value) : undefined;
  const info: ToolCallInfo = {
    turn,
    callId: call.callId,
    name: call.name,
    server,
    tool: binding?.kind === "mcp" ? binding.tool.name : binding?.modelName,
    arguments: parsed.ok ? parsed.value : call.arguments,
    rawArguments: call.arguments,
  };
  observe({ type: "tool.call", call: info });
  return inSpan(options.tracer ?? NOOP_TRACER, "tether.tool_call", { attributes: toolCallAttributes(info) }, (span) => decideAndRun(ctx, options, call, info, binding, parsed, cap, span));
}

async function decideAndRun(
  ctx: AgentContext,
  options: AgentRunOptions,
  call: FunctionCallItem,
  info: ToolCallInfo,
  binding: Binding | undefined,
  parsed: ReturnType<typeof parseToolArguments>,
  cap: ToolOutputCap | undefined,
  span: Span,
): Promise<JsonObject> {
  const { observe } = options;
  let outcome: ToolOutcome;
  let images: ToolOutput["images"] = [];
  if (!binding) {
    outcome = failure(`error: there is no tool named "${call.name}"; available: ${options.toolset.names.join(", ") || "none"}`);
  } else if (!parsed.ok) {
    outcome = failure(`error: ${parsed.error}`);
  } else {
    const verdict = await options.gate.decide({
      callId: call.callId,
      modelName: call.name,
      server: info.server ?? "",
      tool: info.tool!,
      arguments: parsed.value,
      hints: binding.hints,
    });
    observe({ type: "tool.decision", call: info, verdict });
    span.set({ "tether.decision": verdict.decision, "tether.decision.source": verdict.source });
    if (verdict.decision === "abort") throw new RunAbortedError(`aborted at the approval of ${call.name}`);
    const onProgress = (update: CallProgress) => {
      if (update.kind === "progress") observe({ type: "tool.progress", call: info, progress: update.progress, total: update.total, message: update.message });
    };
    if (verdict.refusal !== undefined) {
      outcome = failure(verdict.refusal);
    } else {
      const ran = await runTool(ctx, options, binding, parsed.value, onProgress);
      outcome = ran.outcome;
      images = ran.images;
    }
  }
  if (cap) {
    const capped = cap.cap(outcome.output, ctx.now());
    outcome = { ...outcome, output: capped.text, ...(capped.savedTo ? { savedTo: capped.savedTo } : {}) };
  }
  if (images.length > 0) outcome = { ...outcome, images: images.map((image) => ({ mimeType: image.mimeType, bytes: base64Bytes(image.data) })) };
  observe({ type: "tool.result", call: info, outcome });
  span.set({ "tether.duration_ms": Math.round(outcome.durationMs), "tether.success": outcome.success });
  if (!outcome.success) span.fail("the tool call did not succeed");
  return { type: "function_call_output", call_id: call.callId, output: functionCallOutput(outcome.output, images) };
}

/** Tool failures (isError, timeouts, a dead server) become output for the model, not a crash. */
async function runTool(
  ctx: AgentContext,
  options: AgentRunOptions,
  binding: Binding,
  args: Record<string, unknown>,
  onProgress: (update: CallProgress) => void,
): Promise<{ outcome: ToolOutcome; images: ToolOutput["images"] }> {
  const started = ctx.now();
  try {
    const result =
      binding.kind === "mcp"
        ? await binding.connection
            .callTool(binding.tool.name, args, { signal: ctx.signal, onProgress })
            .then((r) => ({ isError: r.isError === true, output: toolResultContent(r) }))
        : await runResourceTool(binding.modelName, args, options.toolset.resourceServers, ctx.signal);
    const { text, images } = result.output;
    const durationMs = ctx.now() - started;
    return result.isError
      ? { outcome: { success: false, output: `error: ${text}`, durationMs }, images }
      : { outcome: { success: true, output: text, durationMs }, images };
  } catch (error) {
    if (ctx.signal.aborted || error instanceof CancelledError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: { success: false, output: `error: ${message}`, durationMs: ctx.now() - started }, images: [] };
  }
}

function failure(output: string): ToolOutcome {
  return { success: false, output, durationMs: 0 };
}

function addUsage(total: TokenUsage, usage: TokenUsage | undefined): void {
  if (!usage) return;
  total.inputTokens += usage.inputTokens;
  total.outputTokens += usage.outputTokens;
  total.totalTokens += usage.totalTokens;
  if (usage.cachedTokens !== undefined) total.cachedTokens = (total.cachedTokens ?? 0) + usage.cachedTokens;
  if (usage.reasoningTokens !== undefined) total.reasoningTokens = (total.reasoningTokens ?? 0) + usage.reasoningTokens;
}

/** Turns' texts as one answer, a line break between turns that need one. */
function joinTurns(texts: string[]): string {
  let answer = "";
  for (const text of texts) {
    if (text === "") continue;
    answer += answer !== "" && !answer.endsWith("\n") ? `\n${text}` : text;
  }
  return answer;
}
