// A server kept in the daemon, seen by a command as the same McpConnection it would have opened
// itself: every request goes over the socket, and the server's questions and log lines come back
// to this command's answerers (ctx.serverRequests).
import type { LoggingMessageNotificationParams } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { DEFAULT_KEEP_ALIVE_IDLE_SEC, type ServerConfig } from "../config/types.ts";
import { definedEnv } from "../env.ts";
import { TetherError } from "../errors.ts";
import type { CallOptions, CallProgress, McpConnection } from "../mcp/connect.ts";
import { deliverServerLog } from "../mcp/server-requests.ts";
import { withDaemon } from "./client.ts";
import { serverFingerprint, stdioDirectory } from "./fingerprint.ts";
import type { OpenParams } from "./pool.ts";
import type { DaemonChannel, DaemonMethod } from "./protocol.ts";
import type { OpenedServer } from "./status.ts";
import { outgoingTrace } from "./trace-requests.ts";
import type { Tracer } from "../telemetry/traces.ts";

/**
 * Opens `server` in this config's keep-alive daemon (starting the daemon if need be) and returns
 * a connection to it. The server starts with this command's environment and directory; if the
 * daemon's copy was started with a different entry or environment, it is restarted first. The
 * daemon takes the config's keep_alive_idle_sec.
 */
export async function openKeptAlive(ctx: Context, server: ServerConfig): Promise<McpConnection> {
  // First, as a direct connection's transport does: a bad [otel] trace_exporter is this command's config error (exit 2), before any daemon starts.
  const tracer = await ctx.tracing.tracer();
  const idleSec = (await ctx.config()).config.keepAliveIdleSec ?? DEFAULT_KEEP_ALIVE_IDLE_SEC;
  // A stdio server runs where the command runs (as when tether starts it itself), not where the daemon does.
  const placed: ServerConfig = server.transport === "stdio" ? { ...server, cwd: stdioDirectory(ctx, server) } : server;
  const open: OpenParams = { server: placed, env: definedEnv(ctx.env), cwd: ctx.cwd, fingerprint: serverFingerprint(ctx, server) };
  const handlers = requestHandlers(ctx, server);
  const request = (daemon: DaemonChannel) => daemon.request("open", { open, idleSec }, handlers, ctx.signal);
  // A command the daemon runs for a caller (cli/daemon-run.ts) reaches its servers in process.
  const { client, result } = ctx.keptAlive ? { client: ctx.keptAlive, result: await request(ctx.keptAlive) } : await withDaemon(ctx, request);
  ctx.atExit(() => client.close());
  const opened = result as OpenedServer;
  if (opened.restarted === "crashed") ctx.log.notice(`server "${server.name}" had stopped; the keep-alive daemon started it again`);
  if (opened.restarted === "config") ctx.log.notice(`server "${server.name}" changed (config or environment); the keep-alive daemon restarted it`);
  return remoteConnection(ctx, client, server, opened, tracer);
}

/** This command answers the server's questions and shows its log lines, as if it had started the server itself. */
function requestHandlers(ctx: Context, server: ServerConfig, onProgress?: (update: CallProgress) => void) {
  return {
    onProgress: onProgress && ((update: unknown) => onProgress(update as CallProgress)),
    // The daemon passes on every line; this command's sink decides, as for a server it opened itself.
    onLog: (params: unknown) => deliverServerLog(ctx.serverRequests.log, server, params as LoggingMessageNotificationParams),
    onAsk(kind: string, params: unknown, key?: string): Promise<unknown> {
      const answers = ctx.serverRequests;
      if (kind === "elicit") return answers.elicit(server, params as never, key);
      if (kind === "roots") return answers.listRoots(server, key);
      if (kind === "sample") return answers.sample(server, params as never, key);
      return Promise.reject(new TetherError(`unknown question kind ${kind}`));
    },
  };
}

function remoteConnection(ctx: Context, client: DaemonChannel, server: ServerConfig, opened: OpenedServer, tracer: Tracer): McpConnection {
  const level = ctx.serverRequests.log?.level;
  // Traces (issue 23): each request carries the command's active trace context to the daemon.
  const ask = <T>(method: DaemonMethod, params: Record<string, unknown>, options: CallOptions = {}) =>
    client.request(method, { server: server.name, logLevel: options.logLevel ?? level, ...params, ...outgoingTrace(tracer) }, requestHandlers(ctx, server, options.onProgress), options.signal ?? ctx.signal) as Promise<T>;
  const unsupported = (what: string) => () => Promise.reject(new TetherError(`${what} is not available through the keep-alive daemon (server "${server.name}")`));
  return {
    server,
    via: opened.via,
    serverInfo: opened.serverInfo,
    protocolVersion: opened.protocolVersion,
    era: opened.era,
    tools: opened.tools,
    // The daemon lists a kept server's tools itself; nothing comes from this command's list cache.
    toolsFromCache: false,
    async refreshTools() {
      this.tools = await ask("listTools", {});
      return this.tools;
    },
    latencyMs: opened.latencyMs,
    pid: opened.pid,
    stderrTail: () => opened.stderrTail,
    callTool: (name, args, options) => ask("callTool", { name, args }, options),
    capabilities: () => opened.capabilities,
    listResources: () => ask("listResources", {}),
    listResourceTemplates: () => ask("listResourceTemplates", {}),
    readResource: (uri, options) => ask("readResource", { uri }, options),
    listPrompts: () => ask("listPrompts", {}),
    getPrompt: (name, args, options) => ask("getPrompt", { name, args }, options),
    notifyRootsChanged: async () => {},
    complete: (params, options) => ask("complete", { params }, options),
    subscribeResource: unsupported("subscribing to a resource"),
    unsubscribeResource: unsupported("subscribing to a resource"),
    // Closing the command's side leaves the server running in the daemon: that is the point.
    close: async () => client.close(),
  };
}
