// `tether exec` exports its five events to a real OTLP collector over each exporter: gRPC, HTTP
// protobuf, HTTP JSON. One story per exporter: a retried model request, an approved `add` call, an answer.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { version } from "../../package.json" with { type: "json" };
import { sseStep } from "../support/mock-responses.ts";
import { completed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";
import { startOtlpReceiver, type OtlpReceiver, type OtlpTransport, type ReceivedLogRecord } from "../support/otlp-receiver.ts";
import {
  addScript,
  ANSWER,
  byEvent,
  PROMPT,
  SECRETS,
  setupTelemetryExec,
  SHARED_KEYS,
  USAGE,
  type ExporterKind,
  type TelemetryExec,
  type TimedRun,
} from "./harness.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver();
  cleanups.push(() => r.stop());
  return r;
}

function setup(...args: Parameters<typeof setupTelemetryExec>): TelemetryExec {
  const exec = setupTelemetryExec(...args);
  cleanups.push(() => exec.cleanup());
  return exec;
}

function expectSuccess(result: TimedRun): void {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  expect(result.stdout).toBe(`${ANSWER}\n`);
}

const TRANSPORT: Record<Exclude<ExporterKind, "none">, OtlpTransport> = {
  grpc: "grpc",
  "http-binary": "http-protobuf",
  "http-json": "http-json",
};

/** Every record the run exported, once the exit flush is over (the process has exited). */
function exported(r: OtlpReceiver): ReceivedLogRecord[] {
  return r.records();
}

