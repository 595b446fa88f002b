// A local OTLP logs receiver for tests: OTLP/HTTP (protobuf + JSON, optionally gzip) and
// OTLP/gRPC (LogsService/Export), both on 127.0.0.1 with OS-assigned ports. It records every
// export (transport, headers/metadata, decoded records, raw payload) so tests can assert on
// what the tether CLI actually sent.
//
// Decoding uses protobufjs (installed transitively via @grpc/grpc-js → @grpc/proto-loader)
// with a minimal copy of the OTLP .proto files in test/support/otlp/ (no OTLP protos ship in
// node_modules: @opentelemetry/otlp-transformer 0.301 has a hand-written encoder instead).
//
// Metrics (issue 23): OTLP/HTTP `/v1/metrics` and gRPC MetricsService/Export too, decoded the
// same way into one point per time series (`metricPoints()`, `waitForMetric()`).
//
// Runnable: `bun test/support/otlp-receiver.ts [--fail=http-500|http-503|grpc-unavailable]
// [--delay-ms=N]` prints {"httpUrl":…,"grpcUrl":…} on the first stdout line, then one JSON
// line per received log record.
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { isAbsolute, join } from "node:path";

export type OtlpTransport = "http-protobuf" | "http-json" | "grpc";

/** "http-503" is retryable for the HTTP exporters (they back off and retry); "http-500" is not. */
export type OtlpFailure = "none" | "http-500" | "http-503" | "grpc-unavailable";

export type AnyValueKind = "string" | "bool" | "int" | "double" | "array" | "kvlist" | "bytes" | "empty";

export interface ReceivedLogRecord {
  transport: OtlpTransport;
  resource: Record<string, unknown>;
  scope?: string;
  scopeVersion?: string;
  /** LogRecord.event_name (field 12), set by the SDK from `emit({ eventName })`. */
  eventName?: string;
  body?: unknown;
  /**
   * AnyValue unwrapped: string, boolean, number (int and double; an int beyond
   * Number.MAX_SAFE_INTEGER stays a decimal string), Uint8Array (bytes), array, object (kvlist).
   */
  attributes: Record<string, unknown>;
  /** The AnyValue variant of each attribute, to tell `3` (int) from `3.0` (double) or `"3"`. */
  attributeTypes: Record<string, AnyValueKind>;
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  traceId?: string;
  spanId?: string;
}

export interface ReceivedExport {
  transport: OtlpTransport;
  /** HTTP request headers / gRPC metadata, lowercased keys. */
  headers: Record<string, string>;
  records: ReceivedLogRecord[];
  /** The request payload after gzip decoding (protobuf bytes or JSON text). */
  raw: Uint8Array;
  /** False when the receiver answered with a failure (see `fail`) or could not decode it. */
  accepted: boolean;
  /** Decode error, if any. */
  error?: string;
}

// ---- traces (issue 23) ---------------------------------------------------------------------

export interface ReceivedSpan {
  transport: OtlpTransport;
  resource: Record<string, unknown>;
  scope?: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client (0 unspecified). */
  kind: number;
  traceId?: string;
  spanId?: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  traceState?: string;
  /** Span.flags: bit 8 (0x100) says the parent's context is known, bit 9 (0x200) that it is remote. */
  flags?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes: Record<string, unknown>;
  attributeTypes: Record<string, AnyValueKind>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string;
}

export interface ReceivedSpanExport {
  transport: OtlpTransport;
  headers: Record<string, string>;
  spans: ReceivedSpan[];
  raw: Uint8Array;
  accepted: boolean;
  error?: string;
}

export interface OtlpReceiverOptions {
  fail?: OtlpFailure;
  /** Delay before answering each export (a slow collector). The export is recorded on arrival. */
  delayMs?: number;
  /** Start the gRPC server (default true). */
  grpc?: boolean;
  /** Called for every accepted record, in arrival order. */
  onRecord?: (record: ReceivedLogRecord) => void;
}

