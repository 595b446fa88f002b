// Traces (issue 23): `tether exec` exports one trace per run to a real OTLP receiver (decoded with
// OpenTelemetry's protobuf definitions) over gRPC and HTTP, and the same trace context reaches the
// MCP server (`params._meta.traceparent`, recorded by the fixture) and the model (`traceparent`
// header). A TRACEPARENT in the environment makes the run a child of the caller's trace.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { failStep, startMockResponses } from "../support/mock-responses.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";
import { startHttpFixture } from "../support/fixture.ts";
import { loginHeadless, onlyEntry } from "../cli/oauth-driver.ts";
import { stopDaemonsUnder } from "../support/daemons.ts";
import { addScript, ANSWER, PROMPT, SECRETS } from "./harness.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 };
const STATUS_ERROR = 2;
const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

type Exporter = "grpc" | "http-binary" | "http-json" | "none";

function exporterTable(kind: Exporter, r: OtlpReceiver): unknown {
  const headers = { "x-otel-token": "${OTEL_TOKEN}" };
  if (kind === "none") return "none";
  if (kind === "grpc") return { "otlp-grpc": { endpoint: r.grpcUrl, headers } };
  return { "otlp-http": { endpoint: r.httpUrl, protocol: kind === "http-json" ? "json" : "binary", headers } };
}

