// The `mcp doctor` report: one block per server, failures with their reason and stderr.
import type { IO } from "../../context.ts";
import { authLabel, describeServer, type AuthView } from "../../config/describe.ts";
import type { ProtocolSetting } from "../../config/types.ts";
import { ConnectionError } from "../../errors.ts";
import type { ProbeResult } from "../../mcp/connect-all.ts";
import { redactKnownSecrets } from "../../config/secrets.ts";
import { terminalText } from "../../text/sanitize.ts";
import { paint, printJson } from "../render.ts";
import { statusJson } from "./servers.ts";

export interface DoctorEntry {
  result: ProbeResult;
  auth: AuthView;
}

function stderrOf(result: ProbeResult): string[] {
  if (result.status === "ok") return result.connection.stderrTail();
  if (result.status === "error" && result.error instanceof ConnectionError) return result.error.stderrTail;
  return [];
}

/** `secrets`: known secret values, replaced in error text and stderr (a server may echo a header back). */
export function renderDoctor(io: IO, entries: DoctorEntry[], options: { json: boolean; secrets?: readonly string[] }): void {
  const secrets = options.secrets ?? [];
  if (options.json) return printJson(io, { servers: entries.map((entry) => doctorJson(entry, secrets)) });
  for (const entry of entries) printEntry(io, entry, secrets);
}

function doctorJson({ result, auth }: DoctorEntry, secrets: readonly string[]): Record<string, unknown> {
  const redact = (text: string) => redactKnownSecrets(text, secrets);
  const ok = result.status === "ok" ? result.connection : undefined;
  return {
    name: result.server.name,
    transport: result.server.transport,
    ...statusJson(result, secrets),
    reachable: result.status === "ok",
    via: ok?.via,
    protocol_version: ok?.protocolVersion,
    protocol: (result.server.protocol ?? "auto"),
    server_info: ok?.serverInfo ? { name: ok.serverInfo.name, version: ok.serverInfo.version } : undefined,
    auth,
    hint: result.status === "error" && result.error.hint ? redact(result.error.hint) : undefined,
    stderr: stderrOf(result).slice(-20).map(redact),
  };
}

/** Era probes (issue 21 item 7): a pinned era says so; a probed one is the default and says nothing. */
function pinNote(protocol: ProtocolSetting): string {
  return protocol === "auto" ? "" : ` (pinned: protocol = "${protocol}")`;
}

function printEntry(io: IO, { result, auth }: DoctorEntry, secrets: readonly string[]): void {
  const state = result.status === "ok" ? paint(io, "green", "ok") : result.status === "error" ? paint(io, "red", "error") : paint(io, "dim", "disabled");
  io.stdout.write(`${paint(io, "bold", result.server.name)}  ${state}\n`);
  // Values quote the server (serverInfo, errors, stderr): control characters made visible.
  const line = (key: string, value: string) => io.stdout.write(`  ${paint(io, "dim", (key + ":").padEnd(10))} ${terminalText(redactKnownSecrets(value, secrets))}\n`);
  line("transport", describeServer(result.server).transport);
  if (result.status === "ok") {
    const c = result.connection;
    line("reachable", `yes, via ${c.via}${c.pid ? ` (pid ${c.pid})` : ""}`);
    line("server", c.serverInfo ? `${c.serverInfo.name} ${c.serverInfo.version}` : "(no serverInfo)");
    line("protocol", `${c.protocolVersion ?? "unknown"}${pinNote((result.server.protocol ?? "auto"))}`);
    line("tools", String(c.tools.length));
    line("latency", `${Math.round(c.latencyMs)}ms`);
  } else if (result.status === "error") {
    line("reachable", "no");
    if ((result.server.protocol ?? "auto") !== "auto") line("protocol", `${(result.server.protocol ?? "auto")}${pinNote((result.server.protocol ?? "auto"))}`);
    line("reason", result.error.message);
    if (result.error.hint) line("hint", result.error.hint);
    line("latency", `${Math.round(result.latencyMs)}ms`);
  }
  line("auth", authLabel(auth));
  const stderr = stderrOf(result);
  if (result.status === "error" && stderr.length > 0) {
    io.stdout.write(`  ${paint(io, "dim", "stderr:")}\n`);
    for (const text of stderr.slice(-20)) io.stdout.write(`    ${terminalText(redactKnownSecrets(text, secrets))}\n`);
  }
}
