// runAgent in process: the one event stream views and telemetry observe, in order.
import { afterEach, describe, expect, test } from "bun:test";
import type { CallToolResult, Tool } from "@modelcontextprotocol/client";
import { ApprovalGate } from "../../src/agent/approvals.ts";
import type { AgentEvent } from "../../src/agent/events.ts";
import { runAgent, type AgentRunOptions } from "../../src/agent/loop.ts";
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


function fakeServer(callTool: (name: string, args: Record<string, unknown>, signal?: AbortSignal) => Promise<CallToolResult>): McpConnection {
  const add: Tool = { name: "add", description: "Add two numbers.", inputSchema: { type: "object", properties: { a: {}, b: {} } } };
  return {
    server: { name: "fixture", approveTools: [] },
    tools: [add],
    capabilities: () => ({ tools: {} }),
    callTool: (name: string, args: Record<string, unknown>, options?: { signal?: AbortSignal }) => callTool(name, args, options?.signal),
  } as unknown as McpConnection;
}

const addTool = fakeServer(async (_name, args) => ({ content: [{ type: "text", text: String(Number(args.a) + Number(args.b)) }] }));

function setup(script: MockStep[], overrides: Partial<AgentRunOptions> = {}, signal = new AbortController().signal) {
  server = startMockResponses(script);
  const events: AgentEvent[] = [];
  let clock = 0;
  const ctx = { fetch, now: () => (clock += 1), signal };
  const options: AgentRunOptions = {
    target: { model: "gpt-test", providerId: "mock", provider: { baseUrl: server.url } },
    prompt: "what is 2+3?",
    toolset: new Toolset([addTool]),
    gate: new ApprovalGate({ policy: "auto", yes: false, approveTools: () => [], autoApproveReadOnly: () => false }),
    maxTurns: 5,
    observe: (event) => void events.push(event),
    retry: { sleep: async () => {}, random: () => 0.5 },
    ...overrides,
  };
  return { events, run: () => runAgent(ctx, options) };
}

describe("runAgent", () => {
  test("emits the prompt, every attempt and SSE event, each call, decision and result, once and in order", async () => {
    const { events, run } = setup([
      failStep(500),
      sseStep(sse([responseCreated("resp_1"), functionCall("call_1", "mcp__fixture__add", { a: 2, b: 3 }), completed("resp_1")])),
      sseStep(sse(textTurn("resp_2", ["5"]))),
    ]);
    const summary = await run();
    expect(summary).toEqual({ text: "5", turns: 2, toolCalls: 1, usage: { inputTokens: 24, outputTokens: 14, totalTokens: 38, cachedTokens: 0, reasoningTokens: 0 } });
    expect(events.map((e) => (e.type === "sse.event" ? `sse ${e.record.kind}` : e.type))).toEqual([
      "user.prompt",
      "api.request",
      "retry",
      "sse response.created",
      "sse response.output_item.done",
      "sse response.completed",
      "api.request",
      "turn.completed",
      "tool.call",
      "tool.decision",
      "tool.result",
      "sse response.created",
      "sse response.output_text.delta",
      "text.delta",
      "sse response.output_item.done",
      "sse response.completed",
      "api.request",
      "turn.completed",
      "final",
    ]);
    const of = <T extends AgentEvent["type"]>(type: T) => events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
    expect(of("user.prompt")[0]!.prompt).toBe("what is 2+3?");
    expect(of("api.request")[0]!.record).toMatchObject({ attempt: 1, statusCode: 500, errorMessage: expect.stringContaining("500") });
    expect(of("api.request")[1]!.record).toMatchObject({ attempt: 2, statusCode: 200 });
    const call = of("tool.call")[0]!.call;
    expect(call).toEqual({ turn: 1, callId: "call_1", name: "mcp__fixture__add", server: "fixture", tool: "add", arguments: { a: 2, b: 3 }, rawArguments: '{"a":2,"b":3}' });
    expect(of("tool.decision")[0]).toEqual({ type: "tool.decision", call, verdict: expect.objectContaining({ decision: "approved", source: "config" }) });
    expect(of("tool.result")[0]).toEqual({ type: "tool.result", call, outcome: { success: true, output: "5", durationMs: 1 } });
  });

  test("a retried stream's replay is not shown twice", async () => {
    const turn = textTurn("resp_1", ["The answer ", "is ", "42."]);
    const { events, run } = setup([sseStep(sse(turn), { cutAfterBytes: sse(turn.slice(0, 3)).length }), sseStep(sse(turn))]);
    expect((await run()).text).toBe("The answer is 42.");
    const shown = events.filter((e) => e.type === "text.delta" || e.type === "text.restart" || e.type === "retry");
    expect(shown.map((e) => (e.type === "text.delta" ? [e.type, e.turn, e.delta] : e.type))).toEqual([
      ["text.delta", 1, "The answer "],
      ["text.delta", 1, "is "],
      "retry",
      ["text.delta", 1, "42."],
    ]);
  });

  test("a retry that diverges restarts the turn's text", async () => {
    const first = [responseCreated("resp_1"), outputTextDelta("Maybe")];
    const { events, run } = setup([sseStep(sse(first)), sseStep(sse(textTurn("resp_1", ["Yes."])))]);
    expect((await run()).text).toBe("Yes.");
    const shown = events.filter((e) => e.type === "text.delta" || e.type === "text.restart");
    expect(shown).toEqual([
      { type: "text.delta", turn: 1, delta: "Maybe" },
      { type: "text.restart", turn: 1 },
      { type: "text.delta", turn: 1, delta: "Yes." },
    ]);
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