async function setup(options: { traces: Exporter; logs?: Exporter; logUserPrompt?: boolean }) {
  const home = makeHome();
  const mock = startMockResponses(addScript());
  const receiver = await startOtlpReceiver();
  cleanups.push(() => home.cleanup(), () => mock.stop(), () => receiver.stop());
  const traceFile = join(home.home, "fixture-trace.jsonl");
  writeConfig(home.configPath, {
    top: {
      model: "gpt-test",
      model_provider: "mock",
      model_providers: { mock: { base_url: mock.url, env_key: "MOCK_KEY", http_headers: { "OpenAI-Organization": SECRETS.providerHeader } } },
      otel: {
        ...(options.logUserPrompt !== undefined ? { log_user_prompt: options.logUserPrompt } : {}),
        exporter: exporterTable(options.logs ?? "none", receiver),
        trace_exporter: exporterTable(options.traces, receiver),
      },
    },
    servers: { fixture: stdioFixture(["--tools", "add", "--trace-file", traceFile], { approve_tools: ["add"], env: { FIXTURE_TOKEN: SECRETS.serverEnv } }) },
  });
  const run = async (env: Record<string, string> = {}) => {
    const result = await runTether(["exec", PROMPT], { home: home.home, env: { MOCK_KEY: SECRETS.apiKey, OTEL_TOKEN: SECRETS.otelToken, ...env } });
    expectOk(result);
    expect(result.stdout).toBe(`${ANSWER}\n`);
    return result;
  };
  /** What the fixture server received: each request's method and trace context. */
  const received = (): { method: string; traceparent?: string; tracestate?: string; baggage?: string }[] =>
    existsSync(traceFile) ? readFileSync(traceFile, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : [];
  return { home, mock, receiver, run, received };
}

const named = (spans: ReceivedSpan[], name: string) => spans.filter((span) => span.name === name);
const one = (spans: ReceivedSpan[], name: string) => {
  const found = named(spans, name);
  expect({ name, count: found.length }).toEqual({ name, count: 1 });
  return found[0]!;
};
const traceparent = (span: ReceivedSpan) => `00-${span.traceId}-${span.spanId}-01`;

describe("tether exec exports one trace", () => {
  for (const kind of ["grpc", "http-binary"] as const) {
    test(`${kind}: the run, its turns, model requests, tool call and MCP requests, parent to child`, async () => {
      const { receiver, run, received, mock } = await setup({ traces: kind });
      await run();
      const spans = receiver.spans();
      expect(new Set(spans.map((span) => span.transport))).toEqual(new Set([kind === "grpc" ? "grpc" : "http-protobuf"]));
      expect(receiver.spanExports[0]!.headers["x-otel-token"]).toBe(SECRETS.otelToken);

      const root = one(spans, "tether.exec");
      expect(root.parentSpanId).toBeUndefined();
      expect(root.kind).toBe(KIND.INTERNAL);
      expect(root.resource).toMatchObject({ "service.name": "tether-cli" });
      expect(root.attributes).toMatchObject({ "gen_ai.request.model": "gpt-test", "tether.prompt_length": PROMPT.length });
      // log_user_prompt is off: no prompt text anywhere.
      expect(root.attributes["tether.prompt"]).toBeUndefined();
      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([root.traceId]));

      const turns = named(spans, "tether.turn").sort((a, b) => Number(a.attributes["tether.turn"]) - Number(b.attributes["tether.turn"]));
      expect(turns.map((turn) => [turn.attributes["tether.turn"], turn.parentSpanId])).toEqual([
        [1, root.spanId],
        [2, root.spanId],
      ]);
      const models = named(spans, "tether.model_request");
      expect(models.map((model) => model.parentSpanId).sort()).toEqual(turns.map((turn) => turn.spanId).sort());
      const first = models.find((model) => model.parentSpanId === turns[0]!.spanId)!;
      expect(first.kind).toBe(KIND.CLIENT);
      expect(first.attributes).toMatchObject({
        "gen_ai.request.model": "gpt-test",
        "gen_ai.provider.name": "mock",
        "gen_ai.response.id": "resp_1",
        "gen_ai.usage.input_tokens": 21,
        "gen_ai.usage.output_tokens": 9,
        "tether.retries": 1,
        "http.response.status_code": 200,
      });

      const call = one(spans, "tether.tool_call");
      expect(call.parentSpanId).toBe(turns[0]!.spanId);
      expect(call.attributes).toMatchObject({ "gen_ai.tool.name": "mcp__fixture__add", "mcp.server": "fixture", "mcp.tool": "add", "tether.decision": "approved", "tether.success": true });
      expect(typeof call.attributes["tether.duration_ms"]).toBe("number");

      const requests = named(spans, "tether.mcp_request");
      const toolsCall = requests.find((span) => span.attributes["mcp.method.name"] === "tools/call")!;
      expect(toolsCall.parentSpanId).toBe(call.spanId);
      expect(toolsCall.kind).toBe(KIND.CLIENT);
      expect(toolsCall.attributes).toMatchObject({ "mcp.server": "fixture", "mcp.transport": "stdio", "gen_ai.tool.name": "add", "mcp.era": "legacy" });
      // The handshake and list requests happen before any turn: children of the run.
      const handshake = requests.filter((span) => span.attributes["mcp.method.name"] !== "tools/call");
      expect(handshake.length).toBeGreaterThan(0);
      for (const span of handshake) expect(span.parentSpanId).toBe(root.spanId);

      // The server saw each request's own span as its parent; the model, its request's.
      const seen = received();
      expect(seen.find((line) => line.method === "tools/call")!.traceparent).toBe(traceparent(toolsCall));
      for (const line of seen) expect(requests.map(traceparent)).toContain(line.traceparent!);
      const modelHeaders = mock.requests.map((request) => request.headers.traceparent);
      expect(modelHeaders.slice(1)).toEqual([traceparent(first), traceparent(models.find((model) => model !== first)!)]);

      const raw = receiver.rawText();
      for (const secret of [SECRETS.apiKey, SECRETS.providerHeader, SECRETS.serverEnv, "prompt-marker-31d7"]) expect(raw).not.toContain(secret);
    }, 120_000);
  }

  test("http-json, with logs on too: each log record names the span it happened in; the prompt only with log_user_prompt", async () => {
    const { receiver, run } = await setup({ traces: "http-json", logs: "http-json", logUserPrompt: true });
    await run();
    const spans = receiver.spans();
    expect(spans.every((span) => span.transport === "http-json")).toBe(true);
    const root = one(spans, "tether.exec");
    expect(root.attributes["tether.prompt"]).toBe(PROMPT);
    const call = one(spans, "tether.tool_call");
    const records = receiver.records();
    const result = records.find((record) => record.eventName === "tether.tool_result")!;
    expect([result.traceId, result.spanId]).toEqual([root.traceId, call.spanId]);
    const apiRequests = records.filter((record) => record.eventName === "tether.api_request");
    const models = new Set(named(spans, "tether.model_request").map((span) => span.spanId));
    expect(apiRequests.length).toBe(3);
    for (const record of apiRequests) expect(models.has(record.spanId!)).toBe(true);
  }, 120_000);
});

