// Metrics of `tether mcp serve` (issue 23): proxied tool calls by outcome, and each upstream
// request's rate and latency per upstream, exported to a real OTLP collector every
// metrics_export_interval_sec while serve runs, and at exit.
import { beforeEach, expect, test } from "bun:test";
import { stringify } from "smol-toml";
import { homePerTest } from "../support/cli.ts";
import { stdioFixture } from "../support/config.ts";
import { type OtlpReceiver, type ReceivedMetricPoint, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { writeConfig } from "../cli/oauth-driver.ts";
import { connectHttp, connectStdioServe, startHttpServe } from "./harness.ts";

const each = homePerTest();
let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
  each.fixtures.push(receiver);
});

const CALLS = "tether.tool.calls";
const UPSTREAM = "mcp.client.operation.duration";
const of = (name: string, attributes: Record<string, unknown>) => (p: ReceivedMetricPoint) =>
  p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v) && Object.keys(p.attributes).length === Object.keys(attributes).length;

test("gRPC: sent every interval while serve runs; tool calls by outcome and upstream requests per server", async () => {
  const metrics = `metrics_exporter = { otlp-grpc = { endpoint = ${JSON.stringify(receiver.grpcUrl)} } }`;
  const config = `[otel]\n${metrics}\nmetrics_export_interval_sec = 1\n\n${stringify({ mcp_servers: { docs: stdioFixture(["--tools", "add,fail,echo"], { disabled_tools: ["echo"] }) } })}`;
  writeConfig(each.home.tetherHome, config);
  const served = await connectStdioServe(each.home.home);
  try {
    await served.client.callTool({ name: "docs__add", arguments: { a: 2, b: 3 } });
    await served.client.callTool({ name: "docs__add", arguments: { a: 1, b: 1 } });
    await served.client.callTool({ name: "docs__fail", arguments: {} });
    await expect(served.client.callTool({ name: "docs__echo", arguments: { text: "x" } })).rejects.toThrow(/turned off/);
    // Serve is still running: these come from the periodic export (cumulative: the latest has all).
    const latest = (name: string, attributes: Record<string, unknown>) => receiver.waitForMetric((p) => of(name, attributes)(p) && (p.value === undefined || p.value >= 2), 15_000);
    await latest(CALLS, { "mcp.server": "docs", "mcp.tool": "add", outcome: "success" });
  } finally {
    await served.close();
  }
  const points = receiver.metricPoints();
  const last = (name: string, attributes: Record<string, unknown>) => points.filter(of(name, attributes)).at(-1);
  expect(last(CALLS, { "mcp.server": "docs", "mcp.tool": "add", outcome: "success" })?.value).toBe(2);
  expect(last(CALLS, { "mcp.server": "docs", "mcp.tool": "fail", outcome: "error" })?.value).toBe(1);
  expect(last(CALLS, { "mcp.server": "docs", "mcp.tool": "echo", outcome: "denied" })?.value).toBe(1);
  expect(last("tether.tool.duration", { "mcp.server": "docs", "mcp.tool": "add", outcome: "success" })?.count).toBe(2);
  // Every upstream tools/call (the refused one never left serve); isError is the tool's answer, not a failed request.
  expect(last(UPSTREAM, { "mcp.method.name": "tools/call", "mcp.server": "docs" })?.count).toBe(3);
  expect(points.every((p) => p.resource["service.name"] === "tether-cli")).toBe(true);
}, 60_000);

test("HTTP at exit: who asked stays out of metric attributes, and so does the serve token", async () => {
  const metrics = `metrics_exporter = { otlp-http = { endpoint = ${JSON.stringify(receiver.httpUrl)}, protocol = "binary" } }`;
  writeConfig(each.home.tetherHome, `[otel]\n${metrics}\n\n${stringify({ mcp_servers: { docs: stdioFixture(["--tools", "echo"]) } })}`);
  const token = "serve-metrics-token-0123456789abcdef";
  const served = await startHttpServe(each.home.home, ["--token-env-var", "SERVE_TOKEN"], { SERVE_TOKEN: token });
  each.fixtures.push({ stop: async () => void (await served.stop()) });
  const client = await connectHttp(served.url, "modern", { authorization: `Bearer ${token}` });
  await client.callTool({ name: "docs__echo", arguments: { text: "hello" } });
  await client.close();
  await served.stop();

  const point = await receiver.waitForMetric(of(CALLS, { "mcp.server": "docs", "mcp.tool": "echo", outcome: "success" }), 15_000);
  expect(point).toMatchObject({ transport: "http-protobuf", kind: "sum", value: 1, temporality: "cumulative" });
  const upstream = await receiver.waitForMetric(of(UPSTREAM, { "mcp.method.name": "tools/call", "mcp.server": "docs" }));
  expect(upstream).toMatchObject({ kind: "histogram", unit: "s", count: 1 });
  const sent = JSON.stringify(receiver.metricPoints());
  expect(sent).not.toContain("serve-test");
  expect(receiver.rawText()).not.toContain(token);
}, 60_000);
