// The OTLP log exporter for resolved settings. Each kind loads only its own package: gRPC
// (@grpc/grpc-js) is the heaviest and HTTP users never pay for it.
//
// Every option is passed explicitly, so OTEL_EXPORTER_OTLP_{ENDPOINT,TIMEOUT,COMPRESSION,INSECURE,…}
// in the environment cannot redirect or slow tether's export. (The exporters still merge
// OTEL_EXPORTER_OTLP_HEADERS under the configured headers, as every OTLP exporter does.)
import type { LogRecordExporter } from "@opentelemetry/sdk-logs";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { EXPORT_LIMIT_MS } from "./exit-budget.ts";
import type { ExporterSettings } from "./exporter-settings.ts";

export async function createLogExporter(settings: ExporterSettings): Promise<LogRecordExporter> {
  const common = { timeoutMillis: EXPORT_LIMIT_MS, compression: "none" as never };
  if (settings.kind === "otlp-grpc") {
    const [{ OTLPLogExporter }, grpc] = await Promise.all([
      import("@opentelemetry/exporter-logs-otlp-grpc"),
      import("@grpc/grpc-js"),
    ]);
    // The gRPC exporter has no `headers` option: headers travel as call metadata.
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(settings.headers)) metadata.set(key.toLowerCase(), value);
    const credentials = settings.secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    return new OTLPLogExporter({ ...common, url: settings.url, metadata, credentials });
  }
  const { OTLPLogExporter } =
    settings.protocol === "json"
      ? await import("@opentelemetry/exporter-logs-otlp-http")
      : await import("@opentelemetry/exporter-logs-otlp-proto");
  return new OTLPLogExporter({ ...common, url: settings.url, headers: { ...settings.headers } });
}

// Traces (issue 23): the OTLP span exporter for `[otel] trace_exporter`, built the same way.
export async function createTraceExporter(settings: ExporterSettings): Promise<SpanExporter> {
  const common = { timeoutMillis: EXPORT_LIMIT_MS, compression: "none" as never };
  if (settings.kind === "otlp-grpc") {
    const [{ OTLPTraceExporter }, grpc] = await Promise.all([import("@opentelemetry/exporter-trace-otlp-grpc"), import("@grpc/grpc-js")]);
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(settings.headers)) metadata.set(key.toLowerCase(), value);
    const credentials = settings.secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    return new OTLPTraceExporter({ ...common, url: settings.url, metadata, credentials });
  }
  const { OTLPTraceExporter } =
    settings.protocol === "json" ? await import("@opentelemetry/exporter-trace-otlp-http") : await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter({ ...common, url: settings.url, headers: { ...settings.headers } });
}
