// How the keep-alive daemon's start, status, stop and log look.
import type { IO } from "../../context.ts";
import type { DaemonReport } from "../../daemon/lifecycle.ts";
import type { ServerState } from "../../daemon/pool.ts";
import { terminalText } from "../../text/sanitize.ts";
import { note, printDetails, printJson, printTable } from "../render.ts";

export function renderDaemonStarted(io: IO, report: DaemonReport & { started: boolean }, options: { json: boolean }): void {
  if (options.json) return printJson(io, { started: report.started, pid: report.status?.pid, socket: report.socket, config: report.config, log: report.log });
  const pid = report.status?.pid;
  io.stdout.write(report.started ? `started keep-alive daemon ${pid} for ${report.config}\n` : `keep-alive daemon ${pid} already runs for ${report.config}\n`);
}

export function renderDaemonStatus(io: IO, report: DaemonReport, options: { json: boolean; now: number }): void {
  const status = report.status;
  if (options.json) {
    return printJson(io, {
      running: status !== undefined,
      config: report.config,
      socket: report.socket,
      log: report.log,
      ...(status && {
        pid: status.pid,
        version: status.version,
        started_at: new Date(status.startedAt).toISOString(),
        idle_sec: status.idleSec,
        last_activity_at: new Date(status.lastActivityAt).toISOString(),
        clients: status.clients,
        servers: status.servers.map((s) => ({
          name: s.name,
          transport: s.transport,
          state: s.state,
          pid: s.pid ?? null,
          calls: s.calls,
          restarts: s.restarts,
          last_used_at: s.lastUsedAt === undefined ? null : new Date(s.lastUsedAt).toISOString(),
        })),
      }),
    });
  }
  if (!status) return note(io, `no keep-alive daemon runs for ${report.config}`);
  printDetails(io, `keep-alive daemon ${status.pid}`, [
    ["config", report.config],
    ["socket", report.socket],
    ["log", report.log],
    ["version", status.version],
    ["up", duration((options.now - status.startedAt) / 1000)],
    ["idle", `${duration((options.now - status.lastActivityAt) / 1000)} (exits after ${duration(status.idleSec)} without use)`],
  ]);
  if (status.servers.length === 0) return note(io, "no servers kept yet");
  io.stdout.write("\n");
  printTable<ServerState>(
    io,
    [
      { header: "SERVER", value: (s) => s.name },
      { header: "STATE", value: (s) => s.state, style: (v) => (v === "running" ? "green" : v === "stopped" ? "dim" : "yellow") },
      { header: "TRANSPORT", value: (s) => s.transport },
      { header: "PID", value: (s) => (s.pid === undefined ? "-" : String(s.pid)) },
      { header: "CALLS", value: (s) => String(s.calls) },
      { header: "RESTARTS", value: (s) => String(s.restarts) },
      { header: "LAST USED", value: (s) => (s.lastUsedAt === undefined ? "-" : `${duration((options.now - s.lastUsedAt) / 1000)} ago`) },
    ],
    status.servers,
  );
}

export function renderDaemonStopped(io: IO, result: { config: string; pid?: number }, options: { json: boolean }): void {
  if (options.json) return printJson(io, { stopped: result.pid !== undefined, pid: result.pid ?? null, config: result.config });
  if (result.pid === undefined) return note(io, `no keep-alive daemon was running for ${result.config}`);
  io.stdout.write(`stopped keep-alive daemon ${result.pid}\n`);
}

export function renderDaemonLog(io: IO, log: { path: string; lines?: string[] }): void {
  if (!log.lines) return note(io, `no keep-alive daemon log yet (${log.path})`);
  // The log holds what servers printed: made terminal-safe like any server text.
  io.stdout.write(log.lines.map((line) => terminalText(line) + "\n").join(""));
}

/** 42s, 5m, 3h12m. */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
