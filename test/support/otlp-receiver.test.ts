// Proves the test OTLP receiver against the real OpenTelemetry exporters (gRPC, HTTP protobuf,
// HTTP JSON) running in-process under Bun.
import { afterEach, describe, expect, test } from "bun:test";
import { Metadata } from "@grpc/grpc-js";
import { OTLPLogExporter as GrpcLogExporter } from "@opentelemetry/exporter-logs-otlp-grpc";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type ReadableLogRecord,
} from "@opentelemetry/sdk-logs";
import { join } from "node:path";
import {
  flattenExportLogsRequest,
  startOtlpReceiver,
  type OtlpReceiver,
  type OtlpTransport,
} from "./otlp-receiver.ts";

const receivers: OtlpReceiver[] = [];
async function receiver(options?: Parameters<typeof startOtlpReceiver>[0]): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver(options);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});

const SECRET = "s3cr3t-token-0123456789";
const PROMPT_SECRET = "the-user-typed-this-secret";

/** Every kind of attribute value, sent by the exporter and expected back decoded as it was. */
const SENT_ATTRIBUTES = {
  "event.name": "tether.tool_result",
  tool_name: "echo",
  duration_ms: 42,
  big_count: 9_007_199_254_740_000,
  negative: -7,
  ratio: 0.25,
  cached: true,
  success: "true",
  prompt: PROMPT_SECRET,
  tags: ["a", "b"],
  nested: { depth: 2, ok: false },
};

interface ExportResultLike {
  code: number;
  error?: Error & { code?: number | string };
}

