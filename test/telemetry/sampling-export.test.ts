// `tether.sampling`: one record per sampling request a server sent, from `mcp call` too, with the
// decision, model and token counts, and the prompt redacted unless log_user_prompt allows it.
import { afterEach, expect, test } from "bun:test";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { type ServerEntry, stdioFixture, writeConfig } from "../support/config.ts";
import { type MockStep, sseStep, startMockResponses } from "../support/mock-responses.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { completed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A home whose model is a mock answering `script`, exporting to a local OTLP receiver, with `servers`. */
async function setup(script: MockStep[], options: { logUserPrompt: boolean; servers: Record<string, ServerEntry>; metrics?: boolean }) {
  const home = makeHome();
  const mock = startMockResponses(script);
  const receiver = await startOtlpReceiver({ grpc: false });
  cleanups.push(() => home.cleanup(), () => mock.stop(), () => receiver.stop());
  writeConfig(home.configPath, {
    top: {
      model: "gpt-test",
      model_provider: "mock",
      model_providers: { mock: { base_url: mock.url, env_key: "MOCK_KEY" } },
      otel: {
        log_user_prompt: options.logUserPrompt,
        exporter: { "otlp-http": { endpoint: receiver.httpLogsUrl, protocol: "json" } },
        // Metrics (issue 23).
        ...(options.metrics && { metrics_exporter: { "otlp-http": { endpoint: receiver.httpUrl, protocol: "json" } } }),
      },
    },
    servers: options.servers,
  });
  return { home, receiver };
}

for (const logUserPrompt of [false, true]) {
  test(`answered and refused requests are recorded (log_user_prompt = ${logUserPrompt})`, async () => {
    const { home, receiver } = await setup([sseStep(sse(textTurn("resp_1", ["four"], { inputTokens: 30, outputTokens: 2 })))], {
      logUserPrompt,
      servers: { yes: stdioFixture(["--features"], { sampling: "auto" }), no: stdioFixture(["--features"]) },
    });
    const run = (server: string) => runTether(["mcp", "call", server, "sample", "--arg", "prompt=What is 2+2?"], { home: home.home, env: { MOCK_KEY: "test-key" }, process: true });
    expectOk(await run("yes"));
    expect((await run("no")).code).toBe(1);
    const records = receiver.records().filter((r) => r.attributes["event.name"] === "tether.sampling");
    expect(records.map((r) => r.attributes)).toEqual([
      expect.objectContaining({
        "mcp.server": "yes",
        decision: "auto",
        model: "gpt-test",
        max_tokens: 4096,
        input_token_count: 30,
        output_token_count: 2,
        prompt: logUserPrompt ? "user: What is 2+2?" : "[REDACTED]",
      }),
      expect.objectContaining({ "mcp.server": "no", decision: "off", max_tokens: 4096 }),
    ]);
    expect(records[1]!.attributes.input_token_count).toBeUndefined();
  }, 120_000);
}

test("in exec, sampling records go out with the run's other records: one conversation.id", async () => {
  const { home, receiver } = await setup(
    [
      sseStep(sse([responseCreated("resp_1"), functionCall("call_1", "mcp__yes__sample", { prompt: "What is 2+2?" }), completed("resp_1")])),
      sseStep(sse(textTurn("resp_s", ["four"]))),
      sseStep(sse(textTurn("resp_2", ["It is four."]))),
    ],
    { logUserPrompt: false, servers: { yes: stdioFixture(["--features"], { sampling: "auto" }) } },
  );
  expectOk(await runTether(["exec", "--yes", "ask the server"], { home: home.home, env: { MOCK_KEY: "test-key" }, process: true }));
  const records = receiver.records();
  const sampling = records.filter((r) => r.attributes["event.name"] === "tether.sampling");
  expect(sampling.map((r) => r.attributes.decision)).toEqual(["auto"]);
  const conversations = new Set(records.map((r) => r.attributes["conversation.id"]));
  expect(conversations.size).toBe(1);
  expect(records.some((r) => r.attributes["event.name"] === "tether.tool_result")).toBe(true);
}, 120_000);

// Metrics (issue 23).
test("mcp call exports the model metrics of the sampling request it answered", async () => {
  const { home, receiver } = await setup([sseStep(sse(textTurn("resp_1", ["four"], { inputTokens: 30, outputTokens: 2 })))], {
    logUserPrompt: false,
    metrics: true,
    servers: { yes: stdioFixture(["--features"], { sampling: "auto" }) },
  });
  expectOk(await runTether(["mcp", "call", "yes", "sample", "--arg", "prompt=What is 2+2?"], { home: home.home, env: { MOCK_KEY: "test-key" }, process: true }));
  const chat = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "mock", "gen_ai.request.model": "gpt-test" };
  const points = receiver.metricPoints().map((p) => ({ name: p.name, attributes: p.attributes, count: p.count, sum: p.sum }));
  expect(points).toEqual([
    { name: "gen_ai.client.operation.duration", attributes: chat, count: 1, sum: expect.any(Number) },
    { name: "gen_ai.client.token.usage", attributes: { ...chat, "gen_ai.token.type": "input" }, count: 1, sum: 30 },
    { name: "gen_ai.client.token.usage", attributes: { ...chat, "gen_ai.token.type": "output" }, count: 1, sum: 2 },
  ]);
  expect(JSON.stringify(points)).not.toContain("2+2");
}, 120_000);
