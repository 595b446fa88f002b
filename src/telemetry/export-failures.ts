// Export failures as the operator sees them: one warning line per run, every failure with
// TETHER_DEBUG=1. OpenTelemetry only reports them to its `diag` logger and global error handler
// (and sdk-logs carries its own copy of @opentelemetry/core, so setting that handler from here would
// not reach it), so the exporter is wrapped and its result callback read instead.

/** The exporter's ExportResult, structurally (ExportResultCode.SUCCESS is 0). */
interface ExportResultLike {
  code: number;
  error?: Error;
}

export interface ExportFailureReporterOptions {
  /** Where the records go, named in the warning (never a header value). */
  destination: string;
  warn(message: string): void;
  debug: boolean;
}

export class ExportFailureReporter {
  private warned = false;

  constructor(private readonly options: ExportFailureReporterOptions) {}

  /** Records that could not be exported; the command goes on regardless. */
  failed(count: number | undefined, error: unknown): void {
    const { destination, debug } = this.options;
    if (debug) {
      const detail = error instanceof Error && error.stack ? `\n${error.stack}` : "";
      const what = count === undefined ? "telemetry shutdown failed" : `telemetry: ${count} record(s) not exported`;
      this.options.warn(`${what} (${destination}): ${describe(error)}${detail}`);
      return;
    }
    this.warnOnce(`telemetry: could not export to ${destination}: ${describe(error)} (records dropped; TETHER_DEBUG=1 for details)`);
  }

  /** The flush at exit ran out of time; what was still pending is dropped. */
  timedOut(limitMs: number): void {
    this.warnOnce(`telemetry: export to ${this.options.destination} did not finish within ${limitMs / 1000}s at exit; pending records dropped`);
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.options.warn(message);
  }
}

/** Keeps the warning one readable line: gRPC's messages append resolver and LB diagnostics. */
const MAX_REASON_CHARS = 160;

/** First line of the error, e.g. `connect ECONNREFUSED 127.0.0.1:4318` or `14 UNAVAILABLE: …`. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : error === undefined ? "export failed" : String(error);
  const line = message.split("\n", 1)[0]!.trim() || "export failed";
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}

/** The exporters wrapped here (log records, spans), structurally. */
interface ItemExporter<T> {
  export(items: T[], done: (result: ExportResultLike) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** Passes every export through, telling `reporter` about each failed one. */
export function reportingExporter<T>(inner: ItemExporter<T>, reporter: ExportFailureReporter): ItemExporter<T> & { forceFlush(): Promise<void> } {
  return {
    export(records: T[], done: (result: ExportResultLike) => void) {
      try {
        inner.export(records, (result: ExportResultLike) => {
          if (result.code !== 0) reporter.failed(records.length, result.error);
          done(result);
        });
      } catch (error) {
        reporter.failed(records.length, error);
        done({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
      }
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
