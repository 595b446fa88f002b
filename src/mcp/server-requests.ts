// Who answers the requests a server sends tether: elicitation, roots and sampling. It is a
// property of the run (is there a terminal, which --input / --root flags were given, the config's
// sampling policy), so it lives on the context (ctx.serverRequests): the command sets it, and
// every connection the run opens uses it. `tether mcp serve` sets a forwarder instead, which
// hands each request to the downstream client.
import type {
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitRequestURLParams,
  ElicitResult,
  LoggingLevel,
  LoggingMessageNotificationParams,
  Root,
} from "@modelcontextprotocol/client";
import type { ServerConfig } from "../config/types.ts";
import { TetherError } from "../errors.ts";

/**
 * Each handler may hear the request's key: the server's own name for the question inside a
 * 2026-07-28 `input_required` result (e.g. `user_name`), which a relay (serve) asks under again.
 */
export interface ServerRequestHandlers {
  /** A form (mode absent or "form") or a URL elicitation from `server`. */
  elicit(server: ServerConfig, params: ElicitRequestFormParams | ElicitRequestURLParams, key?: string): Promise<ElicitResult>;
  /** The roots offered to `server` (roots/list). */
  listRoots(server: ServerConfig, key?: string): Promise<Root[]>;
  /** A sampling/createMessage request from `server`; throws to refuse it (the server sees the message). */
  sample(server: ServerConfig, params: CreateMessageRequestParams, key?: string): Promise<CreateMessageResult>;
  /**
   * Where the servers' log lines (`notifications/message`) go. Not a request, but the same kind of
   * run property; undefined: tether asks for no log lines.
   */
  log?: ServerLogSink;
}

export interface ServerLogSink {
  /**
   * The least severe line the run asks servers for (and shows). Undefined for a relay (`mcp serve`):
   * every line goes to `write`, and each request names its client's own level.
   */
  level?: LoggingLevel;
  write(server: ServerConfig, params: LoggingMessageNotificationParams): void;
}

/** RFC 5424 severities, lowest first, as MCP names them. */
export const LOG_LEVELS: readonly LoggingLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/** Whether `level` is at or above `threshold`; an unknown level counts as shown. */
export function logLevelAtLeast(level: string, threshold: LoggingLevel): boolean {
  const at = LOG_LEVELS.indexOf(level as LoggingLevel);
  return at < 0 || at >= LOG_LEVELS.indexOf(threshold);
}

/**
 * The one way a server's log line (`notifications/message`) reaches the command: the run's sink,
 * when the line is at or above the level the run asked for (a server may send everything anyway).
 * Every caller hears lines only through it: a connection tether opened (connect.ts), and one kept
 * in the keep-alive daemon, whose lines come over the socket (daemon/remote.ts). serve and the
 * daemon set a sink without a level, so every line reaches them and they pass it on.
 */
export function deliverServerLog(sink: ServerLogSink | undefined, server: ServerConfig, params: LoggingMessageNotificationParams): void {
  if (!sink) return;
  if (sink.level === undefined || logLevelAtLeast(params.level, sink.level)) sink.write(server, params);
}

/** Without an answerer (doctor, list --status): every elicitation declined, no roots, no sampling. */
export const DECLINE_EVERYTHING: ServerRequestHandlers = {
  elicit: async () => ({ action: "decline" }),
  listRoots: async () => [],
  sample: async (server) => {
    throw new TetherError(`tether does not answer sampling requests from "${server.name}" in this command`);
  },
};
