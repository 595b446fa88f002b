// The build-time telemetry switch and the compiled binary's exporters: `--no-otel` leaves every
// OpenTelemetry and gRPC byte out; the default build exports over gRPC from a standalone executable.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { version } from "../../package.json" with { type: "json" };
import { compileExecutable, DEFAULT_ENTRY, hostTarget, inspectBundle, resolveKeyringAddon } from "../../build.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver.ts";
import { addScript, ANSWER, PROMPT, setupTelemetryExec, type TelemetryExec } from "../telemetry/harness.ts";

const BUILD_TIMEOUT_MS = 240_000;

/** Strings only @opentelemetry/* or @grpc/grpc-js code contains (names, proto paths, messages). */
const OTEL_MARKERS = [
  "opentelemetry.proto",
  "opentelemetry.proto.collector.logs.v1.LogsService",
  "OTLPLogExporter",
  "OTLPExporterError",
  "OTel-OTLP-Exporter-JavaScript",
  "@opentelemetry/",
  "grpc-js",
  "grpc.max_receive_message_length",
  "tether-cli",
  // Metrics (issue 23): the exporter's gRPC service, and tether's own instruments and aggregator.
  "opentelemetry.proto.collector.metrics.v1.MetricsService",
  "gen_ai.client.token.usage",
  "tether.tool.calls",
  "mcp.client.operation.duration",
  // Traces (issue 23): the span exporters and tether's side of the span worker.
  "opentelemetry.proto.collector.trace.v1.TraceService",
  "OTLPTraceExporter",
  "start-traces",
];

describe("build.ts --no-otel", () => {
  let withOtel: string;
  let withoutOtel: string;
  beforeAll(async () => {
    [withOtel, withoutOtel] = await Promise.all([inspectBundle({ otel: true }), inspectBundle({ otel: false })]);
  }, BUILD_TIMEOUT_MS);

  test("the default bundle has the OpenTelemetry and gRPC code the markers identify", () => {
    for (const marker of OTEL_MARKERS) expect({ marker, found: withOtel.includes(marker) }).toEqual({ marker, found: true });
  });

  test("the no-otel bundle has none of it, and is smaller", () => {
    for (const marker of OTEL_MARKERS) expect({ marker, found: withoutOtel.includes(marker) }).toEqual({ marker, found: false });
    expect(withoutOtel.length).toBeLessThan(withOtel.length);
  });
});

describe("compiled executable", () => {
  let binary: string;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    binary = await ensureHostBinary();
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(cleanups.map((cleanup) => cleanup()));
  });

  async function setup(kind: "grpc" | "http-binary"): Promise<{ r: OtlpReceiver; exec: TelemetryExec }> {
    const r = await startOtlpReceiver();
    const exec = setupTelemetryExec(addScript(), { exporter: kind, receiver: r, traces: kind });
    cleanups.push(() => exec.cleanup(), () => r.stop());
    return { r, exec };
  }

  // @opentelemetry/otlp-grpc-exporter-base loads @grpc/grpc-js through createRequire, which
  // finds nothing inside a compiled binary unless build.ts's grpcRequirePlugin bundles it.
  for (const kind of ["grpc", "http-binary"] as const) {
    test(`exports over ${kind}, run from a directory without node_modules`, async () => {
      const { r, exec } = await setup(kind);
      let result = await exec.run([PROMPT], { binary });
      // A starved CI machine can spend most of the exit's export budget (~1.5 s) before gRPC has
      // even resolved 127.0.0.1 (seen: "name resolution: 0.703s"). That is load, not the bundling
      // this test is about (a missing @grpc/grpc-js fails at once, differently): one more run.
      if (result.stderr.includes("DEADLINE_EXCEEDED")) result = await exec.run([PROMPT], { binary });
      // Whatever went wrong, the failure shows what tether said.
      expect({ stdout: result.stdout, warned: result.stderr.includes("warning") && result.stderr }).toEqual({ stdout: `${ANSWER}\n`, warned: false });
      expect(result.code).toBe(0);
      const names = new Set(r.records().map((record) => record.eventName));
      expect([...names].sort()).toEqual([
        "tether.api_request",
        "tether.sse_event",
        "tether.tool_decision",
        "tether.tool_result",
        "tether.user_prompt",
      ]);
      // Traces (issue 23): the span exporter is bundled too.
      const spans = new Set(r.spans().map((span) => span.name));
      expect([...spans].sort()).toEqual(["tether.exec", "tether.mcp_request", "tether.model_request", "tether.tool_call", "tether.turn"]);
    });
  }
});

describe("compiled executable built with --no-otel", () => {
  let dir: string;
  let binary: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tether-no-otel-"));
    const target = hostTarget();
    binary = await compileExecutable({
      entry: DEFAULT_ENTRY,
      target,
      outfile: path.join(dir, target.fileName),
      otel: false,
      keyringAddon: await resolveKeyringAddon(target),
    });
  }, BUILD_TIMEOUT_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("--version names the variant", () => {
    const proc = Bun.spawnSync([binary, "--version"], { cwd: dir, env: { PATH: "/usr/bin:/bin", HOME: dir } });
    expect(proc.stdout.toString()).toBe(`tether ${version} (no-otel)\n`);
  });

  test("runs exec with an exporter configured: says once that telemetry is not built in, sends nothing", async () => {
    const r = await startOtlpReceiver();
    const exec = setupTelemetryExec(addScript(), { exporter: "grpc", receiver: r });
    try {
      const result = await exec.run([PROMPT], { binary });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${ANSWER}\n`);
      expect(result.stderr.split("\n").filter((line) => line.startsWith("warning:"))).toEqual([
        "warning: telemetry: this tether was built without OpenTelemetry (--no-otel); [otel] exporter otlp-grpc is ignored",
      ]);
      expect(r.exports).toEqual([]);
    } finally {
      await exec.cleanup();
      await r.stop();
    }
  });

  // Metrics and traces (issue 23): each exporter that is on is named once; nothing is sent.
  test("with only metrics_exporter and trace_exporter configured: one warning naming each, no metric or span sent", async () => {
    const r = await startOtlpReceiver();
    const exec = setupTelemetryExec(addScript(), { exporter: "none", metrics: "grpc", traces: "grpc", receiver: r });
    try {
      const result = await exec.run([PROMPT], { binary });
      expect(result.code).toBe(0);
      expect(result.stderr.split("\n").filter((line) => line.startsWith("warning:")).sort()).toEqual([
        "warning: telemetry: this tether was built without OpenTelemetry (--no-otel); [otel] metrics_exporter otlp-grpc is ignored",
        "warning: telemetry: this tether was built without OpenTelemetry (--no-otel); [otel] trace_exporter otlp-grpc is ignored",
      ]);
      expect(r.metricExports).toEqual([]);
      expect(r.spanExports).toEqual([]);
    } finally {
      await exec.cleanup();
      await r.stop();
    }
  });
});
