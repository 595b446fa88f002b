// `tether mcp serve`: one MCP endpoint (stdio, or streamable HTTP with --http) over every configured server.
import type { Context } from "../../../context.ts";
import { UsageError } from "../../../errors.ts";
import { DEFAULT_EVENT_STORE_BYTES } from "../../../serve/event-store.ts";
import { DEFAULT_SSE_POLL_SECONDS, parseHttpBind, parseSsePoll } from "../../../serve/http.ts";
import { DEFAULT_BODY_TIMEOUT_SECONDS, parseAllowOrigins } from "../../../serve/http-guards.ts";
import type { ServeFlags } from "../../../serve/options.ts";
import { serve } from "../../../serve/serve.ts";
import { DEFAULT_MAX_UPSTREAM_SESSIONS } from "../../../serve/session-upstreams.ts";
import { QUESTION_TIMEOUT_MS } from "../../../serve/forwarding.ts";
import { parseWholeNumber, repeatedFlag } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { renderServeListening } from "../../views/serve.ts";

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp serve",
    description: "Serve every configured server as one MCP endpoint (stdio; --http HOST:PORT for streamable HTTP at /mcp); every flag has a [serve] key in config.toml",
    args: {
      http: { type: "string", description: "Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio", valueHint: "HOST:PORT" },
      stdio: { type: "boolean", description: "Serve stdio even where [serve] http is set in config.toml" },
      servers: { type: "string", description: "Only these servers (comma-separated); default: every enabled server", valueHint: "a,b" },
      "tool-search": { type: "boolean", description: "Offer search_tools and call_tool instead of every tool" },
      // citty reads --no-prefix as prefix = false (and prints it as --no-prefix in the usage).
      // No default: absent means "as [serve] prefix says" (true when unset).
      prefix: {
        type: "boolean",
        description: "Prefix tool and prompt names with their server (SERVER__name)",
        negativeDescription: "Serve names as the upstreams give them (a name two servers share is an error)",
      },
      "token-env-var": { type: "string", description: "Env var holding the bearer token HTTP clients must send (default: serve's own, in $TETHER_HOME/serve/token)", valueHint: "VAR" },
      // No default, like prefix: absent means "as [serve] says" (a token when unset).
      token: {
        type: "boolean",
        description: "Require a bearer token over HTTP",
        negativeDescription: "Let HTTP clients in without a token (loopback binds only)",
      },
      "allow-origin": { type: "string", description: "Also accept browser requests from ORIGIN (repeatable or comma-separated)", valueHint: "ORIGIN" },
      "body-timeout": {
        type: "string",
        description: `A request body must arrive within SECONDS (default ${DEFAULT_BODY_TIMEOUT_SECONDS})`,
        valueHint: "SECONDS",
      },
      "max-connections-per-peer": { type: "string", description: "At most N open requests per client address (default 0: no cap)", valueHint: "N" },
      "event-store-bytes": {
        type: "string",
        description: `What all 2025 sessions keep for resumed streams, together (default ${DEFAULT_EVENT_STORE_BYTES})`,
        valueHint: "BYTES",
      },
      "sse-poll": {
        type: "string",
        description: `Close a long call's SSE stream after SECONDS; 2025-11-25 clients reconnect and resume (default ${DEFAULT_SSE_POLL_SECONDS}; 0: never)`,
        valueHint: "SECONDS",
      },
      "per-session": {
        type: "string",
        description: "Give each client its own connection to these servers (comma-separated), so their questions reach only that client (HTTP)",
        valueHint: "a,b",
      },
      // INTERIM (state-shared): state-core owns these flags (and --state-env-var, [serve] keys).
      state: { type: "string", description: "Share state with other replicas in Redis (redis://HOST:PORT)", valueHint: "URL" },
      "state-key-env-var": { type: "string", description: "Env var holding the key all replicas share (requestState, credentials)", valueHint: "VAR" },
      "question-timeout": {
        type: "string",
        description: `How long a question forwarded from an upstream waits for the client's answer; its requestState expires with it (default ${QUESTION_TIMEOUT_MS / 1000})`,
        valueHint: "SECONDS",
      },
      "max-upstream-sessions": {
        type: "string",
        description: `The most per-session connections open at once, per server (default ${DEFAULT_MAX_UPSTREAM_SESSIONS})`,
        valueHint: "N",
      },
    },
    // SIGTERM (docker stop, systemd) takes Ctrl-C's graceful path, as for every command (cli/run.ts).
    async run(args, rawArgs) {
      // citty keeps only the last of a repeated flag.
      const flags = serveFlags({ ...args, "allow-origin": repeatedFlag(rawArgs, "allow-origin") });
      await serve(ctx, flags, { listening: (url, servers, token) => renderServeListening(ctx.io, url, servers, token) });
    },
  });

/** The flags given, parsed; what is absent comes from [serve] in config.toml (serve/options.ts). */
function serveFlags(args: {
  http?: string;
  stdio?: boolean;
  servers?: string;
  "tool-search"?: boolean;
  prefix?: boolean;
  "token-env-var"?: string;
  token?: boolean;
  "allow-origin"?: string[];
  "body-timeout"?: string;
  "max-connections-per-peer"?: string;
  "event-store-bytes"?: string;
  "sse-poll"?: string;
  "per-session"?: string;
  "max-upstream-sessions"?: string;
  "question-timeout"?: string;
  state?: string;
  "state-key-env-var"?: string;
}): ServeFlags {
  const whole = (flag: keyof typeof args & string, min: number) => {
    const value = args[flag];
    return typeof value === "string" ? parseWholeNumber(`--${flag}`, value, min) : undefined;
  };
  const origins = args["allow-origin"];
  return {
    http: args.http === undefined ? undefined : parseHttpBind(args.http),
    stdio: args.stdio,
    servers: nameList("--servers", args.servers),
    toolSearch: args["tool-search"],
    prefix: args.prefix,
    tokenEnvVar: args["token-env-var"],
    token: args.token,
    allowOrigins: origins?.length ? parseAllowOrigins(origins) : undefined,
    bodyTimeoutSeconds: whole("body-timeout", 1),
    maxConnectionsPerPeer: whole("max-connections-per-peer", 0),
    eventStoreBytes: whole("event-store-bytes", 1),
    ssePollSeconds: args["sse-poll"] === undefined ? undefined : parseSsePoll(args["sse-poll"]),
    perSessionUpstreams: nameList("--per-session", args["per-session"]),
    maxUpstreamSessions: whole("max-upstream-sessions", 1),
    questionTimeoutSeconds: whole("question-timeout", 1),
    state: args.state,
    stateKeyEnvVar: args["state-key-env-var"],
  };
}

function nameList(flag: string, value: string | undefined): string[] | undefined {
  const names = value?.split(",").map((s) => s.trim()).filter(Boolean);
  if (names && names.length === 0) throw new UsageError(`${flag} wants a comma-separated list of server names`);
  return names;
}
