// Metrics (issue 23) in process: the aggregator's totals, the agent's events as measurements, and
// the worker's exporter delivering a snapshot to a real OTLP receiver over gRPC and HTTP.
import { afterEach, describe, expect, test } from "bun:test";
import { bucketIndex, MetricsAggregator, type MetricsSnapshot } from "../../src/telemetry/metrics.ts";
import { agentMetricsObserver } from "../../src/telemetry/metrics-observers.ts";
import { serveMetrics } from "../../src/telemetry/serve-events.ts";
import { startMetricsExport } from "../../src/telemetry/metrics-export.ts";
import type { ExporterSettings } from "../../src/telemetry/exporter-settings.ts";
import { METRICS, resolveExporterSettings } from "../../src/telemetry/exporter-settings.ts";
import type { ToolCallInfo } from "../../src/agent/events.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetricPoint } from "../support/otlp-receiver.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const T0 = 1_780_000_000_000;

describe("MetricsAggregator", () => {
  test("buckets are upper-inclusive, with an overflow bucket", () => {
    expect(bucketIndex([1, 2, 5], 0.5)).toBe(0);
    expect(bucketIndex([1, 2, 5], 1)).toBe(0);
    expect(bucketIndex([1, 2, 5], 1.5)).toBe(1);
    expect(bucketIndex([1, 2, 5], 5)).toBe(2);
    expect(bucketIndex([1, 2, 5], 9)).toBe(3);
  });

  test("one series per attribute set, in any key order; totals are cumulative", () => {
    const metrics = new MetricsAggregator(T0);
    expect(metrics.empty).toBe(true);
    metrics.record("toolCalls", 1, { "mcp.server": "a", outcome: "success" });
    metrics.record("toolCalls", 1, { outcome: "success", "mcp.server": "a" });
    metrics.record("toolCalls", 1, { "mcp.server": "a", outcome: "error" });
    metrics.record("toolDuration", 0.03, { "mcp.server": "a" });
    metrics.record("toolDuration", 7, { "mcp.server": "a" });
    // Not a measurement: left out rather than poisoning the sum.
    metrics.record("toolDuration", Number.NaN, { "mcp.server": "a" });
    const first = metrics.snapshot(T0 + 1000);
    metrics.record("toolCalls", 1, { "mcp.server": "a", outcome: "success" });
    const second = metrics.snapshot(T0 + 2000);

    const calls = (s: MetricsSnapshot) => s.metrics.find((m) => m.instrument === "toolCalls")!.series.map((x) => [x.attributes.outcome, x.sum]);
    expect(calls(first)).toEqual([["success", 2], ["error", 1]]);
    expect(calls(second)).toEqual([["success", 3], ["error", 1]]);
    expect(second.startMs).toBe(T0);
    expect(second.endMs).toBe(T0 + 2000);
    const duration = first.metrics.find((m) => m.instrument === "toolDuration")!.series[0]!;
    expect(duration).toMatchObject({ count: 2, sum: 7.03, min: 0.03, max: 7 });
    // [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, ...]: 0.03 in (0.02, 0.05], 7 in (5, 10].
    expect(duration.bucketCounts!.slice(0, 11)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
  });
});

function call(callId: string, overrides: Partial<ToolCallInfo> = {}): ToolCallInfo {
  return { turn: 1, callId, name: "mcp__docs__search", server: "docs", tool: "search", arguments: {}, rawArguments: "{}", ...overrides };
}

/** The latest totals of one instrument, as [attributes, value] pairs. */
function totals(metrics: MetricsAggregator, instrument: string): [Record<string, unknown>, number, number][] {
  const found = metrics.snapshot(T0).metrics.find((m) => m.instrument === instrument);
  return (found?.series ?? []).map((s) => [{ ...s.attributes }, s.count, s.sum]);
}

describe("the agent's events as measurements", () => {
  test("model attempts, tokens, tool calls by outcome, and the tools/call requests behind them", () => {
    const metrics = new MetricsAggregator(T0);
    const observe = agentMetricsObserver(metrics, { model: "config-model", provider: "mock" });
    observe({ type: "session.started", info: { model: "gpt-test", provider: "mock", tools: [], failedServers: [], readOnlyUnasked: [] } });
    observe({ type: "api.request", record: { attempt: 1, durationMs: 120, statusCode: 500, errorMessage: "upstream hiccup: sk-secret-in-message" } });
    observe({ type: "api.request", record: { attempt: 2, durationMs: 800, statusCode: 200 } });
    observe({ type: "turn.completed", turn: 1, responseId: "r1", usage: { inputTokens: 21, outputTokens: 9, totalTokens: 30 } });
    const approved = { decision: "approved", source: "config" } as const;
    observe({ type: "tool.decision", call: call("c1"), verdict: approved });
    observe({ type: "tool.result", call: call("c1"), outcome: { success: true, output: "5", durationMs: 40 } });
    observe({ type: "tool.decision", call: call("c2"), verdict: approved });
    observe({ type: "tool.result", call: call("c2"), outcome: { success: false, output: "error: boom", durationMs: 2500 } });
    observe({ type: "tool.decision", call: call("c3"), verdict: { decision: "denied", source: "user", refusal: "no" } });
    observe({ type: "tool.result", call: call("c3"), outcome: { success: false, output: "no", durationMs: 0 } });
    // A tool the model made up: counted, without a series of its own name.
    observe({ type: "tool.result", call: call("c4", { name: "mcp__nope__x", server: undefined, tool: undefined }), outcome: { success: false, output: "error", durationMs: 0 } });

    const chat = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "mock", "gen_ai.request.model": "gpt-test" };
    expect(totals(metrics, "modelDuration")).toEqual([
      [{ ...chat, "error.type": "500" }, 1, 0.12],
      [chat, 1, 0.8],
    ]);
    expect(totals(metrics, "tokenUsage")).toEqual([
      [{ ...chat, "gen_ai.token.type": "input" }, 1, 21],
      [{ ...chat, "gen_ai.token.type": "output" }, 1, 9],
    ]);
    expect(totals(metrics, "toolCalls")).toEqual([
      [{ "mcp.server": "docs", "mcp.tool": "search", outcome: "success" }, 1, 1],
      [{ "mcp.server": "docs", "mcp.tool": "search", outcome: "error" }, 1, 1],
      [{ "mcp.server": "docs", "mcp.tool": "search", outcome: "denied" }, 1, 1],
      [{ outcome: "error" }, 1, 1],
    ]);
    // Only calls that ran have a duration.
    expect(totals(metrics, "toolDuration")).toEqual([
      [{ "mcp.server": "docs", "mcp.tool": "search", outcome: "success" }, 1, 0.04],
      [{ "mcp.server": "docs", "mcp.tool": "search", outcome: "error" }, 1, 2.5],
    ]);
    expect(totals(metrics, "mcpDuration")).toEqual([
      [{ "mcp.method.name": "tools/call", "mcp.server": "docs" }, 1, 0.04],
      [{ "mcp.method.name": "tools/call", "mcp.server": "docs", "error.type": "tool_error" }, 1, 2.5],
    ]);
    expect(JSON.stringify(metrics.snapshot(T0))).not.toContain("sk-secret");
  });

  test("serve: proxied calls by outcome, refusals, and each upstream request by method and server", () => {
    const metrics = new MetricsAggregator(T0);
    const serve = serveMetrics(metrics);
    const who = { client: "evil-client-name", clientId: "abc", subject: "user@example.com" };
    serve.toolDecision({ toolName: "docs__add", server: "docs", tool: "add", callId: "1", decision: "approved", ...who });
    serve.toolResult({ toolName: "docs__add", server: "docs", tool: "add", callId: "1", arguments: { token: "x" }, durationMs: 30, outcome: { result: { content: [] } }, ...who });
    serve.toolDecision({ toolName: "docs__echo", server: "docs", tool: "echo", callId: "2", decision: "denied", ...who });
    serve.mcpRequest({ method: "tools/call", server: "docs", durationMs: 25, ...who });
    serve.mcpRequest({ method: "tools/list", server: "docs", durationMs: 5, error: "boom" });
    expect(totals(metrics, "toolCalls")).toEqual([
      [{ "mcp.server": "docs", "mcp.tool": "add", outcome: "success" }, 1, 1],
      [{ "mcp.server": "docs", "mcp.tool": "echo", outcome: "denied" }, 1, 1],
    ]);
    expect(totals(metrics, "mcpDuration")).toEqual([
      [{ "mcp.method.name": "tools/call", "mcp.server": "docs" }, 1, 0.025],
      [{ "mcp.method.name": "tools/list", "mcp.server": "docs", "error.type": "_OTHER" }, 1, 0.005],
    ]);
    // Who asked is in the log records, never a metric attribute (a client picks its own name).
    const text = JSON.stringify(metrics.snapshot(T0));
    for (const value of Object.values(who)) expect(text).not.toContain(value);
  });
});

