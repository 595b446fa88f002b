// Telemetry for one `tether exec` run: starts the configured sink, registers its flush at exit, and
// returns the observer that turns the agent's events into records (none when telemetry is off).
import type { AgentObserver } from "../agent/events.ts";
import type { TetherConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { telemetryObserver } from "./agent-events.ts";
import { NOOP_TELEMETRY_SINK, startTelemetry } from "./index.ts";
import { knownSecrets, runMetadata } from "./run-metadata.ts";
import { runRecordSink } from "./run-records.ts";

export interface AgentTelemetryOptions {
  /** `--model`, when given. */
  model?: string;
  /** One warning line for the user (an export failure), without the `warning:` prefix. */
  warn?: (message: string) => void;
}

/**
 * Throws ConfigError (exit 2) for a bad `[otel]` endpoint or an unset `${VAR}` in its headers.
 * With `exporter = "none"` nothing loads and there is no observer.
 */
export async function startAgentTelemetry(
  ctx: Pick<Context, "env" | "version" | "debug" | "now" | "atExit">,
  config: TetherConfig,
  options: AgentTelemetryOptions = {},
): Promise<AgentObserver | undefined> {
  const telemetry = await startTelemetry({
    otel: config.otel,
    version: ctx.version,
    env: ctx.env,
    warn: options.warn,
    debug: ctx.debug,
  });
  if (telemetry === NOOP_TELEMETRY_SINK) return undefined;
  // main runs every atExit cleanup on every path (done, error, Ctrl-C) within 2 s.
  ctx.atExit(() => telemetry.shutdown());
  const records = runRecordSink(telemetry, {
    metadata: runMetadata({ conversationId: crypto.randomUUID(), version: ctx.version, env: ctx.env, config, model: options.model }),
    secrets: knownSecrets(ctx.env, config),
    now: () => ctx.now(),
  });
  return telemetryObserver(records, { logUserPrompt: config.otel.logUserPrompt });
}
