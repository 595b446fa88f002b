// The OpenTelemetry adapter: a LoggerProvider whose BatchLogRecordProcessor feeds one OTLP
// exporter. Loaded only when an exporter is configured and the build has telemetry (./index.ts).
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import type { ExporterSettings } from "./exporter-settings.ts";
import { createLogExporter } from "./exporters.ts";
import { ExportFailureReporter, reportingExporter } from "./export-failures.ts";
import type { TelemetrySink } from "./sink.ts";

export const SERVICE_NAME = "tether-cli";
/** Instrumentation scope of every record. */
const LOGGER_NAME = "tether";
/**
 * The exit flush gives up after this; main's cleanup bound is 2 s (SPEC §7), and the warning
 * must still be written before it.
 */
export const SHUTDOWN_LIMIT_MS = 1_700;
const SEVERITY_INFO = 9;

/** What the sink needs; plain data, so it can cross to the telemetry worker. */
export interface OtelSinkSettings {
  exporter: ExporterSettings;
  version: string;
  /** `[otel] environment`, the resource's `env`. */
  environment: string;
  debug: boolean;
}

export interface OtelSinkOptions extends OtelSinkSettings {
  warn(message: string): void;
}

export async function startOtelSink(options: OtelSinkOptions): Promise<TelemetrySink> {
  const reporter = new ExportFailureReporter({
    destination: destination(options.exporter),
    warn: options.warn,
    debug: options.debug,
  });
  const exporter = reportingExporter(await createLogExporter(options.exporter), reporter);
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      "service.name": SERVICE_NAME,
      "service.version": options.version,
      env: options.environment,
    }),
    processors: [
      new BatchLogRecordProcessor({
        exporter,
        // A long exec emits thousands of records between exports; the default 2048 would drop some.
        maxQueueSize: 16_384,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 1_000,
        exportTimeoutMillis: SHUTDOWN_LIMIT_MS,
      }),
    ],
  });
  const logger = provider.getLogger(LOGGER_NAME, options.version);
  let shutdown: Promise<void> | undefined;
  return {
    emit(name, attributes, timestampMs) {
      logger.emit({ eventName: name, timestamp: timestampMs, severityNumber: SEVERITY_INFO, severityText: "INFO", attributes });
    },
    shutdown() {
      shutdown ??= boundedShutdown(provider, reporter);
      return shutdown;
    },
  };
}

/** provider.shutdown() takes no timeout and waits for a stuck export: race it. */
async function boundedShutdown(provider: LoggerProvider, reporter: ExportFailureReporter): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), SHUTDOWN_LIMIT_MS);
  });
  const done = provider.shutdown().then(
    () => "done" as const,
    (error: unknown) => {
      reporter.failed(undefined, error);
      return "done" as const;
    },
  );
  const outcome = await Promise.race([done, limit]);
  clearTimeout(timer);
  if (outcome === "timeout") reporter.timedOut(SHUTDOWN_LIMIT_MS);
}

/** Scheme, host and path: safe to print (headers carry the secrets, never the URL we show). */
function destination(exporter: ExporterSettings): string {
  const url = new URL(exporter.url);
  url.username = "";
  url.password = "";
  url.search = "";
  return url.href.replace(/\/$/, "");
}
