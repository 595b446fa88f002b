// Completes each record of one run before it leaves: `event.name`, `event.timestamp` and the run's
// shared metadata (SPEC §7), and every known secret replaced by `[REDACTED]` in string attributes.
import { REDACTED } from "./agent-events.ts";
import type { TelemetrySink } from "./sink.ts";
import type { RunMetadata } from "./run-metadata.ts";

export interface RunRecordOptions {
  metadata: RunMetadata;
  /** From knownSecrets(), longest first. */
  secrets: readonly string[];
  now(): number;
}

/** A TelemetrySink that adds the run's metadata and scrubs secrets, then passes records to `inner`. */
export function runRecordSink(inner: TelemetrySink, options: RunRecordOptions): TelemetrySink {
  const shared = sharedAttributes(options.metadata);
  const { secrets } = options;
  return {
    emit(name, attributes, timestampMs, trace) {
      // Stamped where the event happened (the main thread), completed wherever this runs.
      const timestamp = timestampMs ?? options.now();
      const record: Record<string, string | number | boolean> = { "event.name": name, "event.timestamp": new Date(timestamp).toISOString(), ...shared };
      for (const key in attributes) {
        const value = attributes[key]!;
        record[key] = typeof value === "string" && secrets.length > 0 ? scrub(value, secrets) : value;
      }
      inner.emit(name, record, timestamp, trace);
    },
    shutdown: () => inner.shutdown(),
  };
}

function sharedAttributes(metadata: RunMetadata): Record<string, string> {
  const shared: Record<string, string> = {
    "conversation.id": metadata.conversationId,
    "app.version": metadata.appVersion,
    "terminal.type": metadata.terminalType,
  };
  if (metadata.model !== undefined) shared.model = metadata.model;
  if (metadata.slug !== undefined) shared.slug = metadata.slug;
  if (metadata.authMode !== undefined) shared.auth_mode = metadata.authMode;
  if (metadata.accountId !== undefined) shared["user.account_id"] = metadata.accountId;
  return shared;
}

export function scrub(value: string, secrets: readonly string[]): string {
  let out = value;
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}
