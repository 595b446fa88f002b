// Telemetry for one `tether exec` run: the observer that turns the agent's events into records,
// and the recorder of the run's sampling requests (none when telemetry is off).
import { type AgentObserver, fanOut } from "../agent/events.ts";
import type { TetherConfig } from "../config/types.ts";
import { telemetryObserver } from "./agent-events.ts";
import { type RunTelemetryContext, type RunTelemetryOptions, startRunTelemetry } from "./run-telemetry.ts";
import { type SamplingTelemetry, samplingRecorder } from "./sampling-events.ts";
import { agentMetricsObserver } from "./metrics-observers.ts";

export type AgentTelemetryOptions = RunTelemetryOptions;

export interface AgentTelemetry {
  /** Turns the agent's events into records. */
  observer: AgentObserver;
  /** Records the run's sampling requests on the same sink (one conversation.id). */
  sampling: SamplingTelemetry;
}

/**
 * Throws ConfigError (exit 2) for a bad `[otel]` endpoint or an unset `${VAR}` in its headers.
 * With `exporter` and `metrics_exporter` both "none", nothing loads and there is no telemetry.
 */
export async function startAgentTelemetry(ctx: RunTelemetryContext, config: TetherConfig, options: AgentTelemetryOptions = {}): Promise<AgentTelemetry | undefined> {
  const run = await startRunTelemetry(ctx, config, options);
  if (!run) return undefined;
  const { emit, metrics } = run;
  // Metrics (issue 23): the same events, measured.
  const model = { model: options.model ?? config.model, provider: config.modelProvider };
  return {
    observer: fanOut(emit && telemetryObserver({ emit }, { logUserPrompt: config.otel.logUserPrompt }), metrics && agentMetricsObserver(metrics, model)),
    sampling: samplingRecorder(run, config.otel.logUserPrompt, model),
  };
}