describe("TRACEPARENT from the environment", () => {
  test("with traces on, the run is a child of the caller's span, in the caller's trace", async () => {
    const { receiver, run, received } = await setup({ traces: "http-binary" });
    await run({ TRACEPARENT: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, TRACESTATE: "caller=abc" });
    const spans = receiver.spans();
    const root = one(spans, "tether.exec");
    expect([root.traceId, root.parentSpanId, root.traceState]).toEqual([CALLER_TRACE, CALLER_SPAN, "caller=abc"]);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([CALLER_TRACE]));
    const seen = received();
    expect(seen.length).toBeGreaterThan(0);
    for (const line of seen) {
      expect(line.traceparent).toStartWith(`00-${CALLER_TRACE}-`);
      expect(line.tracestate).toBe("caller=abc");
    }
  }, 120_000);

  test("with traces off, requests carry the caller's context unchanged and nothing is exported; baggage never", async () => {
    const { receiver, run, received, mock } = await setup({ traces: "none" });
    const caller = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
    await run({ TRACEPARENT: caller, BAGGAGE: "user=alice" });
    expect(receiver.spanExports).toEqual([]);
    const seen = received();
    expect(seen.length).toBeGreaterThan(0);
    for (const line of seen) expect([line.traceparent, line.baggage]).toEqual([caller, undefined]);
    expect(mock.requests.map((request) => request.headers.traceparent)).toEqual(mock.requests.map(() => caller));
  }, 120_000);

  test("neither traces nor TRACEPARENT: no trace context goes out", async () => {
    const { run, received, mock } = await setup({ traces: "none" });
    await run();
    expect(received().filter((line) => line.traceparent !== undefined)).toEqual([]);
    expect(mock.requests.filter((request) => request.headers.traceparent !== undefined)).toEqual([]);
  }, 120_000);
});

test("a failed run's root span says so", async () => {
  const home = makeHome();
  const receiver = await startOtlpReceiver({ grpc: false });
  const mock = startMockResponses([failStep(400, { error: "no such model" })]);
  cleanups.push(() => home.cleanup(), () => receiver.stop(), () => mock.stop());
  writeConfig(home.configPath, {
    top: {
      model: "gpt-test",
      model_provider: "mock",
      model_providers: { mock: { base_url: mock.url, env_key: "MOCK_KEY" } },
      otel: { trace_exporter: { "otlp-http": { endpoint: receiver.httpUrl } } },
    },
  });
  const result = await runTether(["exec", "hello"], { home: home.home, env: { MOCK_KEY: "k" } });
  expect(result.code).toBe(1);
  const root = one(receiver.spans(), "tether.exec");
  expect(root.statusCode).toBe(STATUS_ERROR);
  const model = one(receiver.spans(), "tether.model_request");
  expect([model.statusCode, model.parentSpanId !== undefined]).toEqual([STATUS_ERROR, true]);
}, 60_000);