describe("the worker's metrics exporter against a real OTLP receiver", () => {
  async function receiver(): Promise<OtlpReceiver> {
    const r = await startOtlpReceiver();
    cleanups.push(() => r.stop());
    return r;
  }

  const SECRET = "metrics-header-secret-93b1";

  function settings(kind: "grpc" | "http-binary" | "http-json", r: OtlpReceiver): ExporterSettings {
    const headers = { "x-otel-token": "${TOKEN}" };
    const exporter =
      kind === "grpc"
        ? ({ kind: "otlp-grpc", endpoint: r.grpcUrl, headers } as const)
        : ({ kind: "otlp-http", endpoint: r.httpUrl, protocol: kind === "http-binary" ? "binary" : "json", headers } as const);
    return resolveExporterSettings(exporter, { TOKEN: SECRET }, METRICS)!;
  }

  for (const kind of ["grpc", "http-binary", "http-json"] as const) {
    test(`${kind}: counters as monotonic cumulative sums, histograms with their buckets, names, units and attributes`, async () => {
      const r = await receiver();
      const warnings: string[] = [];
      const exporter = await startMetricsExport({
        exporter: settings(kind, r),
        version: "9.9.9",
        environment: "ci",
        debug: false,
        secrets: ["sk-leaked-into-a-name"],
        warn: (message) => warnings.push(message),
      });
      const metrics = new MetricsAggregator(T0);
      metrics.record("toolCalls", 1, { "mcp.server": "docs", "mcp.tool": "add", outcome: "success" });
      metrics.record("toolCalls", 1, { "mcp.server": "docs", "mcp.tool": "add", outcome: "success" });
      metrics.record("tokenUsage", 21, { "gen_ai.token.type": "input", "gen_ai.request.model": "m-sk-leaked-into-a-name" });
      metrics.record("modelDuration", 0.3, { "gen_ai.operation.name": "chat" });
      exporter.export(metrics.snapshot(T0 + 1500));
      await exporter.shutdown();
      expect(warnings).toEqual([]);

      const points = r.metricPoints();
      const byName = (name: string): ReceivedMetricPoint => points.find((p) => p.name === name)!;
      const calls = byName("tether.tool.calls");
      expect(calls).toMatchObject({
        kind: "sum",
        temporality: "cumulative",
        isMonotonic: true,
        unit: "{call}",
        value: 2,
        valueType: "int",
        attributes: { "mcp.server": "docs", "mcp.tool": "add", outcome: "success" },
        resource: { "service.name": "tether-cli", "service.version": "9.9.9", env: "ci" },
        scope: "tether",
        startTimeUnixNano: `${T0}000000`,
        timeUnixNano: `${T0 + 1500}000000`,
      });
      const tokens = byName("gen_ai.client.token.usage");
      expect(tokens).toMatchObject({ kind: "histogram", temporality: "cumulative", unit: "{token}", count: 1, sum: 21, min: 21, max: 21 });
      expect(tokens.explicitBounds!.slice(0, 4)).toEqual([1, 4, 16, 64]);
      expect(tokens.bucketCounts!.slice(0, 4)).toEqual([0, 0, 0, 1]);
      expect(tokens.attributes["gen_ai.request.model"]).toBe("m-[REDACTED]");
      expect(byName("gen_ai.client.operation.duration")).toMatchObject({ kind: "histogram", unit: "s", count: 1, sum: 0.3 });
      expect(r.metricExports.every((e) => e.headers["x-otel-token"] === SECRET)).toBe(true);
      expect(JSON.stringify(points)).not.toContain("sk-leaked");
    });
  }

  test("an unreachable collector: one warning naming the metrics URL, and shutdown still ends", async () => {
    const r = await receiver();
    const url = r.httpUrl;
    await r.stop();
    const warnings: string[] = [];
    const exporter = await startMetricsExport({
      exporter: resolveExporterSettings({ kind: "otlp-http", endpoint: url, protocol: "binary", headers: {} }, {}, METRICS)!,
      version: "1",
      environment: "ci",
      debug: false,
      secrets: [],
      warn: (message) => warnings.push(message),
    });
    const metrics = new MetricsAggregator(T0);
    metrics.record("toolCalls", 1, { outcome: "success" });
    exporter.export(metrics.snapshot(T0 + 1));
    await exporter.shutdown();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`could not export to ${url}/v1/metrics`);
  });
});

