import { afterEach, describe, expect, test } from "bun:test";
import type { ApiRequestRecord, AgentObserver, SseEventRecord } from "../../src/agent/events.ts";
import { streamResponse, type ResponsesEvent, type StreamResponseOptions } from "../../src/agent/responses.ts";
import { backoffDelay, parseRetryAfter, retryDelay, DEFAULT_RETRY_OPTIONS } from "../../src/agent/retry.ts";
import { CancelledError, ModelError } from "../../src/errors.ts";
import { failStep, failTimes, sseStep, startMockResponses, type MockResponses, type MockStep } from "../support/mock-responses.ts";
import {
  assistantMessage,
  completed,
  errorEvent,
  failed,
  functionCall,
  outputTextDelta,
  responseCreated,
  sse,
  textTurn,
  unknownEvent,
} from "../support/sse.ts";

let server: MockResponses | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Everything one streamResponse call reported, for assertions. */
interface Run {
  attempts: number[];
  events: ResponsesEvent[];
  apiRequests: ApiRequestRecord[];
  sseEvents: SseEventRecord[];
  sleeps: number[];
}

function harness(script: MockStep[], overrides: Partial<StreamResponseOptions> = {}, signal = new AbortController().signal) {
  server = startMockResponses(script);
  const run: Run = { attempts: [], events: [], apiRequests: [], sseEvents: [], sleeps: [] };
  const observe: AgentObserver = (event) => {
    if (event.type === "api.request") run.apiRequests.push(event.record);
    if (event.type === "sse.event") run.sseEvents.push(event.record);
  };
  let clock = 1_000;
  const ctx = { fetch, now: () => (clock += 5), signal };
  const options: StreamResponseOptions = {
    provider: {
      baseUrl: server.url,
      envKey: "TEST_OPENAI_KEY",
      queryParams: { "api-version": "2025-01-01" },
      httpHeaders: { "X-Org": "acme" },
    },
    apiKey: "sk-test",
    body: { model: "gpt-test", input: [{ role: "user", content: "hi" }] },
    retry: {
      baseDelayMs: 10,
      random: () => 0.5,
      sleep: async (ms) => {
        run.sleeps.push(ms);
      },
    },
    observe,
    onAttemptStart: (attempt) => run.attempts.push(attempt),
    onEvent: (event) => run.events.push(event),
    ...overrides,
  };
  return { run, call: () => streamResponse(ctx, options), server };
}

