// `tether exec` runs with an [otel] table: a temp home whose config points at a mock Responses
// server, the stdio fixture MCP server (add, slow) and an OTLP exporter; runs the real CLI and times
// how long it takes to exit after its last line of output.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ensureHostBinary } from "../support/binary.ts";
import { baseEnv, makeHome } from "../support/cli.ts";
import { stdioFixtureCommand } from "../support/fixture.ts";
import { failStep, sseStep, startMockResponses, type MockResponses, type MockStep } from "../support/mock-responses.ts";
import type { OtlpReceiver, ReceivedLogRecord } from "../support/otlp-receiver.ts";
import { completed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";

/** Every value here is a secret no exported record may contain. */
export const SECRETS = {
  apiKey: "sk-test-apikey-4d1f0c9e7b",
  otelToken: "otel-token-8f2a61c3d5",
  providerHeader: "org-secret-77c0a1b2e9",
  serverEnv: "server-env-secret-5e3b9d",
} as const;

export const PROMPT = "what is 2+3? (prompt-marker-31d7)";
export const ANSWER = "2 + 3 = 5";
export const USAGE = { inputTokens: 21, outputTokens: 9, cachedTokens: 4, reasoningTokens: 2 };

/**
 * The story every exporter test tells: the first request fails with 500 and is retried at once
 * (Retry-After: 0); the retry calls `add`; the tool's result goes back; the model answers.
 */
export function addScript(): MockStep[] {
  return [
    failStep(500, { error: "upstream hiccup", retryAfter: "0" }),
    sseStep(sse([responseCreated("resp_1"), functionCall("call_1", "mcp__fixture__add", { a: 2, b: 3 }), completed("resp_1", USAGE)])),
    sseStep(sse(textTurn("resp_2", [ANSWER]))),
  ];
}

export type ExporterKind = "grpc" | "http-binary" | "http-json" | "none";

export interface OtelTableOptions {
  exporter: ExporterKind;
  receiver?: Pick<OtlpReceiver, "httpUrl" | "grpcUrl">;
  logUserPrompt?: boolean;
  /** Header value as written in config.toml (default: a `${OTEL_TOKEN}` reference). */
  headerValue?: string;
  /** Metrics (issue 23): `metrics_exporter` to the same receiver, with the same header. */
  metrics?: Exclude<ExporterKind, "none">;
  /** Traces (issue 23): `trace_exporter` of this kind, to the same receiver. */
  traces?: Exclude<ExporterKind, "none">;
}

export function otelTable(options: OtelTableOptions): string {
  const lines = ["[otel]", 'environment = "ci"'];
  if (options.logUserPrompt !== undefined) lines.push(`log_user_prompt = ${options.logUserPrompt}`);
  const headers = `headers = { "x-otel-token" = ${JSON.stringify(options.headerValue ?? "${OTEL_TOKEN}")} }`;
  const r = options.receiver;
  switch (options.exporter) {
    case "none":
      lines.push('exporter = "none"');
      break;
    case "grpc":
      lines.push(`exporter = { otlp-grpc = { endpoint = ${JSON.stringify(r!.grpcUrl)}, ${headers} } }`);
      break;
    case "http-binary":
    case "http-json": {
      // The base URL for binary, the full logs URL for json: both forms must work.
      const endpoint = options.exporter === "http-binary" ? r!.httpUrl : `${r!.httpUrl}/v1/logs`;
      const protocol = options.exporter === "http-binary" ? "binary" : "json";
      lines.push(`exporter = { otlp-http = { endpoint = ${JSON.stringify(endpoint)}, protocol = "${protocol}", ${headers} } }`);
      break;
    }
  }
  // Metrics (issue 23): the collector's base URL for HTTP.
  if (options.metrics === "grpc") lines.push(`metrics_exporter = { otlp-grpc = { endpoint = ${JSON.stringify(r!.grpcUrl)}, ${headers} } }`);
  else if (options.metrics) {
    const protocol = options.metrics === "http-binary" ? "binary" : "json";
    lines.push(`metrics_exporter = { otlp-http = { endpoint = ${JSON.stringify(r!.httpUrl)}, protocol = "${protocol}", ${headers} } }`);
  }
  if (options.traces) {
    const endpoint = options.traces === "grpc" ? r!.grpcUrl : r!.httpUrl;
    const table = options.traces === "grpc" ? `otlp-grpc = { endpoint = ${JSON.stringify(endpoint)}, ${headers} }` : `otlp-http = { endpoint = ${JSON.stringify(endpoint)}, protocol = "${options.traces === "http-json" ? "json" : "binary"}", ${headers} }`;
    lines.push(`trace_exporter = { ${table} }`);
  }
  return lines.join("\n");
}

export interface TimedRun {
  stdout: string;
  stderr: string;
  code: number;
  /** From the last stdout bytes (the answer) to the process's exit: the exit flush. */
  tailMs: number;
}

export interface TelemetryExec {
  mock: MockResponses;
  home: ReturnType<typeof makeHome>;
  run(args: string[], options?: { env?: Record<string, string | undefined>; binary?: string; onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void }): Promise<TimedRun>;
  cleanup(): Promise<void>;
}

export function setupTelemetryExec(script: MockStep[], otel: OtelTableOptions, fixtureTools = ["add"]): TelemetryExec {
  const home = makeHome();
  const mock = startMockResponses(script);
  const fixture = stdioFixtureCommand(["--tools", fixtureTools.join(",")]);
  const config = [
    'model = "gpt-test"',
    'model_provider = "mock"',
    "",
    "[model_providers.mock]",
    `base_url = ${JSON.stringify(mock.url)}`,
    'env_key = "MOCK_KEY"',
    `http_headers = { "OpenAI-Organization" = ${JSON.stringify(SECRETS.providerHeader)} }`,
    "",
    "[mcp_servers.fixture]",
    `command = ${JSON.stringify(fixture.command)}`,
    `args = ${JSON.stringify(fixture.args)}`,
    // Test files run in parallel on two cores: the fixture may take longer than the default 10 s to start.
    "startup_timeout_sec = 60",
    'approve_tools = ["add"]',
    `env = { FIXTURE_TOKEN = ${JSON.stringify(SECRETS.serverEnv)} }`,
    "",
    otelTable(otel),
    "",
  ].join("\n");
  mkdirSync(dirname(home.configPath), { recursive: true });
  writeFileSync(home.configPath, config);
  return {
    mock,
    home,
    run: async (args, options = {}) =>
      runTimed([options.binary ?? (await ensureHostBinary()), "exec", ...args], {
        cwd: home.home,
        env: baseEnv(home.home, { MOCK_KEY: SECRETS.apiKey, OTEL_TOKEN: SECRETS.otelToken, ...options.env }),
        onStderr: options.onStderr,
      }),
    async cleanup() {
      await mock.stop();
      home.cleanup();
    },
  };
}

async function runTimed(
  command: string[],
  options: { cwd: string; env: Record<string, string>; onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void },
): Promise<TimedRun> {
  const child = Bun.spawn(command, { cwd: options.cwd, env: options.env, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  const kill = (signal: NodeJS.Signals) => child.kill(signal);
  let lastStdoutAt = performance.now();
  const read = async (stream: ReadableStream<Uint8Array>, onChunk: (text: string) => void) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onChunk(decoder.decode(value, { stream: true }));
    }
  };
  let stdout = "";
  let stderr = "";
  const [code] = await Promise.all([
    child.exited.then((exitCode) => {
      const exitedAt = performance.now();
      return { exitCode, exitedAt };
    }),
    read(child.stdout, (text) => {
      stdout += text;
      lastStdoutAt = performance.now();
    }),
    read(child.stderr, (text) => {
      stderr += text;
      options.onStderr?.(stderr, kill);
    }),
  ]);
  return { stdout, stderr, code: code.exitCode, tailMs: code.exitedAt - lastStdoutAt };
}

/** Records by event name, in arrival order. */
export function byEvent(records: ReceivedLogRecord[], name: string): ReceivedLogRecord[] {
  return records.filter((record) => record.eventName === name);
}

/** What each record carries for one run, in every record (SPEC §7). */
export const SHARED_KEYS = ["event.name", "event.timestamp", "conversation.id", "app.version", "terminal.type", "model", "slug", "auth_mode"];
