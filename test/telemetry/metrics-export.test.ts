// `tether exec` exports its metrics (issue 23) to a real OTLP collector at exit, over gRPC and HTTP:
// a retried model request, an approved `add` call, an answer. Each instrument arrives once, with
// its attributes and values, and no secret anywhere in what was sent.
import { afterEach, describe, expect, test } from "bun:test";
import { version } from "../../package.json" with { type: "json" };
import { DEFAULT_USAGE } from "../support/sse.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetricPoint } from "../support/otlp-receiver.ts";
import { addScript, ANSWER, PROMPT, SECRETS, setupTelemetryExec, USAGE, type ExporterKind, type TelemetryExec } from "./harness.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function setup(logs: ExporterKind, metrics: "grpc" | "http-binary" | "http-json"): Promise<{ r: OtlpReceiver; exec: TelemetryExec }> {
  const r = await startOtlpReceiver();
  const exec = setupTelemetryExec(addScript(), { exporter: logs, metrics, receiver: r });
  cleanups.push(() => exec.cleanup(), () => r.stop());
  return { r, exec };
}

/** The points of one metric, attributes and values only. */
function series(points: ReceivedMetricPoint[], name: string): { attributes: Record<string, unknown>; value?: number; count?: number; sum?: number }[] {
  return points
    .filter((p) => p.name === name)
    .map((p) => ({ attributes: p.attributes, ...(p.kind === "histogram" ? { count: p.count, sum: p.sum } : { value: p.value }) }));
}

const CHAT = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "mock", "gen_ai.request.model": "gpt-test" };
const ADD = { "mcp.server": "fixture", "mcp.tool": "add", outcome: "success" };

describe("exec exports its metrics at exit", () => {
  for (const [logs, metrics] of [
    ["none", "grpc"],
    ["http-binary", "http-binary"],
    ["none", "http-json"],
  ] as const) {
    test(`metrics over ${metrics} (logs: ${logs}): every instrument with its attributes and values, no secret`, async () => {
      const { r, exec } = await setup(logs, metrics);
      const result = await exec.run([PROMPT], { env: { TERM_PROGRAM: "tether-test-term" } });
      if (result.code !== 0) throw new Error(`exit ${result.code}\nstderr: ${result.stderr}`);
      expect(result.stdout).toBe(`${ANSWER}\n`);
      expect(result.stderr).not.toContain("warning");

      // One export at exit (the run is far shorter than the 60 s interval).
      expect(r.metricExports.map((e) => e.accepted)).toEqual([true]);
      const points = r.metricPoints();
      expect(new Set(points.map((p) => p.name))).toEqual(
        new Set(["tether.tool.calls", "tether.tool.duration", "mcp.client.operation.duration", "gen_ai.client.operation.duration", "gen_ai.client.token.usage"]),
      );
      for (const p of points) {
        expect(p.resource).toMatchObject({ "service.name": "tether-cli", "service.version": version, env: "ci" });
        expect(p.temporality).toBe("cumulative");
      }
      expect(series(points, "tether.tool.calls")).toEqual([{ attributes: ADD, value: 1 }]);
      expect(series(points, "tether.tool.duration")).toMatchObject([{ attributes: ADD, count: 1 }]);
      expect(series(points, "mcp.client.operation.duration")).toMatchObject([{ attributes: { "mcp.method.name": "tools/call", "mcp.server": "fixture" }, count: 1 }]);
      // The first attempt failed with 500 and was retried.
      expect(series(points, "gen_ai.client.operation.duration")).toMatchObject([
        { attributes: { ...CHAT, "error.type": "500" }, count: 1 },
        { attributes: CHAT, count: 2 },
      ]);
      // Two responses: the tool call's (USAGE) and the answer's (the mock's default usage).
      expect(series(points, "gen_ai.client.token.usage")).toEqual([
        { attributes: { ...CHAT, "gen_ai.token.type": "input" }, count: 2, sum: USAGE.inputTokens + DEFAULT_USAGE.inputTokens },
        { attributes: { ...CHAT, "gen_ai.token.type": "output" }, count: 2, sum: USAGE.outputTokens + DEFAULT_USAGE.outputTokens },
      ]);
      // Durations are measured on the run's clock, in whole milliseconds: a local tool call can
      // take less than one and count 0 s. The model's HTTP attempts, together, never do.
      const durations = points.filter((p) => p.unit === "s");
      expect(durations.every((p) => p.sum! >= 0 && p.sum! < 60)).toBe(true);
      expect(series(points, "gen_ai.client.operation.duration").reduce((sum, p) => sum + p.sum!, 0)).toBeGreaterThan(0);

      for (const e of r.metricExports) expect(e.headers["x-otel-token"]).toBe(SECRETS.otelToken);
      const sent = JSON.stringify(points);
      for (const secret of Object.values(SECRETS)) expect(sent).not.toContain(secret);
      expect(sent).not.toContain("prompt-marker");
      if (logs === "none") expect(r.exports).toEqual([]);
      else expect(r.records().length).toBeGreaterThan(0);
    }, 90_000);
  }
});

test("a metrics collector that is down: the run succeeds, with one warning naming the metrics URL", async () => {
  const { r, exec } = await setup("none", "http-binary");
  const url = r.httpUrl;
  await r.stop();
  const result = await exec.run([PROMPT]);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`${ANSWER}\n`);
  const warnings = result.stderr.split("\n").filter((line) => line.startsWith("warning:"));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(`telemetry: could not export to ${url}/v1/metrics`);
}, 90_000);