export interface OtlpReceiver {
  /** http://127.0.0.1:P — exporters need `${httpUrl}/v1/logs` (see `httpLogsUrl`). */
  httpUrl: string;
  /** http://127.0.0.1:P/v1/logs */
  httpLogsUrl: string;
  /** http://127.0.0.1:Q ("" when started with grpc: false). */
  grpcUrl: string;
  /** Every export received, accepted or not, in arrival order. */
  exports: ReceivedExport[];
  /** Records of accepted exports, flattened. */
  records(): ReceivedLogRecord[];
  /** Resolves once at least n records were accepted; rejects after timeoutMs (default 5000). */
  waitForRecords(n: number, timeoutMs?: number): Promise<ReceivedLogRecord[]>;
  /** Every header value and every raw payload as text: grep it for secrets. */
  rawText(): string;
  setFailure(fail: OtlpFailure): void;
  setDelay(delayMs: number): void;
  /** Forget everything received so far. */
  clear(): void;
  // Metrics (issue 23).
  /** Every metrics export received, accepted or not, in arrival order. */
  metricExports: ReceivedMetricsExport[];
  /** Data points of accepted metrics exports, flattened, in arrival order. */
  metricPoints(): ReceivedMetricPoint[];
  /** Resolves with the first point `match` accepts (checked as exports arrive); rejects after timeoutMs (default 5000). */
  waitForMetric(match: (point: ReceivedMetricPoint) => boolean, timeoutMs?: number): Promise<ReceivedMetricPoint>;
  // Traces (issue 23).
  /** http://127.0.0.1:P/v1/traces */
  httpTracesUrl: string;
  /** Every trace export received, in arrival order. */
  spanExports: ReceivedSpanExport[];
  /** Spans of accepted trace exports, flattened. */
  spans(): ReceivedSpan[];
  /** Resolves once the accepted spans satisfy `done`; rejects after timeoutMs (default 5000). */
  waitForSpans(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  stop(): Promise<void>;
}

const PROTO_DIR = join(import.meta.dir, "otlp");
const LOGS_EXPORT_PATH = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
const identity = (b: Buffer) => b;

/** The OTLP logs gRPC service with raw bytes in and out: decoding is ours. */
export const LOGS_SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: LOGS_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

// Traces (issue 23): the OTLP trace gRPC service, raw bytes in and out as for logs.
const TRACES_EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
export const TRACES_SERVICE: grpc.ServiceDefinition = {
  Export: { ...LOGS_SERVICE.Export!, path: TRACES_EXPORT_PATH },
};

const traceProtoTypes = () => serviceTypes("trace");

/** Decodes a protobuf ExportTraceServiceRequest into the OTLP-JSON-like object shape. */
export function decodeExportTraceRequest(bytes: Uint8Array): unknown {
  const { request } = traceProtoTypes();
  return request.toObject(request.decode(bytes), { longs: String, defaults: false });
}

/** Flattens an ExportTraceServiceRequest (decoded protobuf or parsed OTLP JSON) into spans. */
export function flattenExportTraceRequest(request: unknown, transport: OtlpTransport): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  if (!isObj(request)) throw new Error("ExportTraceServiceRequest is not an object");
  for (const rs of list(field(request, "resourceSpans"))) {
    if (!isObj(rs)) continue;
    const res = field(rs, "resource");
    const resource = keyValues(isObj(res) ? res.attributes : undefined).values;
    for (const ss of list(field(rs, "scopeSpans"))) {
      if (!isObj(ss)) continue;
      const scope = field(ss, "scope");
      for (const sp of list(field(ss, "spans"))) {
        if (!isObj(sp)) continue;
        const attrs = keyValues(sp.attributes);
        const status = field(sp, "status");
        const span: ReceivedSpan = {
          transport,
          resource: { ...resource },
          scope: isObj(scope) ? optString(scope.name) : undefined,
          name: String(sp.name ?? ""),
          kind: Number(sp.kind ?? 0),
          traceId: toHex(field(sp, "traceId")),
          spanId: toHex(field(sp, "spanId")),
          parentSpanId: toHex(field(sp, "parentSpanId")),
          traceState: optString(field(sp, "traceState")),
          flags: sp.flags === undefined ? undefined : Number(sp.flags),
          startTimeUnixNano: optString(field(sp, "startTimeUnixNano")),
          endTimeUnixNano: optString(field(sp, "endTimeUnixNano")),
          attributes: attrs.values,
          attributeTypes: attrs.kinds,
          statusCode: isObj(status) ? Number(status.code ?? 0) : 0,
          statusMessage: isObj(status) ? optString(status.message) : undefined,
        };
        for (const k of Object.keys(span) as (keyof ReceivedSpan)[]) {
          if (span[k] === undefined) delete span[k];
        }
        out.push(span);
      }
    }
  }
  return out;
}

