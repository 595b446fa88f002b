// The run's metrics (issue 23): what tether measures, and where the measurements add up.
//
// Measurements are aggregated here, on the thread where they happen, in plain counters and
// histogram buckets: recording one is a Map lookup and a few additions, with no OpenTelemetry
// loaded. What crosses to the telemetry worker is a snapshot of the totals (a few hundred bytes),
// at exit and every `metrics_export_interval_sec`; the worker turns it into OTLP
// (./metrics-export.ts). Temporality is cumulative from the run's start, as the SDK's default:
// a snapshot lost to a failed export is made up by the next.
//
// Names follow OpenTelemetry's semantic conventions where they exist (gen_ai.*, mcp.*), with
// their units (seconds, {token}) and advised bucket boundaries; tether.* for the rest. Attribute
// values are names from config and from the servers' tool lists, methods and outcomes: never a
// message, an argument or a header (no secret, bounded cardinality).
import type { TelemetryAttributes } from "./attributes.ts";

export interface InstrumentSpec {
  name: string;
  kind: "counter" | "histogram";
  unit: string;
  description: string;
  /** Histograms: explicit bucket upper bounds. */
  boundaries?: readonly number[];
}

/** The semantic conventions' advice for gen_ai.client.operation.duration (seconds). */
const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** The semantic conventions' advice for gen_ai.client.token.usage. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** The semantic conventions' advice for mcp.client.operation.duration (seconds); tool calls alike. */
const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

export const INSTRUMENTS = {
  toolCalls: {
    name: "tether.tool.calls",
    kind: "counter",
    unit: "{call}",
    description: "Tool calls asked for (by the model in exec, by clients through serve), by server, tool and outcome",
  },
  toolDuration: {
    name: "tether.tool.duration",
    kind: "histogram",
    unit: "s",
    description: "Duration of the tool calls that ran, by server, tool and outcome",
    boundaries: MCP_DURATION_BUCKETS,
  },
  mcpDuration: {
    name: "mcp.client.operation.duration",
    kind: "histogram",
    unit: "s",
    description: "Duration of MCP requests tether sent, by method and server",
    boundaries: MCP_DURATION_BUCKETS,
  },
  modelDuration: {
    name: "gen_ai.client.operation.duration",
    kind: "histogram",
    unit: "s",
    description: "Duration of model requests (each HTTP attempt, its stream included)",
    boundaries: GEN_AI_DURATION_BUCKETS,
  },
  tokenUsage: {
    name: "gen_ai.client.token.usage",
    kind: "histogram",
    unit: "{token}",
    description: "Tokens per model response, by token type (input, output)",
    boundaries: TOKEN_BUCKETS,
  },
} as const satisfies Record<string, InstrumentSpec>;

export type InstrumentKey = keyof typeof INSTRUMENTS;

/** Where measurements go; a no-op when metrics are off. */
export interface MetricsRecorder {
  record(instrument: InstrumentKey, value: number, attributes: TelemetryAttributes): void;
}

/** One time series' totals: a counter's sum, or a histogram's buckets. */
export interface SeriesTotals {
  attributes: TelemetryAttributes;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Histograms: one count per bucket, `boundaries.length + 1` of them. */
  bucketCounts?: number[];
}

/** The totals since `startMs`, as they stand at `endMs`: plain data, posted to the worker. */
export interface MetricsSnapshot {
  startMs: number;
  endMs: number;
  metrics: { instrument: InstrumentKey; series: SeriesTotals[] }[];
}

/** Counters and histograms of one run, keyed by instrument and attribute set. */
export class MetricsAggregator implements MetricsRecorder {
  private readonly series = new Map<InstrumentKey, Map<string, SeriesTotals>>();
  private changes = 0;

  constructor(private readonly startMs: number) {}

  record(instrument: InstrumentKey, value: number, attributes: TelemetryAttributes): void {
    if (!Number.isFinite(value) || value < 0) return;
    let byAttributes = this.series.get(instrument);
    if (!byAttributes) this.series.set(instrument, (byAttributes = new Map()));
    const key = seriesKey(attributes);
    let totals = byAttributes.get(key);
    const boundaries: readonly number[] | undefined = (INSTRUMENTS[instrument] as InstrumentSpec).boundaries;
    if (!totals) {
      totals = { attributes, count: 0, sum: 0, min: value, max: value, ...(boundaries && { bucketCounts: new Array<number>(boundaries.length + 1).fill(0) }) };
      byAttributes.set(key, totals);
    }
    totals.count += 1;
    totals.sum += value;
    if (value < totals.min) totals.min = value;
    if (value > totals.max) totals.max = value;
    if (boundaries && totals.bucketCounts) totals.bucketCounts[bucketIndex(boundaries, value)]! += 1;
    this.changes += 1;
  }

  /** Nothing was ever recorded: there is nothing to export. */
  get empty(): boolean {
    return this.changes === 0;
  }

  snapshot(endMs: number): MetricsSnapshot {
    const metrics: MetricsSnapshot["metrics"] = [];
    for (const [instrument, byAttributes] of this.series) {
      metrics.push({ instrument, series: [...byAttributes.values()].map((s) => ({ ...s, ...(s.bucketCounts && { bucketCounts: [...s.bucketCounts] }) })) });
    }
    return { startMs: this.startMs, endMs, metrics };
  }
}

/** Buckets are upper-inclusive (OTLP, OpenMetrics): the first bound >= value, else the overflow bucket. */
export function bucketIndex(boundaries: readonly number[], value: number): number {
  for (let i = 0; i < boundaries.length; i++) if (value <= boundaries[i]!) return i;
  return boundaries.length;
}

/** The same attributes in any key order make one series. */
function seriesKey(attributes: TelemetryAttributes): string {
  const keys = Object.keys(attributes).sort();
  let key = "";
  for (const k of keys) key += `${k}\u0000${String(attributes[k])}\u0001`;
  return key;
}

export const NOOP_METRICS: MetricsRecorder = { record() {} };
