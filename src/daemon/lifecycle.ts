// What `tether mcp daemon start | status | stop | logs | run` do, as data for the views.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Context } from "../context.ts";
import { daemonStatus, ensureDaemon, stopDaemon } from "./client.ts";
import { daemonFiles } from "./paths.ts";
import type { CommandRunner } from "./host.ts";
import type { DaemonStatus } from "./status.ts";
import { DEFAULT_KEEP_ALIVE_IDLE_SEC } from "../config/types.ts";

/** `logs` reads at most this much of the end of the log file. */
export const MAX_LOG_READ_BYTES = 256 * 1024;
export const DEFAULT_LOG_LINES = 100;

export interface DaemonReport {
  config: string;
  socket: string;
  log: string;
  status?: DaemonStatus;
}

export async function startDaemon(ctx: Context): Promise<DaemonReport & { started: boolean }> {
  const files = daemonFiles(ctx);
  const { client, status, started } = await ensureDaemon(ctx);
  client.close();
  return { config: ctx.paths.config, socket: files.socket, log: files.log, status, started };
}

export async function reportDaemon(ctx: Context): Promise<DaemonReport> {
  const files = daemonFiles(ctx);
  return { config: ctx.paths.config, socket: files.socket, log: files.log, status: await daemonStatus(ctx) };
}

export async function endDaemon(ctx: Context): Promise<{ config: string; pid?: number }> {
  return { config: ctx.paths.config, pid: await stopDaemon(ctx) };
}

/** The last `lines` lines of the daemon's log (from its last MAX_LOG_READ_BYTES), or undefined when there is none. */
export function readDaemonLog(ctx: Context, lines = DEFAULT_LOG_LINES): { path: string; lines?: string[] } {
  const path = daemonFiles(ctx).log;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return { path };
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_LOG_READ_BYTES);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, size - length);
    let text = buffer.subarray(0, read).toString("utf8");
    // A read that starts mid-file starts mid-line: that partial line is dropped.
    if (length < size) text = text.slice(text.indexOf("\n") + 1);
    const all = text.split("\n");
    if (all.at(-1) === "") all.pop();
    return { path, lines: all.slice(-lines) };
  } finally {
    closeSync(fd);
  }
}

/** The daemon process: runs until stopped, idle or signalled; `run` runs callers' whole commands (host.ts). */
export async function runDaemon(ctx: Context, options: { run?: CommandRunner } = {}): Promise<void> {
  const [{ runDaemonHost }, { connectServer }, { config }] = await Promise.all([import("./host.ts"), import("../mcp/connect.ts"), ctx.config()]);
  // SIGTERM: close every server before exiting rather than leave them behind.
  ctx.finishOnTerminate(10_000);
  await runDaemonHost(ctx, daemonFiles(ctx), {
    idleSec: config.keepAliveIdleSec ?? DEFAULT_KEEP_ALIVE_IDLE_SEC,
    connect: (serverCtx, server, registerClose) => connectServer(serverCtx, server, { registerClose }),
    run: options.run,
  });
}
