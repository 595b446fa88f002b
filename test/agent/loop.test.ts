// runAgent in process: what reaches the event sink (telemetry's seam) and the output, in order.
import { afterEach, describe, expect, test } from "bun:test";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { ApprovalGate } from "../../src/agent/approvals.ts";
import type { AgentEventSink } from "../../src/agent/events.ts";
import { runAgent, type AgentRunOptions } from "../../src/agent/loop.ts";
import type { AgentOutput } from "../../src/agent/output.ts";
import { Toolset } from "../../src/agent/tools.ts";
import { CancelledError } from "../../src/errors.ts";
import type { McpConnection } from "../../src/mcp/connect.ts";
import { failStep, sseStep, startMockResponses, type MockResponses, type MockStep } from "../support/mock-responses.ts";
import { completed, functionCall, outputTextDelta, responseCreated, sse, textTurn } from "../support/sse.ts";

let server: MockResponses | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

type Call = [string, ...unknown[]];

/** A sink and an output that record every call as [method, ...args]. */
function recorder<T extends object>(calls: Call[], prefix: string): T {
  return new Proxy({} as T, {
    get: (_target, name) => (...args: unknown[]) => void calls.push([`${prefix}.${String(name)}`, ...args]),
  });
}

function fakeServer(callTool: (name: string, args: Record<string, unknown>, signal?: AbortSignal) => Promise<CallToolResult>): McpConnection {
  const add: Tool = { name: "add", description: "Add two numbers.", inputSchema: { type: "object", properties: { a: {}, b: {} } } };
  return {
    server: { name: "fixture", approveTools: [] },
    tools: [add],
    callTool: (name: string, args: Record<string, unknown>, options?: { signal?: AbortSignal }) => callTool(name, args, options?.signal),
  } as unknown as McpConnection;
}

const addTool = fakeServer(async (_name, args) => ({ content: [{ type: "text", text: String(Number(args.a) + Number(args.b)) }] }));

function setup(script: MockStep[], overrides: Partial<AgentRunOptions> = {}, signal = new AbortController().signal) {
  server = startMockResponses(script);
  const calls: Call[] = [];
  let clock = 0;
  const ctx = { fetch, now: () => (clock += 1), signal };
  const options: AgentRunOptions = {
    target: { model: "gpt-test", providerId: "mock", provider: { baseUrl: server.url } },
    prompt: "what is 2+3?",
    toolset: new Toolset([addTool]),
    gate: new ApprovalGate({ policy: "auto", yes: false, approveTools: () => [] }),
    maxTurns: 5,
    sink: recorder<AgentEventSink>(calls, "sink"),
    output: recorder<AgentOutput>(calls, "output"),
    retry: { sleep: async () => {}, random: () => 0.5 },
    ...overrides,
  };
  return { calls, run: () => runAgent(ctx, options) };
}

describe("runAgent", () => {
  test("reports every attempt, SSE event, the prompt, each decision and each tool result to the sink", async () => {
    const { calls, run } = setup([
      failStep(500),
      sseStep(sse([responseCreated("resp_1"), functionCall("call_1", "mcp__fixture__add", { a: 2, b: 3 }), completed("resp_1")])),
      sseStep(sse(textTurn("resp_2", ["5"]))),
    ]);
    const summary = await run();
    expect(summary).toEqual({ text: "5", turns: 2, toolCalls: 1, usage: { inputTokens: 24, outputTokens: 14, totalTokens: 38, cachedTokens: 0, reasoningTokens: 0 } });
    const sink = calls.filter(([name]) => name.startsWith("sink."));
    expect(sink.map(([name, record]) => (name === "sink.sseEvent" ? `sse ${(record as any).kind}` : name))).toEqual([
      "sink.userPrompt",
      "sink.apiRequest",
      "sse response.created",
      "sse response.output_item.done",
      "sse response.completed",
      "sink.apiRequest",
      "sink.toolDecision",
      "sink.toolResult",
      "sse response.created",
      "sse response.output_text.delta",
      "sse response.output_item.done",
      "sse response.completed",
      "sink.apiRequest",
    ]);
    expect(sink[0]).toEqual(["sink.userPrompt", "what is 2+3?"]);
    expect(sink[1]![1]).toMatchObject({ attempt: 1, statusCode: 500, errorMessage: expect.stringContaining("500") });
    expect(sink[5]![1]).toMatchObject({ attempt: 2, statusCode: 200 });
    expect(sink[6]![1]).toEqual({ toolName: "mcp__fixture__add", callId: "call_1", decision: "approved", source: "config" });
    expect(sink[7]![1]).toEqual({ toolName: "mcp__fixture__add", callId: "call_1", arguments: '{"a":2,"b":3}', durationMs: 1, success: true, output: "5" });
  });

  test("a retried stream's replay is not shown twice", async () => {
    const turn = textTurn("resp_1", ["The answer ", "is ", "42."]);
    const { calls, run } = setup([sseStep(sse(turn), { cutAfterBytes: sse(turn.slice(0, 3)).length }), sseStep(sse(turn))]);
    expect((await run()).text).toBe("The answer is 42.");
    const shown = calls.filter(([name]) => name === "output.textDelta" || name === "output.textRestarted" || name === "output.retrying");
    expect(shown.map(([name, a, b]) => (name === "output.retrying" ? name : [name, a, b]))).toEqual([
      ["output.textDelta", 1, "The answer "],
      ["output.textDelta", 1, "is "],
      "output.retrying",
      ["output.textDelta", 1, "42."],
    ]);
  });

  test("a retry that diverges restarts the turn's text", async () => {
    const first = [responseCreated("resp_1"), outputTextDelta("Maybe")];
    const { calls, run } = setup([sseStep(sse(first)), sseStep(sse(textTurn("resp_1", ["Yes."])))]);
    expect((await run()).text).toBe("Yes.");
    const shown = calls.filter(([name]) => name === "output.textDelta" || name === "output.textRestarted");
    expect(shown).toEqual([["output.textDelta", 1, "Maybe"], ["output.textRestarted", 1], ["output.textDelta", 1, "Yes."]]);
  });

  test("Ctrl-C during a tool call cancels the call and ends the run", async () => {
    const controller = new AbortController();
    let seenSignal: AbortSignal | undefined;
    const hanging = fakeServer((_name, _args, signal) => {
      seenSignal = signal;
      const stopped = new Promise<never>((_, reject) => signal!.addEventListener("abort", () => reject(signal!.reason)));
      controller.abort(new CancelledError("interrupted")); // the user presses Ctrl-C while the tool runs
      return stopped;
    });
    const { run } = setup(
      [sseStep(sse([responseCreated("resp_1"), functionCall("call_1", "mcp__fixture__add", { a: 1, b: 1 }), completed("resp_1")]))],
      { toolset: new Toolset([hanging]) },
      controller.signal,
    );
    await expect(run()).rejects.toBeInstanceOf(CancelledError);
    expect(seenSignal?.aborted).toBe(true);
  });
});
