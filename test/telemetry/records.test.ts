// The records of one run, in process: SPEC §7 attributes, shared metadata, redaction, secrets.
import { describe, expect, test } from "bun:test";
import type { TetherConfig } from "../../src/config/types.ts";
import { REDACTED, telemetryObserver } from "../../src/telemetry/agent-events.ts";
import type { ToolCallInfo } from "../../src/agent/events.ts";

const call = (name: string, callId: string, rawArguments = "{}"): ToolCallInfo => ({ turn: 1, callId, name, arguments: {}, rawArguments });
import type { TelemetrySink } from "../../src/telemetry/index.ts";
import { knownSecrets, runMetadata, terminalType } from "../../src/telemetry/run-metadata.ts";
import { runRecordSink, scrub } from "../../src/telemetry/run-records.ts";

interface Emitted {
  name: string;
  attributes: Record<string, unknown>;
  timestampMs?: number;
}

function recorder(): { telemetry: TelemetrySink; emitted: Emitted[] } {
  const emitted: Emitted[] = [];
  return {
    emitted,
    telemetry: { emit: (name, attributes, timestampMs) => void emitted.push({ name, attributes: { ...attributes }, timestampMs }), shutdown: async () => {} },
  };
}

function config(overrides: Partial<TetherConfig> = {}): TetherConfig {
  return {
    model: "gpt-5-codex",
    modelProvider: "openai",
    approvalPolicy: "ask",
    maxTurns: 20,
    autoApproveReadOnly: false,
    toolOutputMaxBytes: 32768,
    credentialsStore: "auto",
    callbackPort: 0,
    providers: {
      openai: { name: "openai", baseUrl: "https://api.openai.com/v1", envKey: "OPENAI_API_KEY", queryParams: {}, httpHeaders: {}, envHttpHeaders: {} },
      local: { name: "local", baseUrl: "http://127.0.0.1:8080/v1", queryParams: {}, httpHeaders: {}, envHttpHeaders: {} },
    },
    servers: [],
    otel: { environment: "dev", logUserPrompt: false, exporter: { kind: "none" }, metricsExporter: { kind: "none" }, metricsExportIntervalSec: 60, traceExporter: { kind: "none" } },
    serve: {},
    sampling: "off",
    registryUrl: "https://registry.modelcontextprotocol.io",
    ...overrides,
  };
}

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

describe("records of a run", () => {
  test("each carries event.name, event.timestamp and the run's metadata, then its own attributes", () => {
    const { telemetry, emitted } = recorder();
    const metadata = runMetadata({ conversationId: "conv-1", version: "1.2.3", env: { TERM: "xterm-256color" }, config: config() });
    const observe = telemetryObserver(runRecordSink(telemetry, { metadata, secrets: [], now: () => NOW }), { logUserPrompt: false });
    observe({ type: "tool.decision", call: call("mcp__docs__search", "c1"), verdict: { decision: "denied", source: "user" } });
    expect(emitted).toEqual([
      {
        name: "tether.tool_decision",
        timestampMs: NOW,
        attributes: {
          "event.name": "tether.tool_decision",
          "event.timestamp": "2026-01-02T03:04:05.678Z",
          "conversation.id": "conv-1",
          "app.version": "1.2.3",
          "terminal.type": "xterm-256color",
          model: "gpt-5-codex",
          slug: "openai/gpt-5-codex",
          auth_mode: "api_key",
          tool_name: "mcp__docs__search",
          call_id: "c1",
          decision: "denied",
          source: "user",
        },
      },
    ]);
  });

  test("--model wins; a provider without env_key is auth_mode none; an unknown provider leaves it out", () => {
    expect(runMetadata({ conversationId: "c", version: "1", env: {}, config: config({ modelProvider: "local" }), model: "qwen" })).toEqual({
      conversationId: "c",
      appVersion: "1",
      terminalType: "non-interactive",
      model: "qwen",
      slug: "local/qwen",
      authMode: "none",
    });
    const unknown = runMetadata({ conversationId: "c", version: "1", env: {}, config: config({ modelProvider: "nope", model: undefined }) });
    expect(unknown).toEqual({ conversationId: "c", appVersion: "1", terminalType: "non-interactive" } as never);
  });

  test("durations are whole milliseconds; optional attributes are left out", () => {
    const { telemetry, emitted } = recorder();
    const observe = telemetryObserver(telemetry, { logUserPrompt: false });
    observe({ type: "api.request", record: { attempt: 1, durationMs: 12.6 } });
    observe({ type: "tool.result", call: call("t", "c"), outcome: { durationMs: 0.4, success: true, output: "ok" } });
    expect(emitted.map((e) => e.attributes)).toEqual([
      { attempt: 1, duration_ms: 13 },
      { tool_name: "t", call_id: "c", arguments: "{}", duration_ms: 0, success: "true", output: "ok" },
    ]);
  });

  test("an elicitation: server, mode, phase and the action taken, never the answers", () => {
    const { telemetry, emitted } = recorder();
    const observe = telemetryObserver(telemetry, { logUserPrompt: true });
    observe({ type: "elicitation", phase: "requested", info: { server: "docs", mode: "form" } });
    observe({ type: "elicitation", phase: "answered", info: { server: "docs", mode: "url", action: "decline" } });
    expect(emitted.map((e) => [e.name, e.attributes])).toEqual([
      ["tether.elicitation", { server: "docs", mode: "form", phase: "requested" }],
      ["tether.elicitation", { server: "docs", mode: "url", phase: "answered", action: "decline" }],
    ]);
  });

  test("the prompt is redacted unless log_user_prompt; its length is always there", () => {
    for (const logUserPrompt of [false, true]) {
      const { telemetry, emitted } = recorder();
      telemetryObserver(telemetry, { logUserPrompt })({ type: "user.prompt", prompt: "deploy to prod" });
      expect(emitted[0]!.attributes).toEqual({ prompt_length: 14, prompt: logUserPrompt ? "deploy to prod" : REDACTED });
    }
  });

  test("known secrets are replaced in every string attribute, the prompt and tool output included", () => {
    const { telemetry, emitted } = recorder();
    const metadata = runMetadata({ conversationId: "c", version: "1", env: {}, config: config() });
    const secrets = ["sk-live-0123456789", "ghp_abcdefgh"];
    const observe = telemetryObserver(runRecordSink(telemetry, { metadata, secrets, now: () => NOW }), { logUserPrompt: true });
    observe({ type: "user.prompt", prompt: "use sk-live-0123456789 please" });
    observe({ type: "tool.result", call: call("t", "c", '{"token":"ghp_abcdefgh"}'), outcome: { durationMs: 1, success: false, output: "401 for ghp_abcdefgh" } });
    expect(emitted[0]!.attributes.prompt).toBe("use [REDACTED] please");
    expect(emitted[0]!.attributes.prompt_length).toBe(29);
    expect(emitted[1]!.attributes).toMatchObject({ arguments: '{"token":"[REDACTED]"}', output: "401 for [REDACTED]" });
  });
});