type ServiceTypes = { request: protobuf.Type; response: protobuf.Type };
const cachedServiceTypes = new Map<string, ServiceTypes>();

/** The Export request and response types of one OTLP collector service (`logs`, `trace`, `metrics`), loaded once. */
function serviceTypes(signal: "logs" | "trace" | "metrics"): ServiceTypes {
  let types = cachedServiceTypes.get(signal);
  if (!types) {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTO_DIR, target));
    const name = signal === "trace" ? "Trace" : signal === "logs" ? "Logs" : "Metrics";
    root.loadSync(`opentelemetry/proto/collector/${signal}/v1/${signal}_service.proto`);
    root.resolveAll();
    types = {
      request: root.lookupType(`opentelemetry.proto.collector.${signal}.v1.Export${name}ServiceRequest`),
      response: root.lookupType(`opentelemetry.proto.collector.${signal}.v1.Export${name}ServiceResponse`),
    };
    cachedServiceTypes.set(signal, types);
  }
  return types;
}

const protoTypes = () => serviceTypes("logs");

/** Decodes a protobuf ExportLogsServiceRequest into the OTLP-JSON-like object shape. */
export function decodeExportLogsRequest(bytes: Uint8Array): unknown {
  const { request } = protoTypes();
  // longs as decimal strings, bytes left as Uint8Array, camelCase names (== OTLP JSON names).
  return request.toObject(request.decode(bytes), { longs: String, defaults: false });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** proto3 JSON parsers accept lowerCamelCase and the original snake_case names. */
function field(o: Obj, camel: string): unknown {
  if (camel in o) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return o[snake];
}
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function toInt(v: unknown): number | string {
  if (typeof v === "number") return v;
  const s = String(v);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}
function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  return new Uint8Array(Buffer.from(String(v), "base64"));
}
/** trace/span ids: bytes in protobuf, hex strings in OTLP JSON. */
function toHex(v: unknown): string | undefined {
  if (v instanceof Uint8Array) return v.length ? Buffer.from(v).toString("hex") : undefined;
  return typeof v === "string" && v ? v.toLowerCase() : undefined;
}

function unwrapAnyValue(v: unknown): { kind: AnyValueKind; value: unknown } {
  if (!isObj(v)) return { kind: "empty", value: undefined };
  if (field(v, "stringValue") !== undefined) return { kind: "string", value: String(field(v, "stringValue")) };
  if (field(v, "boolValue") !== undefined) return { kind: "bool", value: Boolean(field(v, "boolValue")) };
  if (field(v, "intValue") !== undefined) return { kind: "int", value: toInt(field(v, "intValue")) };
  if (field(v, "doubleValue") !== undefined) return { kind: "double", value: Number(field(v, "doubleValue")) };
  if (field(v, "bytesValue") !== undefined) return { kind: "bytes", value: toBytes(field(v, "bytesValue")) };
  const arr = field(v, "arrayValue");
  if (arr !== undefined) {
    return { kind: "array", value: list(isObj(arr) ? arr.values : undefined).map((x) => unwrapAnyValue(x).value) };
  }
  const kv = field(v, "kvlistValue");
  if (kv !== undefined) return { kind: "kvlist", value: keyValues(isObj(kv) ? kv.values : undefined).values };
  return { kind: "empty", value: undefined };
}

function keyValues(v: unknown): { values: Record<string, unknown>; kinds: Record<string, AnyValueKind> } {
  const values: Record<string, unknown> = {};
  const kinds: Record<string, AnyValueKind> = {};
  for (const kv of list(v)) {
    if (!isObj(kv) || typeof kv.key !== "string") continue;
    const { kind, value } = unwrapAnyValue(kv.value);
    values[kv.key] = value;
    kinds[kv.key] = kind;
  }
  return { values, kinds };
}

const optString = (v: unknown): string | undefined => (v === undefined || v === null || v === "" ? undefined : String(v));

