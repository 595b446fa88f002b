// `tether mcp serve`: one MCP endpoint (stdio, or streamable HTTP with --http) over every configured server.
import type { Context } from "../../../context.ts";
import { UsageError } from "../../../errors.ts";
import { DEFAULT_SSE_POLL_SECONDS, parseHttpBind, parseSsePoll } from "../../../serve/http.ts";
import type { ServeFlags } from "../../../serve/options.ts";
import { serve } from "../../../serve/serve.ts";
import { DEFAULT_MAX_UPSTREAM_SESSIONS } from "../../../serve/session-upstreams.ts";
import { QUESTION_TIMEOUT_MS } from "../../../serve/forwarding.ts";
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
      "token-env-var": { type: "string", description: "Env var holding the bearer token HTTP clients must send (required off loopback)", valueHint: "VAR" },
      "sse-poll": {
        type: "string",
        description: `Close a long call's SSE stream every SECONDS; 2025-11-25 clients reconnect and resume (default ${DEFAULT_SSE_POLL_SECONDS}; 0: never)`,
        valueHint: "SECONDS",
      },
      "per-session": {
        type: "string",
        description: "Give each client its own connection to these servers (comma-separated), so their questions reach only that client (HTTP)",
        valueHint: "a,b",
      },
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
    async run(args) {
      await serve(ctx, serveFlags(args), { listening: (url, servers) => renderServeListening(ctx.io, url, servers) });
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
  "sse-poll"?: string;
  "per-session"?: string;
  "max-upstream-sessions"?: string;
  "question-timeout"?: string;
}): ServeFlags {
  const servers = nameList("--servers", args.servers);
  const perSession = nameList("--per-session", args["per-session"]);
  const maxUpstreamSessions = positive("--max-upstream-sessions", args["max-upstream-sessions"]);
  const questionTimeoutSeconds = positive("--question-timeout", args["question-timeout"]);
  return {
    http: args.http === undefined ? undefined : parseHttpBind(args.http),
    stdio: args.stdio,
    servers,
    toolSearch: args["tool-search"],
    prefix: args.prefix,
    tokenEnvVar: args["token-env-var"],
    ssePollSeconds: args["sse-poll"] === undefined ? undefined : parseSsePoll(args["sse-poll"]),
    perSessionUpstreams: perSession,
    maxUpstreamSessions,
    questionTimeoutSeconds,
  };
}

/** A whole number above 0, or undefined when the flag is absent. */
function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value.trim()) || Number(value) === 0) throw new UsageError(`${flag} wants a whole number above 0, got "${value}"`);
  return Number(value);
}

function nameList(flag: string, value: string | undefined): string[] | undefined {
  const names = value?.split(",").map((s) => s.trim()).filter(Boolean);
  if (names && names.length === 0) throw new UsageError(`${flag} wants a comma-separated list of server names`);
  return names;
}