describe("knownSecrets", () => {
  test("API key, bearer tokens, client secrets, env values and header values, longest first; short values are not secrets", () => {
    const env = {
      OPENAI_API_KEY: "sk-openai-111111",
      GITHUB_PAT: "ghp_222222222222",
      ORG_HEADER: "org-header-333333",
      CLIENT_SECRET: "client-secret-444",
      DOCS_TOKEN: "docs-token-55555",
      OTEL_TOKEN: "otel-token-666666",
    };
    const secrets = knownSecrets(
      env,
      config({
        providers: {
          openai: {
            name: "openai",
            baseUrl: "https://api.openai.com/v1",
            envKey: "OPENAI_API_KEY",
            queryParams: {},
            httpHeaders: { "X-Region": "eu" },
            envHttpHeaders: { "OpenAI-Organization": "ORG_HEADER" },
          },
        },
        servers: [
          {
            transport: "http",
            name: "github",
            url: "https://api.githubcopilot.com/mcp/",
            bearerTokenEnvVar: "GITHUB_PAT",
            httpHeaders: { "X-Static": "static-header-value" },
            envHttpHeaders: {},
            oauth: { clientSecretEnvVar: "CLIENT_SECRET", grant: "authorization_code" },
            enabled: true,
            required: false,
            startupTimeoutSec: 10,
            toolTimeoutSec: 60,
            toolMaxTotalTimeoutSec: 600,
            disabledTools: [],
            approveTools: [],
          },
          {
            transport: "stdio",
            name: "docs",
            command: "docs",
            args: [],
            env: { API_SECRET: "stdio-env-secret-7" },
            envVars: ["DOCS_TOKEN"],
            enabled: true,
            required: false,
            startupTimeoutSec: 10,
            toolTimeoutSec: 60,
            toolMaxTotalTimeoutSec: 600,
            disabledTools: [],
            approveTools: [],
          },
        ],
        otel: {
          environment: "dev",
          logUserPrompt: false,
          exporter: { kind: "otlp-grpc", endpoint: "http://c:4317", headers: { authorization: "Bearer ${OTEL_TOKEN}" } },
          metricsExporter: { kind: "none" },
          metricsExportIntervalSec: 60,
          traceExporter: { kind: "none" },
        },
      }),
    );
    expect(secrets).toEqual(
      expect.arrayContaining([
        "sk-openai-111111",
        "ghp_222222222222",
        "org-header-333333",
        "client-secret-444",
        "docs-token-55555",
        "otel-token-666666",
        "Bearer otel-token-666666",
        "static-header-value",
        "stdio-env-secret-7",
      ]),
    );
    expect(secrets).not.toContain("eu");
    expect([...secrets].sort((a, b) => b.length - a.length)).toEqual(secrets);
  });

  test("scrub replaces a secret that contains another whole", () => {
    expect(scrub("Bearer otel-token-666666 / otel-token-666666", ["Bearer otel-token-666666", "otel-token-666666"])).toBe("[REDACTED] / [REDACTED]");
  });
});

test("terminal.type: TERM_PROGRAM, else TERM, else non-interactive", () => {
  expect(terminalType({ TERM_PROGRAM: "iTerm.app", TERM: "xterm-256color" })).toBe("iTerm.app");
  expect(terminalType({ TERM: "xterm-256color" })).toBe("xterm-256color");
  expect(terminalType({ TERM: " " })).toBe("non-interactive");
  expect(terminalType({})).toBe("non-interactive");
});