/** Flattens an ExportLogsServiceRequest (decoded protobuf or parsed OTLP JSON) into records. */
export function flattenExportLogsRequest(request: unknown, transport: OtlpTransport): ReceivedLogRecord[] {
  const out: ReceivedLogRecord[] = [];
  if (!isObj(request)) throw new Error("ExportLogsServiceRequest is not an object");
  for (const rl of list(field(request, "resourceLogs"))) {
    if (!isObj(rl)) continue;
    const res = field(rl, "resource");
    const resource = keyValues(isObj(res) ? res.attributes : undefined).values;
    for (const sl of list(field(rl, "scopeLogs"))) {
      if (!isObj(sl)) continue;
      const scope = field(sl, "scope");
      for (const lr of list(field(sl, "logRecords"))) {
        if (!isObj(lr)) continue;
        const attrs = keyValues(lr.attributes);
        const record: ReceivedLogRecord = { transport, resource: { ...resource }, attributes: attrs.values, attributeTypes: attrs.kinds };
        if (isObj(scope)) {
          record.scope = optString(scope.name);
          record.scopeVersion = optString(scope.version);
        }
        record.eventName = optString(field(lr, "eventName"));
        const body = unwrapAnyValue(lr.body);
        if (body.kind !== "empty") record.body = body.value;
        record.timeUnixNano = optString(field(lr, "timeUnixNano"));
        record.observedTimeUnixNano = optString(field(lr, "observedTimeUnixNano"));
        const sev = field(lr, "severityNumber");
        if (sev !== undefined && sev !== null && Number(sev) !== 0) record.severityNumber = Number(sev);
        record.severityText = optString(field(lr, "severityText"));
        record.traceId = toHex(field(lr, "traceId"));
        record.spanId = toHex(field(lr, "spanId"));
        for (const k of Object.keys(record) as (keyof ReceivedLogRecord)[]) {
          if (record[k] === undefined) delete record[k];
        }
        out.push(record);
      }
    }
  }
  return out;
}


/** One OTLP signal as a receiver takes it: its empty entry, how its payload decodes, and its Export response. */
interface OtlpSignalHandler<E extends ReceivedEntry> {
  entry(transport: OtlpTransport, headers: Record<string, string>, raw: Uint8Array): E;
  /** Decodes the payload (protobuf bytes, or parsed OTLP JSON) into the entry. */
  fill(entry: E, payload: Uint8Array | unknown, transport: OtlpTransport): void;
  response: protobuf.Type;
  /** Keeps the entry, accepted or not (and wakes whoever waits for it). */
  keep(entry: E): void;
}

interface ReceivedEntry {
  raw: Uint8Array;
  accepted: boolean;
  error?: string;
}

/** How the receiver answers: the failure it is told to play, and its delay before answering. */
interface ReceiverBehaviour {
  fail(): OtlpFailure;
  delay(): Promise<void>;
}

/** One OTLP/HTTP Export: decoded, kept, answered as the receiver is told to. */
async function httpExport<E extends ReceivedEntry>(req: Request, signal: OtlpSignalHandler<E>, behaviour: ReceiverBehaviour): Promise<Response> {
  if (req.method !== "POST") return new Response("method not allowed", { status: 405 });
  const headers: Record<string, string> = {};
  req.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value;
  });
  const contentType = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const transport: OtlpTransport | undefined =
    contentType === "application/x-protobuf" ? "http-protobuf" : contentType === "application/json" ? "http-json" : undefined;
  if (!transport) return new Response(`unsupported content-type ${contentType}`, { status: 415 });
  const entry = signal.entry(transport, headers, new Uint8Array(await req.arrayBuffer()));
  try {
    const encoding = (headers["content-encoding"] ?? "identity").toLowerCase();
    if (encoding === "gzip") entry.raw = new Uint8Array(Bun.gunzipSync(entry.raw as Uint8Array<ArrayBuffer>));
    else if (encoding !== "identity") throw new Error(`unsupported content-encoding ${encoding}`);
    signal.fill(entry, transport === "http-protobuf" ? entry.raw : (JSON.parse(new TextDecoder().decode(entry.raw)) as unknown), transport);
  } catch (err) {
    entry.error = err instanceof Error ? err.message : String(err);
    signal.keep(entry);
    return new Response(entry.error, { status: 400 });
  }
  const fail = behaviour.fail();
  entry.accepted = fail !== "http-500" && fail !== "http-503";
  signal.keep(entry);
  await behaviour.delay();
  if (!entry.accepted) return new Response(`receiver configured to fail (${fail})`, { status: fail === "http-500" ? 500 : 503 });
  // An empty Export…ServiceResponse == full success, in the request's encoding.
  return transport === "http-protobuf"
    ? new Response(new Uint8Array(signal.response.encode(signal.response.create({})).finish()), { headers: { "content-type": "application/x-protobuf" } })
    : new Response("{}", { headers: { "content-type": "application/json" } });
}

