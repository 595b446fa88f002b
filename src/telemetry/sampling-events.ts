// Telemetry for sampling: one `tether.sampling` record per sampling/createMessage a server sent,
// answered or not, with the same metadata and secret scrubbing as `tether exec`'s records
// (./run-telemetry.ts). The model is the run's (the shared `model` attribute); the prompt's text
// is left out unless `log_user_prompt` allows it.
import type { TetherConfig } from "../config/types.ts";
import { ms, REDACTED } from "./agent-events.ts";
import { type RunTelemetry, type RunTelemetryContext, startRunTelemetry } from "./run-telemetry.ts";
import type { MetricsRecorder } from "./metrics.ts";
import { genAi, type ModelAttributes, recordTokens } from "./metrics-observers.ts";

export interface SamplingRecord {
  server: string;
  /** What became of the request: `auto` / `approved` answered it; `off` / `denied` / `no_terminal` declined it. */
  decision: "auto" | "approved" | "off" | "denied" | "no_terminal";
  maxTokens: number;
  inputTokens?: number;
  outputTokens?: number;
  durationMs?: number;
  error?: string;
  /** The request's messages as text; exported only with `log_user_prompt = true`. */
  prompt: string;
}

export type SamplingTelemetry = (record: SamplingRecord) => void;

/**
 * The sampling telemetry of a run with no agent (`mcp call|read|prompt`): its own sink, started at
 * the first request. `tether exec` records through its own sink instead (samplingRecorder over the
 * agent's telemetry), so the records share the run's conversation.id.
 */
export async function startSamplingTelemetry(ctx: RunTelemetryContext, config: TetherConfig, warn?: (message: string) => void): Promise<SamplingTelemetry> {
  const run = await startRunTelemetry(ctx, config, { warn });
  return run ? samplingRecorder(run, config.otel.logUserPrompt, { model: config.model, provider: config.modelProvider }) : () => {};
}

/** Sampling records as `tether.sampling` events, and (issue 23) as model metrics. */
export function samplingRecorder(run: RunTelemetry, logUserPrompt: boolean, model: ModelAttributes): SamplingTelemetry {
  const { emit } = run;
  const measure = run.metrics && samplingMetrics(run.metrics, model);
  return (r) => {
    measure?.(r);
    if (!emit) return;
    const attributes: Record<string, string | number> = {
      "mcp.server": r.server,
      decision: r.decision,
      max_tokens: r.maxTokens,
      prompt: logUserPrompt ? r.prompt : REDACTED,
    };
    if (r.inputTokens !== undefined) attributes.input_token_count = r.inputTokens;
    if (r.outputTokens !== undefined) attributes.output_token_count = r.outputTokens;
    if (r.durationMs !== undefined) attributes.duration_ms = ms(r.durationMs);
    if (r.error !== undefined) attributes["error.message"] = r.error;
    emit("tether.sampling", attributes);
  };
}

/** Sampling: the model requests tether made for a server (answered ones only). */
export function samplingMetrics(metrics: MetricsRecorder, model: ModelAttributes): (record: SamplingRecord) => void {
  return (r) => {
    if (r.durationMs === undefined) return;
    metrics.record("modelDuration", r.durationMs / 1000, { ...genAi(model), ...(r.error !== undefined && { "error.type": "_OTHER" }) });
    recordTokens(metrics, model, r.inputTokens, r.outputTokens);
  };
}
