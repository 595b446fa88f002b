// Telemetry for one `tether exec` run: starts the configured sink, registers its flush at exit, and
// returns the observer that turns the agent's events into records (none when telemetry is off).
import type { AgentObserver } from "../agent/events.ts";
import type { TetherConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { telemetryObserver } from "./agent-events.ts";
import { NOOP_TELEMETRY_SINK, startTelemetry } from "./index.ts";
import { knownSecrets, runMetadata } from "./run-metadata.ts";
import { type SamplingTelemetry, samplingRecorder } from "./sampling-events.ts";
import type { TelemetrySink } from "./sink.ts";

export interface AgentTelemetryOptions {
  /** `--model`, when given. */
  model?: string;
  /** One warning line for the user (an export failure), without the `warning:` prefix. */
  warn?: (message: string) => void;
}

export interface AgentTelemetry {
  /** Turns the agent's events into records. */
  observer: AgentObserver;
  /** Records the run's sampling requests on the same sink (one conversation.id). */
  sampling: SamplingTelemetry;
}

/**
 * Throws ConfigError (exit 2) for a bad `[otel]` endpoint or an unset `${VAR}` in its headers.
 * With `exporter = "none"` nothing loads and there is no telemetry.
 */
export async function startAgentTelemetry(
  ctx: Pick<Context, "env" | "version" | "debug" | "now" | "atExit">,
  config: TetherConfig,
  options: AgentTelemetryOptions = {},
): Promise<AgentTelemetry | undefined> {
  const telemetry = await startTelemetry({
    otel: config.otel,
    version: ctx.version,
    env: ctx.env,
    warn: options.warn,
    debug: ctx.debug,
    records: {
      metadata: runMetadata({ conversationId: crypto.randomUUID(), version: ctx.version, env: ctx.env, config, model: options.model }),
      secrets: knownSecrets(ctx.env, config),
    },
  });
  if (telemetry === NOOP_TELEMETRY_SINK) return undefined;
  // runCli runs every atExit cleanup on every path (done, error, Ctrl-C) within the exit budget (./exit-budget.ts).
  ctx.atExit(() => telemetry.shutdown());
  // The agent's thread only stamps the time and queues the record; the worker completes it.
  const stamped: TelemetrySink = { emit: (name, attributes) => telemetry.emit(name, attributes, ctx.now()), shutdown: () => telemetry.shutdown() };
  return {
    observer: telemetryObserver(stamped, { logUserPrompt: config.otel.logUserPrompt }),
    sampling: samplingRecorder((name, attributes) => stamped.emit(name, attributes), config.otel.logUserPrompt),
  };
}