/** One OTLP/gRPC Export handler: decode, keep the entry (accepted or not), then answer as told. */
function grpcExport<E extends ReceivedEntry>(signal: OtlpSignalHandler<E>, behaviour: ReceiverBehaviour) {
  return (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    void (async () => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) {
        headers[key.toLowerCase()] = typeof value === "string" ? value : Buffer.from(value).toString("base64");
      }
      const entry = signal.entry("grpc", headers, new Uint8Array(call.request));
      try {
        signal.fill(entry, entry.raw, "grpc");
      } catch (err) {
        entry.error = err instanceof Error ? err.message : String(err);
        signal.keep(entry);
        callback({ code: grpc.status.INVALID_ARGUMENT, details: entry.error });
        return;
      }
      entry.accepted = behaviour.fail() !== "grpc-unavailable";
      signal.keep(entry);
      await behaviour.delay();
      if (!entry.accepted) return callback({ code: grpc.status.UNAVAILABLE, details: "receiver configured to fail (grpc-unavailable)" });
      callback(null, Buffer.from(signal.response.encode(signal.response.create({})).finish()));
    })();
  };
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const types = protoTypes();
  let fail: OtlpFailure = options.fail ?? "none";
  let delayMs = options.delayMs ?? 0;
  const exports: ReceivedExport[] = [];
  const waiters = new Set<() => void>();
  // Pending `delayMs` sleeps end early on stop(), so a slow collector never outlives its test.
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  // Traces (issue 23).
  const traceTypes = traceProtoTypes();
  const spanExports: ReceivedSpanExport[] = [];
  const acceptedSpans = () => spanExports.filter((e) => e.accepted).flatMap((e) => e.spans);
  const recordSpans = (e: ReceivedSpanExport) => {
    spanExports.push(e);
    if (e.accepted) for (const w of [...waiters]) w();
  };
  const traceSignal: OtlpSignalHandler<ReceivedSpanExport> = {
    entry: (transport, headers, raw) => ({ transport, headers, spans: [], raw, accepted: false }),
    fill: (entry, payload, transport) => (entry.spans = flattenExportTraceRequest(payload instanceof Uint8Array ? decodeExportTraceRequest(payload) : payload, transport)),
    response: traceTypes.response,
    keep: recordSpans,
  };

  const acceptedRecords = () => exports.filter((e) => e.accepted).flatMap((e) => e.records);
  const record = (e: ReceivedExport) => {
    exports.push(e);
    if (e.accepted) {
      if (options.onRecord) for (const r of e.records) options.onRecord(r);
      for (const w of [...waiters]) w();
    }
  };

  const logSignal: OtlpSignalHandler<ReceivedExport> = {
    entry: (transport, headers, raw) => ({ transport, headers, records: [], raw, accepted: false }),
    fill: (entry, payload, transport) => (entry.records = flattenExportLogsRequest(payload instanceof Uint8Array ? decodeExportLogsRequest(payload) : payload, transport)),
    response: types.response,
    keep: record,
  };
  const behaviour: ReceiverBehaviour = { fail: () => fail, delay: () => (delayMs > 0 ? sleep(delayMs) : Promise.resolve()) };
  // Metrics (issue 23).
  const metrics = metricsSignal(() => {
    for (const w of [...waiters]) w();
  });

  // ---- OTLP/HTTP ---------------------------------------------------------------------------
  const http = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === METRICS_HTTP_PATH) return httpExport(req, metrics, behaviour);
      if (url.pathname === "/v1/traces") return httpExport(req, traceSignal, behaviour);
      if (url.pathname === "/v1/logs") return httpExport(req, logSignal, behaviour);
      return new Response("not found", { status: 404 });
    },
  });

  // ---- OTLP/gRPC ---------------------------------------------------------------------------
  let grpcServer: grpc.Server | undefined;
  let grpcUrl = "";
  if (options.grpc !== false) {
    const server = new grpc.Server();
    server.addService(LOGS_SERVICE, { Export: grpcExport(logSignal, behaviour) });
    server.addService(METRICS_SERVICE, { Export: grpcExport(metrics, behaviour) });
    server.addService(TRACES_SERVICE, { Export: grpcExport(traceSignal, behaviour) });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
        err ? reject(err) : resolve(boundPort),
      );
    });
    grpcServer = server;
    grpcUrl = `http://127.0.0.1:${port}`;
  }

  const httpUrl = `http://127.0.0.1:${http.port}`;
  let stopped: Promise<void> | undefined;

  return {
    httpUrl,
    httpLogsUrl: `${httpUrl}/v1/logs`,
    grpcUrl,
    exports,
    records: acceptedRecords,
    waitForRecords(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = acceptedRecords();
          if (got.length < n) return false;
          clearTimeout(timer);
          waiters.delete(onExport);
          resolve(got);
          return true;
        };
        const onExport = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(onExport);
          const summary = exports.map((e) => `${e.transport}:${e.records.length}${e.accepted ? "" : "(rejected)"}`).join(", ");
          reject(new Error(`OTLP receiver: expected ${n} record(s) within ${timeoutMs}ms, got ${acceptedRecords().length} [${summary}]`));
        }, timeoutMs);
        waiters.add(onExport);
        check();
      });
    },
    httpTracesUrl: `${httpUrl}/v1/traces`,
    spanExports,
    spans: acceptedSpans,
    waitForSpans(done, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = acceptedSpans();
          if (!done(got)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(got);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`OTLP receiver: the spans expected did not arrive within ${timeoutMs}ms; got ${acceptedSpans().map((span) => span.name).join(", ") || "none"}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    rawText() {
      const decoder = new TextDecoder();
      return [...exports, ...metrics.exports, ...spanExports]
        .map((e) => `${Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${decoder.decode(e.raw)}`)
        .join("\n\n");
    },
    setFailure(next) {
      fail = next;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    clear() {
      exports.length = 0;
      spanExports.length = 0;
      metrics.exports.length = 0;
    },
    metricExports: metrics.exports,
    metricPoints: () => metrics.exports.filter((e) => e.accepted).flatMap((e) => e.points),
    waitForMetric(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = metrics.exports.filter((e) => e.accepted).flatMap((e) => e.points).find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const names = [...new Set(metrics.exports.flatMap((e) => e.points.map((p) => p.name)))].join(", ");
          reject(new Error(`OTLP receiver: no matching metric point within ${timeoutMs}ms (metrics seen: ${names || "none"})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      stopped ??= (async () => {
        for (const wake of [...sleepers]) wake();
        grpcServer?.forceShutdown();
        await http.stop(true);
      })();
      return stopped;
    },
  };
}

