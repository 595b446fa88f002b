// Telemetry for sampling: one `tether.sampling` record per sampling/createMessage a server sent,
// answered or not, with the same metadata and secret scrubbing as `tether exec`'s records
// (./agent-telemetry.ts). The model is the run's (the shared `model` attribute); the prompt's text
// is left out unless `log_user_prompt` allows it.
import type { TetherConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { REDACTED } from "./agent-events.ts";
import { NOOP_TELEMETRY_SINK, startTelemetry } from "./index.ts";
import { knownSecrets, runMetadata } from "./run-metadata.ts";

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
export async function startSamplingTelemetry(
  ctx: Pick<Context, "env" | "version" | "debug" | "now" | "atExit">,
  config: TetherConfig,
  warn?: (message: string) => void,
): Promise<SamplingTelemetry> {
  const telemetry = await startTelemetry({
    otel: config.otel,
    version: ctx.version,
    env: ctx.env,
    warn,
    debug: ctx.debug,
    records: {
      metadata: runMetadata({ conversationId: crypto.randomUUID(), version: ctx.version, env: ctx.env, config }),
      secrets: knownSecrets(ctx.env, config),
    },
  });
  if (telemetry === NOOP_TELEMETRY_SINK) return () => {};
  ctx.atExit(() => telemetry.shutdown());
  return samplingRecorder((name, attributes) => telemetry.emit(name, attributes, ctx.now()), config.otel.logUserPrompt);
}

/** Sampling records as `tether.sampling` events on `emit`. */
export function samplingRecorder(emit: (name: string, attributes: Record<string, string | number>) => void, logUserPrompt: boolean): SamplingTelemetry {
  return (r) => {
    const attributes: Record<string, string | number> = {
      "mcp.server": r.server,
      decision: r.decision,
      max_tokens: r.maxTokens,
      prompt: logUserPrompt ? r.prompt : REDACTED,
    };
    if (r.inputTokens !== undefined) attributes.input_token_count = r.inputTokens;
    if (r.outputTokens !== undefined) attributes.output_token_count = r.outputTokens;
    if (r.durationMs !== undefined) attributes.duration_ms = Math.max(0, Math.round(r.durationMs));
    if (r.error !== undefined) attributes["error.message"] = r.error;
    emit("tether.sampling", attributes);
  };
}