describe("commands that talk to HTTP servers", () => {
  test("mcp login is a tether.login span; mcp call over streamable HTTP sends its request's context in _meta and the traceparent header", async () => {
    const home = makeHome();
    const receiver = await startOtlpReceiver({ grpc: false });
    const traceFile = join(home.home, "http-trace.jsonl");
    const fixture = await startHttpFixture(["--oauth", "--trace-file", traceFile]);
    cleanups.push(() => home.cleanup(), () => receiver.stop(), () => fixture.stop());
    writeConfig(home.configPath, {
      top: { mcp_oauth_credentials_store: "file", otel: { trace_exporter: { "otlp-http": { endpoint: receiver.httpUrl, protocol: "json" } } } },
      servers: { fx: { url: fixture.url } },
    });
    const login = await loginHeadless("fx", { home: home.home, via: "callback" });
    expect(login.code).toBe(0);
    const loginSpans = receiver.spans();
    const loginRoot = one(loginSpans, "tether.mcp.login");
    expect(one(loginSpans, "tether.login")).toMatchObject({ parentSpanId: loginRoot.spanId, attributes: { "mcp.server": "fx", "tether.login.flow": "browser" } });

    receiver.clear();
    expectOk(await runTether(["mcp", "call", "fx", "add", "--arg", "a=1", "--arg", "b=2"], { home: home.home }));
    const spans = receiver.spans();
    const root = one(spans, "tether.mcp.call");
    const call = named(spans, "tether.mcp_request").find((span) => span.attributes["mcp.method.name"] === "tools/call")!;
    expect(call).toMatchObject({ parentSpanId: root.spanId, attributes: { "mcp.transport": "http", "network.transport": "tcp", "mcp.server": "fx" } });
    const seen = readFileSync(traceFile, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    const received = seen.filter((line) => line.method === "tools/call").at(-1);
    expect([received.traceparent, received.header]).toEqual([traceparent(call), traceparent(call)]);
    // The access token is a secret: no span carries it.
    const token = onlyEntry(home.tetherHome)?.tokens?.access_token;
    expect(token).toBeString();
    expect(receiver.rawText()).not.toContain(token!);
  }, 120_000);
});

describe("through the keep-alive daemon", () => {
  async function keptAlive(traces: boolean) {
    const home = makeHome();
    const receiver = await startOtlpReceiver({ grpc: false });
    const traceFile = join(home.home, "kept-trace.jsonl");
    cleanups.push(async () => {
      await stopDaemonsUnder(home.tetherHome);
      home.cleanup();
      await receiver.stop();
    });
    writeConfig(home.configPath, {
      top: traces ? { otel: { trace_exporter: { "otlp-http": { endpoint: receiver.httpUrl } } } } : {},
      servers: { fx: stdioFixture(["--tools", "add", "--trace-file", traceFile], { keep_alive: true }) },
    });
    const call = (env: Record<string, string> = {}) => runTether(["mcp", "call", "fx", "add", "--arg", "a=1", "--arg", "b=2"], { home: home.home, env });
    const toolsCalls = () => (existsSync(traceFile) ? readFileSync(traceFile, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : []).filter((line) => line.method === "tools/call");
    return { receiver, call, toolsCalls };
  }

  test("the daemon handles the command's call in its trace: command → daemon request → MCP request → server", async () => {
    const { receiver, call, toolsCalls } = await keptAlive(true);
    expectOk(await call());
    const spans = await receiver.waitForSpans((got) => got.some((span) => span.name === "tether.mcp_request" && span.attributes["mcp.method.name"] === "tools/call"), 15_000);
    const root = one(spans, "tether.mcp.call");
    const daemon = spans.find((span) => span.name === "tether.daemon_request" && span.attributes["tether.daemon.method"] === "callTool")!;
    expect(daemon).toMatchObject({ kind: KIND.SERVER, traceId: root.traceId, parentSpanId: root.spanId, attributes: { "mcp.server": "fx" } });
    const request = spans.find((span) => span.name === "tether.mcp_request" && span.attributes["mcp.method.name"] === "tools/call")!;
    expect(request).toMatchObject({ traceId: root.traceId, parentSpanId: daemon.spanId });
    expect(toolsCalls().map((line) => line.traceparent)).toEqual([traceparent(request)]);
  }, 60_000);

  test("with traces off, a TRACEPARENT reaches the server through the daemon unchanged; the daemon keeps none of it", async () => {
    const { call, toolsCalls } = await keptAlive(false);
    const caller = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
    expectOk(await call({ TRACEPARENT: caller }));
    expectOk(await call());
    expect(toolsCalls().map((line) => line.traceparent)).toEqual([caller, undefined]);
  }, 60_000);
});

test("a tool that fails and a JSON-RPC error both end their tether.mcp_request span with status ERROR and error.type", async () => {
  const home = makeHome();
  const receiver = await startOtlpReceiver({ grpc: false });
  cleanups.push(() => home.cleanup(), () => receiver.stop());
  writeConfig(home.configPath, {
    top: { otel: { trace_exporter: { "otlp-http": { endpoint: receiver.httpUrl } } } },
    servers: { ok: stdioFixture(["--tools", "fail"]), broken: stdioFixture(["--tools", "add", "--rpc-error=-32603"]) },
  });
  expect((await runTether(["mcp", "call", "ok", "fail"], { home: home.home })).code).toBe(1);
  expect((await runTether(["mcp", "call", "broken", "add", "--arg", "a=1", "--arg", "b=2"], { home: home.home })).code).toBe(1);
  const calls = receiver.spans().filter((span) => span.name === "tether.mcp_request" && span.attributes["mcp.method.name"] === "tools/call");
  const of = (server: string) => calls.find((span) => span.attributes["mcp.server"] === server)!;
  expect([of("ok").statusCode, of("ok").attributes["error.type"]]).toEqual([STATUS_ERROR, "tool_error"]);
  expect([of("broken").statusCode, of("broken").attributes["error.type"], of("broken").attributes["rpc.response.status_code"]]).toEqual([STATUS_ERROR, "-32603", "-32603"]);
  // A 2025 server refusing the era probe is how the probe finds the era, not a failure.
  const probes = receiver.spans().filter((span) => span.attributes["mcp.method.name"] === "server/discover");
  expect(probes.length).toBeGreaterThan(0);
  for (const probe of probes) expect([probe.statusCode, probe.attributes["rpc.response.status_code"]]).toEqual([0, "-32601"]);
  // Each command's root says it failed.
  for (const root of receiver.spans().filter((span) => span.name === "tether.mcp.call")) expect(root.statusCode).toBe(STATUS_ERROR);
}, 60_000);