/** Wraps an exporter to capture its ExportResult (the same hook the CLI can use to warn once). */
function capturing(inner: LogRecordExporter): { exporter: LogRecordExporter; results: ExportResultLike[] } {
  const results: ExportResultLike[] = [];
  const exporter: LogRecordExporter = {
    export(records: ReadableLogRecord[], done) {
      inner.export(records, (result) => {
        results.push(result as ExportResultLike);
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  return { exporter, results };
}

type Kind = "grpc" | "http-protobuf" | "http-json";
const transportOf: Record<Kind, OtlpTransport> = { grpc: "grpc", "http-protobuf": "http-protobuf", "http-json": "http-json" };

function makeExporter(kind: Kind, r: OtlpReceiver, opts: { gzip?: boolean; timeoutMillis?: number } = {}): LogRecordExporter {
  const compression = opts.gzip ? ("gzip" as never) : undefined;
  const timeoutMillis = opts.timeoutMillis;
  if (kind === "grpc") {
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${SECRET}`);
    metadata.set("x-tether-tenant", "acme");
    return new GrpcLogExporter({ url: r.grpcUrl, metadata, compression, timeoutMillis });
  }
  const headers = { Authorization: `Bearer ${SECRET}`, "X-Tether-Tenant": "acme" };
  const Exporter = kind === "http-protobuf" ? ProtoLogExporter : JsonLogExporter;
  return new Exporter({ url: r.httpLogsUrl, headers, compression, timeoutMillis });
}

/** Emits one tool_result-like record through a LoggerProvider and shuts it down (flushes). */
async function emitOne(exporter: LogRecordExporter, processor: "simple" | "batch" = "simple"): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "tether-cli", "service.version": "0.1.0", env: "test" }),
    processors: [processor === "simple" ? new SimpleLogRecordProcessor({ exporter }) : new BatchLogRecordProcessor({ exporter })],
  });
  provider.getLogger("tether", "0.1.0").emit({
    eventName: "tether.tool_result",
    severityText: "INFO",
    body: "tool finished",
    attributes: SENT_ATTRIBUTES,
  });
  await provider.shutdown();
}

function expectDecoded(r: OtlpReceiver, kind: Kind): void {
  const records = r.records();
  expect(records).toHaveLength(1);
  const rec = records[0]!;
  expect(rec.transport).toBe(transportOf[kind]);
  expect(rec.resource["service.name"]).toBe("tether-cli");
  expect(rec.resource["service.version"]).toBe("0.1.0");
  expect(rec.resource.env).toBe("test");
  expect(rec.scope).toBe("tether");
  expect(rec.scopeVersion).toBe("0.1.0");
  expect(rec.eventName).toBe("tether.tool_result");
  expect(rec.body).toBe("tool finished");
  expect(rec.severityText).toBe("INFO");
  expect(rec.timeUnixNano).toMatch(/^[1-9]\d{18}$/);
  expect(rec.attributes).toEqual(SENT_ATTRIBUTES);
  expect(rec.attributeTypes).toEqual({
    "event.name": "string",
    tool_name: "string",
    duration_ms: "int",
    big_count: "int",
    negative: "int",
    ratio: "double",
    cached: "bool",
    success: "string",
    prompt: "string",
    tags: "array",
    nested: "kvlist",
  });

  expect(r.exports).toHaveLength(1);
  const exp = r.exports[0]!;
  expect(exp.accepted).toBe(true);
  expect(exp.transport).toBe(transportOf[kind]);
  expect(exp.headers.authorization).toBe(`Bearer ${SECRET}`);
  expect(exp.headers["x-tether-tenant"]).toBe("acme");
  expect(exp.headers["user-agent"]).toContain("OTel-OTLP-Exporter-JavaScript");
  for (const key of Object.keys(exp.headers)) expect(key).toBe(key.toLowerCase());
  expect(r.rawText()).toContain(SECRET);
  expect(r.rawText()).toContain(PROMPT_SECRET);
  expect(new TextDecoder().decode(exp.raw)).toContain(PROMPT_SECRET);
}

describe("OTLP receiver with the real OpenTelemetry exporters", () => {
  for (const kind of ["grpc", "http-protobuf", "http-json"] as const) {
    test(`${kind}: decodes event name, body, typed attributes, resource and headers`, async () => {
      const r = await receiver();
      const { exporter, results } = capturing(makeExporter(kind, r));
      await emitOne(exporter);
      expect(results.map((x) => x.code)).toEqual([0]);
      expectDecoded(r, kind);
    });

    // (grpc-js consumes the grpc-encoding header itself, so only HTTP shows Content-Encoding.)
    test(`${kind}: compression "gzip", through a BatchLogRecordProcessor`, async () => {
      const r = await receiver();
      const { exporter, results } = capturing(makeExporter(kind, r, { gzip: true }));
      await emitOne(exporter, "batch");
      expect(results.map((x) => x.code)).toEqual([0]);
      if (kind !== "grpc") expect(r.exports[0]!.headers["content-encoding"]).toBe("gzip");
      expectDecoded(r, kind);
    });
  }

  test("waitForRecords resolves as records arrive", async () => {
    const r = await receiver();
    const waiting = r.waitForRecords(2);
    await emitOne(makeExporter("http-protobuf", r));
    await emitOne(makeExporter("grpc", r));
    const records = await waiting;
    expect(records.map((x) => x.transport)).toEqual(["http-protobuf", "grpc"]);
  });

  test("waitForRecords rejects with a summary when too few records arrive", async () => {
    const r = await receiver();
    await emitOne(makeExporter("http-json", r));
    await expect(r.waitForRecords(3, 50)).rejects.toThrow("expected 3 record(s) within 50ms, got 1 [http-json:1]");
  });
});

describe("failure modes", () => {
  test("http-500: the HTTP exporters report a non-retryable failure; nothing is accepted", async () => {
    const r = await receiver({ fail: "http-500" });
    for (const kind of ["http-protobuf", "http-json"] as const) {
      const { exporter, results } = capturing(makeExporter(kind, r));
      await emitOne(exporter);
      expect(results).toHaveLength(1);
      expect(results[0]!.code).toBe(1);
      expect(results[0]!.error?.code).toBe(500);
    }
    expect(r.exports.map((e) => [e.transport, e.accepted])).toEqual([
      ["http-protobuf", false],
      ["http-json", false],
    ]);
    expect(r.exports[0]!.records).toHaveLength(1);
    expect(r.records()).toEqual([]);
  });

  test("grpc-unavailable: the gRPC exporter reports UNAVAILABLE (14); setFailure switches back", async () => {
    const r = await receiver({ fail: "grpc-unavailable" });
    const first = capturing(makeExporter("grpc", r));
    await emitOne(first.exporter);
    expect(first.results[0]!.code).toBe(1);
    expect(first.results[0]!.error?.code).toBe(14);
    expect(r.records()).toEqual([]);

    r.setFailure("none");
    const second = capturing(makeExporter("grpc", r));
    await emitOne(second.exporter);
    expect(second.results[0]!.code).toBe(0);
    expect(r.records()).toHaveLength(1);
    expect(r.exports.map((e) => e.accepted)).toEqual([false, true]);
  });

  test("a failure mode for one transport leaves the other working", async () => {
    const r = await receiver({ fail: "grpc-unavailable" });
    const { exporter, results } = capturing(makeExporter("http-protobuf", r));
    await emitOne(exporter);
    expect(results[0]!.code).toBe(0);
    expect(r.records()).toHaveLength(1);
  });

  test("delayMs: a slow collector makes a short-deadline gRPC export fail with DEADLINE_EXCEEDED (4)", async () => {
    const r = await receiver({ delayMs: 5000 });
    // 2 s: long enough that a busy machine still delivers the request before the deadline.
    const { exporter, results } = capturing(makeExporter("grpc", r, { timeoutMillis: 2000 }));
    await emitOne(exporter);
    expect(results[0]!.code).toBe(1);
    expect(results[0]!.error?.code).toBe(4);
    // The receiver records on arrival, before its delayed answer.
    expect(r.records()).toHaveLength(1);
  });

  test("delayMs: a slow collector makes a short-timeout HTTP export fail with 'Request timed out'", async () => {
    const r = await receiver({ delayMs: 5000 });
    const { exporter, results } = capturing(makeExporter("http-protobuf", r, { timeoutMillis: 200 }));
    await emitOne(exporter);
    expect(results[0]!.code).toBe(1);
    expect(results[0]!.error?.message).toBe("Request timed out");
    expect(r.exports.length).toBeGreaterThanOrEqual(1);
  });

  test("an unreachable gRPC collector fails the export with UNAVAILABLE (14)", async () => {
    const r = await receiver();
    const url = r.grpcUrl;
    await r.stop();
    const { exporter, results } = capturing(new GrpcLogExporter({ url }));
    await emitOne(exporter);
    expect(results[0]!.code).toBe(1);
    expect(results[0]!.error?.code).toBe(14);
  });

  test("an unreachable HTTP collector fails the export with ECONNREFUSED once its timeout is spent", async () => {
    const r = await receiver();
    const url = r.httpLogsUrl;
    await r.stop();
    const { exporter, results } = capturing(new ProtoLogExporter({ url, timeoutMillis: 300 }));
    await emitOne(exporter);
    expect(results[0]!.code).toBe(1);
    expect(results[0]!.error?.code).toBe("ECONNREFUSED");
  });
});

describe("HTTP edge cases", () => {
  test("decodes hand-written OTLP JSON: snake_case names, string ints, bytes, hex ids", async () => {
    const r = await receiver();
    const kv = (key: string, value: object) => ({ key, value });
    const request = {
      resource_logs: [
        {
          resource: { attributes: [kv("service.name", { stringValue: "other" })] },
          scope_logs: [
            {
              scope: { name: "manual" },
              log_records: [
                {
                  time_unix_nano: "1700000000000000001",
                  severity_number: 9,
                  event_name: "manual.event",
                  trace_id: "0102030405060708090A0B0C0D0E0F10",
                  body: { kvlistValue: { values: [kv("k", { intValue: "12" })] } },
                  attributes: [
                    kv("huge", { intValue: "9223372036854775807" }),
                    kv("raw", { bytesValue: Buffer.from("hi").toString("base64") }),
                    kv("empty", {}),
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(r.httpLogsUrl, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const [rec] = await r.waitForRecords(1);
    expect(rec).toEqual({
      transport: "http-json",
      resource: { "service.name": "other" },
      scope: "manual",
      eventName: "manual.event",
      body: { k: 12 },
      attributes: { huge: "9223372036854775807", raw: new Uint8Array(Buffer.from("hi")), empty: undefined },
      attributeTypes: { huge: "int", raw: "bytes", empty: "empty" },
      timeUnixNano: "1700000000000000001",
      severityNumber: 9,
      traceId: "0102030405060708090a0b0c0d0e0f10",
    });
  });

  test("gzip JSON posted by hand is decoded and kept decompressed in raw", async () => {
    const r = await receiver();
    const body = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: SECRET } }] }] }] });
    const res = await fetch(r.httpLogsUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: Bun.gzipSync(new TextEncoder().encode(body)),
    });
    expect(res.status).toBe(200);
    expect(r.records().map((x) => x.body)).toEqual([SECRET]);
    expect(r.rawText()).toContain(SECRET);
  });

  test("rejects unknown paths, methods, content types and undecodable bodies", async () => {
    const r = await receiver();
    expect((await fetch(`${r.httpUrl}/v1/unknown`, { method: "POST" })).status).toBe(404);
    expect((await fetch(r.httpLogsUrl)).status).toBe(405);
    const post = (contentType: string, body: string) =>
      fetch(r.httpLogsUrl, { method: "POST", headers: { "content-type": contentType }, body });
    expect((await post("text/plain", "x")).status).toBe(415);
    expect((await post("application/json", "{not json")).status).toBe(400);
    expect((await post("application/x-protobuf", "\xff\xff\xff")).status).toBe(400);
    expect(r.exports.map((e) => e.accepted)).toEqual([false, false]);
    expect(r.exports.every((e) => typeof e.error === "string")).toBe(true);
  });

  test("flattenExportLogsRequest rejects a non-object", () => {
    expect(() => flattenExportLogsRequest("nope", "http-json")).toThrow("not an object");
  });
});

test("runnable mode prints its URLs, then one JSON line per record", async () => {
  const bun = process.execPath;
  const proc = Bun.spawn([bun, join(import.meta.dir, "otlp-receiver.ts")], { stdout: "pipe", stderr: "inherit" });
  try {
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    const nextLine = async (): Promise<string> => {
      for (;;) {
        const nl = buffered.indexOf("\n");
        if (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          return line;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`receiver exited; buffered: ${buffered}`);
        buffered += decoder.decode(value, { stream: true });
      }
    };
    const urls = JSON.parse(await nextLine()) as { httpUrl: string; grpcUrl: string };
    expect(urls.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(urls.grpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await emitOne(new GrpcLogExporter({ url: urls.grpcUrl }));
    await emitOne(new ProtoLogExporter({ url: `${urls.httpUrl}/v1/logs` }));
    const first = JSON.parse(await nextLine()) as Record<string, unknown>;
    const second = JSON.parse(await nextLine()) as Record<string, unknown>;
    expect([first.transport, second.transport]).toEqual(["grpc", "http-protobuf"]);
    expect(first.eventName).toBe("tether.tool_result");
    expect((second.attributes as Record<string, unknown>).duration_ms).toBe(42);
  } finally {
    proc.kill();
    await proc.exited;
  }
});