// ---- Metrics (issue 23) --------------------------------------------------------------------

/** One data point of one metric, with its metric's name, unit and kind. */
export interface ReceivedMetricPoint {
  transport: OtlpTransport;
  resource: Record<string, unknown>;
  scope?: string;
  name: string;
  unit?: string;
  description?: string;
  kind: "sum" | "gauge" | "histogram";
  /** "delta" or "cumulative" (sums and histograms). */
  temporality?: "delta" | "cumulative";
  isMonotonic?: boolean;
  attributes: Record<string, unknown>;
  attributeTypes: Record<string, AnyValueKind>;
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  /** Sums and gauges. */
  value?: number;
  /** Sums and gauges: as_int or as_double. */
  valueType?: "int" | "double";
  /** Histograms. */
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface ReceivedMetricsExport {
  transport: OtlpTransport;
  headers: Record<string, string>;
  points: ReceivedMetricPoint[];
  raw: Uint8Array;
  accepted: boolean;
  error?: string;
}

const METRICS_HTTP_PATH = "/v1/metrics";
const METRICS_EXPORT_PATH = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

/** The OTLP metrics gRPC service, raw bytes in and out like LOGS_SERVICE. */
export const METRICS_SERVICE: grpc.ServiceDefinition = {
  Export: { ...LOGS_SERVICE.Export!, path: METRICS_EXPORT_PATH },
};

const metricsProtoTypes = () => serviceTypes("metrics");

/** Decodes a protobuf ExportMetricsServiceRequest into the OTLP-JSON-like object shape (enums as names). */
export function decodeExportMetricsRequest(bytes: Uint8Array): unknown {
  const { request } = metricsProtoTypes();
  return request.toObject(request.decode(bytes), { longs: String, enums: String, defaults: false });
}

const TEMPORALITY: Record<string, "delta" | "cumulative"> = {
  "1": "delta",
  "2": "cumulative",
  AGGREGATION_TEMPORALITY_DELTA: "delta",
  AGGREGATION_TEMPORALITY_CUMULATIVE: "cumulative",
};

/** Flattens an ExportMetricsServiceRequest (decoded protobuf or parsed OTLP JSON) into data points. */
export function flattenExportMetricsRequest(request: unknown, transport: OtlpTransport): ReceivedMetricPoint[] {
  if (!isObj(request)) throw new Error("ExportMetricsServiceRequest is not an object");
  const out: ReceivedMetricPoint[] = [];
  const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
  for (const rm of list(field(request, "resourceMetrics"))) {
    if (!isObj(rm)) continue;
    const res = field(rm, "resource");
    const resource = keyValues(isObj(res) ? res.attributes : undefined).values;
    for (const sm of list(field(rm, "scopeMetrics"))) {
      if (!isObj(sm)) continue;
      const scope = field(sm, "scope");
      for (const metric of list(sm.metrics)) {
        if (!isObj(metric)) continue;
        const kind = (["sum", "gauge", "histogram"] as const).find((k) => isObj(metric[k]));
        if (!kind) continue;
        const data = metric[kind] as Obj;
        const temporality = TEMPORALITY[String(field(data, "aggregationTemporality"))];
        for (const dp of list(field(data, "dataPoints"))) {
          if (!isObj(dp)) continue;
          const attrs = keyValues(dp.attributes);
          const point: ReceivedMetricPoint = {
            transport,
            resource: { ...resource },
            scope: isObj(scope) ? optString(scope.name) : undefined,
            name: String(metric.name),
            unit: optString(metric.unit),
            description: optString(metric.description),
            kind,
            temporality,
            isMonotonic: kind === "sum" ? Boolean(field(data, "isMonotonic")) : undefined,
            attributes: attrs.values,
            attributeTypes: attrs.kinds,
            startTimeUnixNano: optString(field(dp, "startTimeUnixNano")),
            timeUnixNano: optString(field(dp, "timeUnixNano")),
          };
          if (kind === "histogram") {
            point.count = num(dp.count) ?? 0;
            point.sum = num(dp.sum);
            point.min = num(dp.min);
            point.max = num(dp.max);
            point.bucketCounts = list(field(dp, "bucketCounts")).map(Number);
            point.explicitBounds = list(field(dp, "explicitBounds")).map(Number);
          } else if (field(dp, "asInt") !== undefined) {
            point.value = Number(field(dp, "asInt"));
            point.valueType = "int";
          } else {
            point.value = num(field(dp, "asDouble")) ?? 0;
            point.valueType = "double";
          }
          for (const k of Object.keys(point) as (keyof ReceivedMetricPoint)[]) if (point[k] === undefined) delete point[k];
          out.push(point);
        }
      }
    }
  }
  return out;
}

/** The metrics side of one receiver: what it received, and how its exports decode. */
function metricsSignal(onExport: () => void): OtlpSignalHandler<ReceivedMetricsExport> & { exports: ReceivedMetricsExport[] } {
  const exports: ReceivedMetricsExport[] = [];
  return {
    exports,
    entry: (transport, headers, raw) => ({ transport, headers, points: [], raw, accepted: false }),
    fill: (entry, payload, transport) => (entry.points = flattenExportMetricsRequest(payload instanceof Uint8Array ? decodeExportMetricsRequest(payload) : payload, transport)),
    response: metricsProtoTypes().response,
    keep(entry) {
      exports.push(entry);
      if (entry.accepted) onExport();
    },
  };
}

// ---- runnable mode -------------------------------------------------------------------------
if (import.meta.main) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const jsonReplacer = (_key: string, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString("base64") : typeof value === "bigint" ? value.toString() : value;
  const receiver = await startOtlpReceiver({
    fail: (arg("fail") as OtlpFailure | undefined) ?? "none",
    delayMs: Number(arg("delay-ms") ?? 0),
    onRecord: (r) => process.stdout.write(`${JSON.stringify(r, jsonReplacer)}\n`),
  });
  process.stdout.write(`${JSON.stringify({ httpUrl: receiver.httpUrl, grpcUrl: receiver.grpcUrl })}\n`);
  const shutdown = () => void receiver.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
