// What an operator sees when the collector misbehaves, and on the other exit paths: the command's
// result and exit code never change, exit comes within 2 s of the last output, one warning line.
import { afterEach, describe, expect, test } from "bun:test";
import { failStep, sseStep } from "../support/mock-responses.ts";
import { startOtlpReceiver, type OtlpReceiver, type OtlpReceiverOptions } from "../support/otlp-receiver.ts";
import { completed, functionCall, responseCreated, sse } from "../support/sse.ts";
import { addScript, ANSWER, byEvent, PROMPT, SECRETS, setupTelemetryExec, type ExporterKind, type TelemetryExec, type TimedRun } from "./harness.ts";

/**
 * SPEC §7 allows 2 s for the exit flush, and tether's own limits stay inside it (exit-budget.ts).
 * The bound here only tells "gave up on its budget" from "waited for the collector": the collectors
 * below hold their answers for 60 s and the slow tool runs 30 s, so a loose bound keeps that
 * meaning while a loaded machine's slow timers and process exits cannot fail it (issue 24 item 6).
 */
const EXIT_BOUND_MS = 12_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(options?: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver(options);
  cleanups.push(() => r.stop());
  return r;
}

/** A receiver's addresses with nothing listening any more. */
async function downReceiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver();
  await r.stop();
  return r;
}

function setup(...args: Parameters<typeof setupTelemetryExec>): TelemetryExec {
  const exec = setupTelemetryExec(...args);
  cleanups.push(() => exec.cleanup());
  return exec;
}

const warnings = (result: TimedRun) => result.stderr.split("\n").filter((line) => line.startsWith("warning:"));