describe("[otel] metrics_exporter endpoints", () => {
  test("a base URL gets /v1/metrics; a full metrics URL is kept; gRPC keeps the origin", () => {
    const http = (endpoint: string) => resolveExporterSettings({ kind: "otlp-http", endpoint, protocol: "binary", headers: {} }, {}, METRICS);
    expect(http("http://c:4318")).toMatchObject({ url: "http://c:4318/v1/metrics" });
    expect(http("http://c:4318/otlp/")).toMatchObject({ url: "http://c:4318/otlp/v1/metrics" });
    expect(http("http://c:4318/v1/metrics")).toMatchObject({ url: "http://c:4318/v1/metrics" });
    expect(resolveExporterSettings({ kind: "otlp-grpc", endpoint: "https://c:4317/x", headers: {} }, {}, METRICS)).toMatchObject({ url: "https://c:4317", secure: true });
    expect(resolveExporterSettings({ kind: "none" }, {}, METRICS)).toBeUndefined();
  });

  test("a bad endpoint or an unset header variable is a config error naming metrics_exporter", () => {
    expect(() => resolveExporterSettings({ kind: "otlp-grpc", endpoint: "c:4317", headers: {} }, {}, METRICS)).toThrow("[otel] metrics_exporter otlp-grpc: endpoint must be an http(s) URL");
    expect(() => resolveExporterSettings({ kind: "otlp-http", endpoint: "http://c", protocol: "json", headers: { a: "${NOPE}" } }, {}, METRICS)).toThrow(
      "[otel] metrics_exporter otlp-http headers",
    );
  });
});