describe("exec exports SPEC §7 events", () => {
  for (const kind of ["grpc", "http-binary", "http-json"] as const) {
    test(`${kind}: every event with its attributes, resource, headers and no secret`, async () => {
      const r = await receiver();
      // OTEL_EXPORTER_OTLP_* pointing elsewhere must not redirect tether's export.
      const decoy = await receiver();
      const exec = setup(addScript(), { exporter: kind, receiver: r });
      const result = await exec.run([PROMPT], {
        env: {
          TERM_PROGRAM: "tether-test-term",
          OTEL_EXPORTER_OTLP_ENDPOINT: kind === "grpc" ? decoy.grpcUrl : decoy.httpUrl,
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: kind === "grpc" ? decoy.grpcUrl : decoy.httpLogsUrl,
        },
      });
      expectSuccess(result);
      expect(result.stderr).not.toContain("warning");
      expect(decoy.exports).toEqual([]);

      const records = exported(r);
      expect(r.exports.every((e) => e.accepted && e.transport === TRANSPORT[kind])).toBe(true);
      for (const e of r.exports) expect(e.headers["x-otel-token"]).toBe(SECRETS.otelToken);

      // Resource and scope.
      for (const record of records) {
        expect(record.resource).toMatchObject({ "service.name": "tether-cli", "service.version": version, env: "ci" });
        expect(record.scope).toBe("tether");
      }

      // Shared metadata: one conversation, every key on every record.
      const conversations = new Set(records.map((record) => record.attributes["conversation.id"]));
      expect(conversations.size).toBe(1);
      expect([...conversations][0]).toMatch(/^[0-9a-f-]{36}$/);
      for (const record of records) {
        for (const key of SHARED_KEYS) expect(record.attributes).toHaveProperty([key]);
        expect(record.attributes["event.name"]).toBe(record.eventName!);
        expect(new Date(String(record.attributes["event.timestamp"])).toISOString()).toBe(String(record.attributes["event.timestamp"]));
        expect(record.attributes).toMatchObject({
          "app.version": version,
          "terminal.type": "tether-test-term",
          model: "gpt-test",
          slug: "mock/gpt-test",
          auth_mode: "api_key",
        });
        expect(record.attributes).not.toHaveProperty(["user.account_id"]);
      }

      // tether.user_prompt: redacted by default.
      const prompts = byEvent(records, "tether.user_prompt");
      expect(prompts.map(eventAttributes)).toEqual([{ prompt_length: PROMPT.length, prompt: "[REDACTED]" }]);

      // tether.api_request: the 500 and its retry (attempts 1 and 2), then the answer's request.
      const requests = byEvent(records, "tether.api_request").map(eventAttributes);
      expect(requests).toEqual([
        { attempt: 1, duration_ms: expect.any(Number), "http.response.status_code": 500, "error.message": expect.stringContaining("upstream hiccup"), "request.id": "req_1" },
        { attempt: 2, duration_ms: expect.any(Number), "http.response.status_code": 200, "request.id": "req_2" },
        { attempt: 1, duration_ms: expect.any(Number), "http.response.status_code": 200, "request.id": "req_3" },
      ]);

      // tether.sse_event: every stream event; token counts on response.completed.
      const events = byEvent(records, "tether.sse_event").map(eventAttributes);
      expect(events.map((e) => e["event.kind"])).toEqual([
        "response.created",
        "response.output_item.done",
        "response.completed",
        "response.created",
        "response.output_text.delta",
        "response.output_item.done",
        "response.completed",
      ]);
      for (const e of events) expect(e.duration_ms).toBeGreaterThanOrEqual(0);
      expect(events[2]).toEqual({
        "event.kind": "response.completed",
        duration_ms: expect.any(Number),
        input_token_count: USAGE.inputTokens,
        output_token_count: USAGE.outputTokens,
        cached_token_count: USAGE.cachedTokens,
        reasoning_token_count: USAGE.reasoningTokens,
        tool_token_count: USAGE.inputTokens + USAGE.outputTokens,
      });
      expect(events[0]).toEqual({ "event.kind": "response.created", duration_ms: expect.any(Number) });

      // tether.tool_decision and tether.tool_result for the approved `add`.
      expect(byEvent(records, "tether.tool_decision").map(eventAttributes)).toEqual([
        { tool_name: "mcp__fixture__add", call_id: "call_1", decision: "approved", source: "config" },
      ]);
      const [toolResult] = byEvent(records, "tether.tool_result").map(eventAttributes);
      expect(toolResult).toEqual({
        tool_name: "mcp__fixture__add",
        call_id: "call_1",
        arguments: '{"a":2,"b":3}',
        duration_ms: expect.any(Number),
        success: "true",
        output: "5",
      });
      expect(toolResult!.duration_ms).toBeGreaterThanOrEqual(0);

      // Integers go out as OTLP ints, the string "true" as a string.
      const resultRecord = byEvent(records, "tether.tool_result")[0]!;
      expect(resultRecord.attributeTypes).toMatchObject({ duration_ms: "int", success: "string" });
      expect(byEvent(records, "tether.api_request")[0]!.attributeTypes).toMatchObject({ attempt: "int", "http.response.status_code": "int" });

      expect(records).toHaveLength(1 + 3 + 7 + 1 + 1);
      expectNoSecrets(r, [...Object.values(SECRETS), "prompt-marker-31d7"]);
    });
  }

  test("log_user_prompt = true exports the prompt text (still without secrets)", async () => {
    const r = await receiver();
    const exec = setup(addScript(), { exporter: "http-json", receiver: r, logUserPrompt: true });
    expectSuccess(await exec.run([PROMPT]));
    expect(byEvent(exported(r), "tether.user_prompt").map(eventAttributes)).toEqual([{ prompt_length: PROMPT.length, prompt: PROMPT }]);
    expectNoSecrets(r, Object.values(SECRETS));
  });

  test("tool_result carries the same capped text the model got (tool_output_max_bytes)", async () => {
    const r = await receiver();
    const script = [
      sseStep(sse([responseCreated("resp_1"), functionCall("call_1", "mcp__fixture__big", { bytes: 5000 }), completed("resp_1")])),
      sseStep(sse(textTurn("resp_2", [ANSWER]))),
    ];
    const exec = setup(script, { exporter: "http-json", receiver: r }, ["big"]);
    const config = readFileSync(exec.home.configPath, "utf8").replace('approve_tools = ["add"]', 'approve_tools = ["big"]');
    writeFileSync(exec.home.configPath, `tool_output_max_bytes = 1024\n${config}`);
    expectSuccess(await exec.run([PROMPT]));
    const sent = (exec.mock.requests[1]!.body as any).input.find((item: any) => item.type === "function_call_output").output;
    expect(sent).toContain("bytes left out; the full output is in ");
    const [toolResult] = byEvent(exported(r), "tether.tool_result").map(eventAttributes);
    expect(toolResult!.output).toBe(sent);
  });

  test("without TERM or TERM_PROGRAM the terminal type is non-interactive", async () => {
    const r = await receiver();
    const exec = setup(addScript(), { exporter: "grpc", receiver: r });
    expectSuccess(await exec.run([PROMPT]));
    const types = new Set(exported(r).map((record) => record.attributes["terminal.type"]));
    expect([...types]).toEqual(["non-interactive"]);
  });
});

/** A record's own attributes: SPEC §7's table, without the shared metadata. */
function eventAttributes(record: ReceivedLogRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record.attributes).filter(([key]) => !SHARED_KEYS.includes(key)));
}

/** Headers legitimately carry the configured token; the payloads (the records) never may. */
function expectNoSecrets(r: OtlpReceiver, secrets: string[]): void {
  expect(r.exports.length).toBeGreaterThan(0);
  const payloads = r.exports.map((e) => new TextDecoder().decode(e.raw)).join("\n");
  for (const secret of secrets) expect({ secret, found: payloads.includes(secret) }).toEqual({ secret, found: false });
}