function expectAnswerDespiteCollector(result: TimedRun): string {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstderr: ${result.stderr}`);
  expect(result.stdout).toBe(`${ANSWER}\n`);
  expect(result.tailMs).toBeLessThan(EXIT_BOUND_MS);
  const lines = warnings(result);
  expect(lines, `warnings:\n${lines.join("\n")}`).toHaveLength(1);
  expect(lines[0]).toStartWith("warning: telemetry: ");
  expect(result.stderr).not.toContain(SECRETS.otelToken);
  return lines[0]!;
}

describe("a collector that is down, slow or refusing never fails or holds the command", () => {
  for (const kind of ["grpc", "http-binary", "http-json"] as const satisfies ExporterKind[]) {
    test(`${kind}: nothing listening`, async () => {
      const r = await downReceiver();
      const exec = setup(addScript(), { exporter: kind, receiver: r });
      const warning = expectAnswerDespiteCollector(await exec.run([PROMPT]));
      const port = new URL(kind === "grpc" ? r.grpcUrl : r.httpUrl).port;
      expect(warning).toContain(`could not export to http://127.0.0.1:${port}`);
    });

    test(`${kind}: a collector that never answers`, async () => {
      const r = await receiver({ delayMs: 60_000 });
      const exec = setup(addScript(), { exporter: kind, receiver: r });
      expectAnswerDespiteCollector(await exec.run([PROMPT]));
    });
  }

  test("http: a collector answering 503 (retryable) is given up on in time", async () => {
    const r = await receiver({ fail: "http-503" });
    const exec = setup(addScript(), { exporter: "http-binary", receiver: r });
    expect(expectAnswerDespiteCollector(await exec.run([PROMPT]))).toContain("retryable");
  });

  test("grpc: a collector answering UNAVAILABLE", async () => {
    const r = await receiver({ fail: "grpc-unavailable" });
    const exec = setup(addScript(), { exporter: "grpc", receiver: r });
    expect(expectAnswerDespiteCollector(await exec.run([PROMPT]))).toContain("UNAVAILABLE");
  });

  test("TETHER_DEBUG=1 says more: how many records, and the stack", async () => {
    const r = await downReceiver();
    const exec = setup(addScript(), { exporter: "grpc", receiver: r });
    const result = await exec.run([PROMPT], { env: { TETHER_DEBUG: "1" } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: telemetry: \d+ record\(s\) not exported \(http:\/\/127\.0\.0\.1:\d+\): 14 UNAVAILABLE/);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe("records are flushed on every exit path", () => {
  test("a model error (exit 1): the failed request is exported", async () => {
    const r = await receiver();
    const exec = setup([failStep(400, { error: "bad request shape" })], { exporter: "grpc", receiver: r });
    const result = await exec.run([PROMPT]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bad request shape");
    const requests = byEvent(r.records(), "tether.api_request");
    expect(requests.map((record) => [record.attributes.attempt, record.attributes["http.response.status_code"]])).toEqual([[1, 400]]);
    expect(byEvent(r.records(), "tether.user_prompt")).toHaveLength(1);
  });

  test("Ctrl-C during a tool call (exit 130): everything so far is exported, within the bound", async () => {
    const r = await receiver();
    const slowTurn = sseStep(sse([responseCreated("resp_1"), functionCall("call_slow", "mcp__fixture__slow", { ms: 30_000 }), completed("resp_1")]));
    const exec = setup([slowTurn], { exporter: "http-json", receiver: r }, ["add", "slow"]);
    let interruptedAt = 0;
    const result = await exec.run(["--yes", PROMPT], {
      onStderr: (stderr, kill) => {
        if (interruptedAt === 0 && stderr.includes("→ mcp__fixture__slow")) {
          interruptedAt = performance.now();
          kill("SIGINT");
        }
      },
    });
    const exitedAfter = performance.now() - interruptedAt;
    expect(interruptedAt).toBeGreaterThan(0);
    expect(result.code).toBe(130);
    expect(exitedAfter).toBeLessThan(EXIT_BOUND_MS);
    const records = r.records();
    expect(byEvent(records, "tether.user_prompt")).toHaveLength(1);
    expect(byEvent(records, "tether.api_request")).toHaveLength(1);
    expect(byEvent(records, "tether.tool_decision").map((record) => record.attributes)).toEqual([
      expect.objectContaining({ tool_name: "mcp__fixture__slow", decision: "approved", source: "config" }),
    ]);
  });
});

describe("exporter = none and config errors", () => {
  test("none: nothing is sent, even with OTEL_EXPORTER_OTLP_* pointing at a collector", async () => {
    const r = await receiver();
    const exec = setup(addScript(), { exporter: "none" });
    const result = await exec.run([PROMPT], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: r.httpUrl, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: r.httpLogsUrl, OTEL_LOGS_EXPORTER: "otlp" },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${ANSWER}\n`);
    expect(warnings(result)).toEqual([]);
    expect(r.exports).toEqual([]);
  });

  test("an unset ${VAR} in an [otel] header is a config error naming it (exit 2), before any request", async () => {
    const r = await receiver();
    const exec = setup(addScript(), { exporter: "grpc", receiver: r, headerValue: "Bearer ${TETHER_TEST_UNSET_OTEL_VAR}" });
    const result = await exec.run([PROMPT]);
    expect(result.code).toBe(2);
    expect(result.stderr).toStartWith(
      "error: [otel] exporter otlp-grpc headers.x-otel-token: environment variable TETHER_TEST_UNSET_OTEL_VAR is not set\n",
    );
    expect(exec.mock.requests).toEqual([]);
  });

  test("an endpoint that is not an http(s) URL is a config error (exit 2)", async () => {
    const exec = setup(addScript(), { exporter: "grpc", receiver: { grpcUrl: "127.0.0.1:4317", httpUrl: "" } });
    const result = await exec.run([PROMPT]);
    expect(result.code).toBe(2);
    expect(result.stderr).toStartWith('error: [otel] exporter otlp-grpc: endpoint must be an http(s) URL, got "127.0.0.1:4317"\n');
  });
});
