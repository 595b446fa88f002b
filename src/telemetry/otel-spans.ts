// Traces (issue 23), the worker's side: the main thread's span tuples (./traces.ts) become the
// SDK's ReadableSpan and go to one OTLP trace exporter, through the same one-export-at-a-time queue,
// failure reporting and bounded exit flush as log records (./otel.ts). No TracerProvider: the spans
// are already ended, batched and sampled when they arrive; a provider would only add a second
// batcher and per-attribute validation.
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { ExportFailureReporter, reportingExporter } from "./export-failures.ts";
import type { ExporterSettings } from "./exporter-settings.ts";
import { createTraceExporter } from "./exporters.ts";
import { boundedFlush, destination, ExportQueue, hrTime, telemetryResource, type OtelSinkSettings } from "./otel.ts";
import { scrub } from "./run-records.ts";
import type { QueuedSpan } from "./traces.ts";

/** Instrumentation scope of every span. */
const TRACER_NAME = "tether";
const TRACE_FLAGS_SAMPLED = 1;

export interface SpanExportOptions extends Omit<OtelSinkSettings, "exporter"> {
  exporter: ExporterSettings;
  /** Replaced by `[REDACTED]` in every string attribute and status message (./run-metadata.ts knownSecrets). */
  secrets: readonly string[];
  warn(message: string): void;
}

export interface SpanExport {
  add(spans: QueuedSpan[]): void;
  shutdown(): Promise<void>;
}

export async function startSpanExport(options: SpanExportOptions): Promise<SpanExport> {
  const reporter = new ExportFailureReporter({ destination: destination(options.exporter), warn: options.warn, debug: options.debug });
  const queue = new ExportQueue<ReadableSpan>(reportingExporter(await createTraceExporter(options.exporter), reporter));
  const resource = telemetryResource(options);
  const instrumentationScope = { name: TRACER_NAME, version: options.version };
  const { secrets } = options;
  const clean = (value: string) => (secrets.length > 0 ? scrub(value, secrets) : value);
  let shutdown: Promise<void> | undefined;
  return {
    add(spans) {
      if (shutdown) return;
      for (const [name, kind, traceId, spanId, parentSpanId, parentIsRemote, startMs, endMs, status, statusMessage, attributes, traceState] of spans) {
        if (secrets.length > 0) for (const key in attributes) if (typeof attributes[key] === "string") attributes[key] = clean(attributes[key] as string);
        const state = traceState ? { serialize: () => traceState } : undefined;
        const context = { traceId, spanId, traceFlags: TRACE_FLAGS_SAMPLED, traceState: state as never };
        queue.add({
          name,
          kind,
          spanContext: () => context,
          parentSpanContext: parentSpanId ? { traceId, spanId: parentSpanId, traceFlags: TRACE_FLAGS_SAMPLED, isRemote: parentIsRemote } : undefined,
          startTime: hrTime(startMs),
          endTime: hrTime(Math.max(endMs, startMs)),
          duration: hrTime(Math.max(0, endMs - startMs)),
          status: statusMessage === undefined ? { code: status } : { code: status, message: clean(statusMessage) },
          attributes,
          links: [],
          events: [],
          ended: true,
          resource,
          instrumentationScope,
          droppedAttributesCount: 0,
          droppedEventsCount: 0,
          droppedLinksCount: 0,
        });
      }
    },
    shutdown() {
      shutdown ??= boundedFlush(queue, reporter);
      return shutdown;
    },
  };
}