const deltas = (run: Run): string[] =>
  run.events.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : []));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("streamResponse", () => {
  test("streams text deltas and returns the message and usage", async () => {
    const { run, call, server } = harness([
      sseStep(sse(textTurn("resp_1", ["Hel", "lo → 世界"], { inputTokens: 30, outputTokens: 4, cachedTokens: 8, reasoningTokens: 2 }))),
    ]);
    const result = await call();

    expect(deltas(run)).toEqual(["Hel", "lo → 世界"]);
    expect(result.responseId).toBe("resp_1");
    expect(result.text).toBe("Hello → 世界");
    expect(result.functionCalls).toEqual([]);
    expect(result.attempts).toBe(1);
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 4, cachedTokens: 8, reasoningTokens: 2, totalTokens: 34 });
    expect(run.attempts).toEqual([1]);
    expect(run.sseEvents.map((e) => e.kind)).toEqual([
      "response.created",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(run.sseEvents.at(-1)?.usage?.inputTokens).toBe(30);
    expect(run.sseEvents.every((e) => e.durationMs >= 0)).toBe(true);
    expect(run.apiRequests).toEqual([
      { attempt: 1, durationMs: expect.any(Number), statusCode: 200, errorMessage: undefined, requestId: "req_1" },
    ]);
  });

  test("sends the configured URL, headers and a streaming body", async () => {
    const { call, server } = harness([sseStep(sse(textTurn("resp_1", ["ok"])))]);
    await call();

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/responses?api-version=2025-01-01");
    expect(request?.headers).toMatchObject({
      authorization: "Bearer sk-test",
      "content-type": "application/json",
      accept: "text/event-stream",
      "x-org": "acme",
    });
    expect(request?.body).toEqual({ model: "gpt-test", input: [{ role: "user", content: "hi" }], stream: true });
  });

  test("returns function_call items with their raw JSON arguments", async () => {
    const { call } = harness([
      sseStep(
        sse([
          responseCreated("resp_2"),
          functionCall("call_a", "docs__search", { query: "otel", limit: 3 }),
          functionCall("call_b", "math__add", { a: 1, b: 2 }),
          completed("resp_2"),
        ]),
      ),
    ]);
    const result = await call();

    expect(result.functionCalls.map(({ callId, name, arguments: args }) => ({ callId, name, args: JSON.parse(args) }))).toEqual([
      { callId: "call_a", name: "docs__search", args: { query: "otel", limit: 3 } },
      { callId: "call_b", name: "math__add", args: { a: 1, b: 2 } },
    ]);
    expect(result.text).toBe("");
  });

  test("passes over unknown event types but reports them", async () => {
    const { run, call } = harness([
      sseStep(
        sse([
          responseCreated("resp_3"),
          unknownEvent("response.in_progress"),
          unknownEvent("response.reasoning_summary_text.delta", { delta: "thinking" }),
          assistantMessage("msg_9", "done"),
          completed("resp_3"),
        ]),
      ),
    ]);
    const result = await call();

    expect(result.text).toBe("done");
    expect(run.sseEvents.map((e) => e.kind)).toContain("response.reasoning_summary_text.delta");
    expect(run.events.filter((e) => e.type === "other")).toHaveLength(2);
  });

  test("retries a 500 twice, then succeeds on attempt 3", async () => {
    const { run, call, server } = harness([...failTimes(2, 500, { error: "upstream hiccup" }), sseStep(sse(textTurn("resp_4", ["ok"])))]);
    const result = await call();

    expect(result.attempts).toBe(3);
    expect(run.attempts).toEqual([1, 2, 3]);
    expect(server.requests).toHaveLength(3);
    expect(run.apiRequests.map((r) => [r.attempt, r.statusCode, r.requestId])).toEqual([
      [1, 500, "req_1"],
      [2, 500, "req_2"],
      [3, 200, "req_3"],
    ]);
    expect(run.apiRequests[0]?.errorMessage).toContain("upstream hiccup");
    expect(run.apiRequests[2]?.errorMessage).toBeUndefined();
    // baseDelayMs 10, doubling, jitter factor 1 with random() = 0.5
    expect(run.sleeps).toEqual([10, 20]);
  });

  test("honours Retry-After on a 429", async () => {
    const { run, call } = harness([failStep(429, { error: "slow down", retryAfter: "1" }), sseStep(sse(textTurn("resp_5", ["ok"])))]);
    await call();

    expect(run.attempts).toEqual([1, 2]);
    expect(run.sleeps).toHaveLength(1);
    expect(run.sleeps[0]).toBeGreaterThanOrEqual(1000);
  });

  for (const cutMode of ["eof", "reset"] as const) {
    test(`retries a stream cut midway (${cutMode})`, async () => {
      const body = sse(textTurn("resp_6", ["first ", "second"]));
      const { run, call } = harness([
        sseStep(body, { cutAfterBytes: body.indexOf("response.output_item.done"), cutMode }),
        sseStep(body),
      ]);
      const result = await call();

      expect(result.attempts).toBe(2);
      expect(result.text).toBe("first second");
      expect(run.attempts).toEqual([1, 2]);
      expect(deltas(run)).toEqual(["first ", "second", "first ", "second"]);
      expect(run.apiRequests[0]).toMatchObject({ attempt: 1, statusCode: 200 });
      expect(run.apiRequests[0]?.errorMessage).toContain(
        cutMode === "eof" ? "the model stream ended before response.completed" : "the model stream broke off",
      );
    });
  }

  test("reads a stream delivered in small, delayed chunks", async () => {
    const { call } = harness([sseStep(sse(textTurn("resp_7", ["a", "b", "c"])), { chunkSize: 40, delayMs: 1 })]);
    expect((await call()).text).toBe("abc");
  });

  test("response.failed is a ModelError with the model's message, not retried", async () => {
    const { run, call, server } = harness([
      sseStep(sse([responseCreated("resp_8"), outputTextDelta("par"), failed("resp_8", "The model crashed.")])),
      sseStep(sse(textTurn("resp_9", ["never"]))),
    ]);
    const error = await rejection(call());

    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("The model crashed.");
    expect(server.requests).toHaveLength(1);
    expect(run.sseEvents.at(-1)).toMatchObject({ kind: "response.failed", errorMessage: "The model crashed." });
    expect(run.apiRequests).toHaveLength(1);
    expect(run.apiRequests[0]?.errorMessage).toContain("The model crashed.");
  });

  test("an error event is a ModelError with its message, not retried", async () => {
    const { call, server } = harness([sseStep(sse([responseCreated("resp_10"), errorEvent("Invalid tool schema")]))]);
    const error = await rejection(call());

    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("Invalid tool schema");
    expect(server.requests).toHaveLength(1);
  });

  test("gives up after 4 failed attempts, naming the status", async () => {
    const { run, call, server } = harness(failTimes(5, 503, { error: "overloaded" }));
    const error = await rejection(call());

    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("503");
    expect(error.message).toContain("overloaded");
    expect(error.message).toContain("4 attempts");
    expect(server.requests).toHaveLength(4);
    expect(run.attempts).toEqual([1, 2, 3, 4]);
    expect(run.sleeps).toHaveLength(3);
  });

  test("does not retry a 401 and names the API key variable", async () => {
    const { call, server } = harness([failStep(401, { error: "Incorrect API key provided" }), sseStep(sse(textTurn("r", ["x"])))]);
    const error = await rejection(call());

    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("401");
    expect(error.message).toContain("Incorrect API key provided");
    expect((error as ModelError).hint).toContain("TEST_OPENAI_KEY");
    expect(server.requests).toHaveLength(1);
  });

  test("retries when the server cannot be reached, then reports it", async () => {
    const { run, call, server } = harness([]);
    await server.stop();
    const error = await rejection(call());

    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("could not reach the model API");
    expect(run.attempts).toEqual([1, 2, 3, 4]);
    expect(run.apiRequests.every((r) => r.statusCode === undefined && r.errorMessage !== undefined)).toBe(true);
  });

  test("an unreadable event is a ModelError, not retried", async () => {
    const { call, server } = harness([sseStep("event: response.created\ndata: {not json\n\n")]);
    const error = await rejection(call());

    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toContain("unreadable");
    expect(server.requests).toHaveLength(1);
  });

  test("aborting mid-stream is a CancelledError", async () => {
    const controller = new AbortController();
    const body = sse(textTurn("resp_11", ["one", "two"]));
    const { call } = harness([sseStep(body, { chunkSize: 64, delayMs: 2 })], {
      onEvent: (event) => {
        if (event.type === "response.output_text.delta") controller.abort();
      },
    }, controller.signal);
    expect(await rejection(call())).toBeInstanceOf(CancelledError);
  });
});

describe("retry policy", () => {
  test("backoff doubles per attempt, jitters ±25% and is capped", () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3].map((n) => backoffDelay(n, { ...policy, random: () => 0.5 }))).toEqual([100, 200, 400]);
    expect(backoffDelay(1, { ...policy, random: () => 0 })).toBe(75);
    expect(backoffDelay(1, { ...policy, random: () => 0.999999 })).toBe(125);
    expect(backoffDelay(9, { ...policy, random: () => 0.5 })).toBe(1_000);
  });

  test("Retry-After is read as seconds, an HTTP date, or retry-after-ms", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }), now)).toBe(2_000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }), now)).toBe(3_000);
    expect(parseRetryAfter(new Headers({ "retry-after": "Tue, 31 Dec 2024 23:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
  });

  test("the server's wait wins over backoff but is capped", () => {
    const policy = { ...DEFAULT_RETRY_OPTIONS, random: () => 0.5 };
    expect(retryDelay(1, 1_500, policy)).toBe(1_500);
    expect(retryDelay(1, 3_600_000, policy)).toBe(policy.maxRetryAfterMs);
    expect(retryDelay(2, undefined, policy)).toBe(1_000);
  });
});
