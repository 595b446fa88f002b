// `tether mcp serve`'s settings: each flag, else its `[serve]` key in config.toml, else the default.
// A team keeps its gateway's settings in the config it deploys; a flag still wins for one run.
import type { ServeConfig } from "../config/types.ts";
import { UsageError } from "../errors.ts";
import { parseHttpBind } from "./http.ts";
import { parseAllowOrigins } from "./http-guards.ts";
import type { ServeOptions } from "./serve.ts";

/**
 * What the command line said, parsed; absent means "not given". `stdio` (`--stdio`) serves stdio
 * even where `[serve] http` is set, so one config can back both an HTTP gateway and an editor's
 * `tether mcp serve` entry.
 */
export type ServeFlags = Partial<ServeOptions> & { stdio?: boolean };

/** The HTTP-only settings, by flag: on stdio a flag is a usage error, a config key is ignored. */
const HTTP_ONLY: readonly [keyof ServeOptions, string][] = [
  ["tokenEnvVar", "--token-env-var"],
  ["token", "--no-token"],
  ["allowOrigins", "--allow-origin"],
  ["bodyTimeoutSeconds", "--body-timeout"],
  ["maxConnectionsPerPeer", "--max-connections-per-peer"],
  ["eventStoreBytes", "--event-store-bytes"],
  ["ssePollSeconds", "--sse-poll"],
  // stdio has one client: there is no other session to keep apart.
  ["perSessionUpstreams", "--per-session"],
  ["maxUpstreamSessions", "--max-upstream-sessions"],
  // INTERIM (state-shared): replicas share state over HTTP only.
  ["state", "--state"],
  ["stateKeyEnvVar", "--state-key-env-var"],
];

export function resolveServeOptions(flags: ServeFlags, config: ServeConfig): ServeOptions {
  if (flags.stdio && flags.http) throw new UsageError("--stdio and --http are two transports; pass one");
  const http = flags.stdio ? undefined : (flags.http ?? (config.http === undefined ? undefined : parseHttpBind(config.http)));
  const common: ServeOptions = {
    servers: flags.servers ?? config.servers,
    toolSearch: flags.toolSearch ?? config.toolSearch ?? false,
    prefix: flags.prefix ?? config.prefix ?? true,
    questionTimeoutSeconds: flags.questionTimeoutSeconds ?? config.questionTimeoutSec,
  };
  if (!http) {
    const given = HTTP_ONLY.find(([key]) => flags[key] !== undefined);
    if (given) throw new UsageError(`${given[1]} needs --http (stdio has no network clients or SSE streams)`);
    return common;
  }
  return {
    ...common,
    http,
    tokenEnvVar: flags.tokenEnvVar ?? config.tokenEnvVar,
    token: flags.token ?? config.token,
    allowOrigins: flags.allowOrigins ?? (config.allowOrigins && parseAllowOrigins(config.allowOrigins, "[serve] allow_origins")),
    bodyTimeoutSeconds: flags.bodyTimeoutSeconds ?? config.bodyTimeoutSec,
    maxConnectionsPerPeer: flags.maxConnectionsPerPeer ?? config.maxConnectionsPerPeer,
    eventStoreBytes: flags.eventStoreBytes ?? config.eventStoreBytes,
    ssePollSeconds: flags.ssePollSeconds ?? config.ssePollSec,
    perSessionUpstreams: flags.perSessionUpstreams ?? config.perSessionUpstreams,
    maxUpstreamSessions: flags.maxUpstreamSessions ?? config.maxUpstreamSessions,
    state: flags.state,
    stateKeyEnvVar: flags.stateKeyEnvVar,
  };
}
