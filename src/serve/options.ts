// `tether mcp serve`'s settings: each flag, else its `[serve]` key in config.toml, else the default.
// A team keeps its gateway's settings in the config it deploys; a flag still wins for one run.
import type { ServeConfig } from "../config/types.ts";
import { UsageError } from "../errors.ts";
import { type HttpBind, parseHttpBind } from "./http.ts";
import { parseAllowOrigins } from "./http-guards.ts";
import { parsePublicUrl, parseScopes } from "./oauth-front.ts";
import { parseIssuerUrl } from "./oauth-issuer.ts";
import { parseRateLimit, type RateLimit } from "./rate-limit.ts";
import { parseStateUrl } from "./state/connection.ts";

/** Resolved from the flags and `[serve]` in config.toml (resolveServeOptions). */
export interface ServeOptions {
  /** Absent: stdio. */
  http?: HttpBind;
  /** `--servers a,b`; absent: every enabled server. */
  servers?: string[];
  toolSearch: boolean;
  /** False with `--no-prefix`: names as the upstreams give them (see ./catalog.ts). */
  prefix: boolean;
  /** `--token-env-var VAR`: the bearer token HTTP clients must send. */
  tokenEnvVar?: string;
  /**
   * False with `--no-token` (loopback only): HTTP clients need no token. Otherwise, without
   * --token-env-var, serve's own token ($TETHER_HOME/serve/token, ./serve-token.ts).
   */
  token?: boolean;
  /** `--allow-origin ORIGIN`: browser origins allowed besides serve's own. */
  allowOrigins?: string[];
  /** `--body-timeout SECONDS`: an allowed request's body must arrive within this (default 30). */
  bodyTimeoutSeconds?: number;
  /** `--max-connections-per-peer N`: open requests per client address; 0 (default): no cap. */
  maxConnectionsPerPeer?: number;
  /** `--event-store-bytes BYTES`: what all 2025 sessions' event stores keep together (default 64 MiB). */
  eventStoreBytes?: number;
  /** `--sse-poll SECONDS` (HTTP): close a long request's SSE stream after this long (./server.ts); 0: never. */
  ssePollSeconds?: number;
  /**
   * `--per-session NAME` (config `[serve] per_session_upstreams`): these servers get one connection
   * per downstream client (./session-upstreams.ts). HTTP only: stdio has one client.
   */
  perSessionUpstreams?: string[];
  /** `--max-upstream-sessions N`: per-session connections open at once, per server (default 32). */
  maxUpstreamSessions?: number;
  /** `--question-timeout SECONDS`: how long a forwarded question waits, and its requestState lives (default 600). */
  questionTimeoutSeconds?: number;
  /** `--drain-timeout SECONDS` (HTTP): how long SIGTERM lets open calls finish (default 30). */
  drainTimeoutSeconds?: number;
  /** `--auth-issuer URL`: OAuth access tokens from this issuer instead of serve's token (./oauth-front.ts). */
  authIssuer?: URL;
  /** `--auth-audience AUD`: the `aud` tokens must carry; default: the resource (--public-url, else serve's URL). */
  authAudience?: string;
  /** `--auth-scopes a,b`: scopes every token must carry. */
  authScopes?: string[];
  /** `--public-url URL`: where clients reach serve's /mcp (behind a proxy); the RFC 9728 resource. */
  publicUrl?: URL;
  /** `--rate-limit N/min`: requests per client (OAuth subject, else token, else address). */
  rateLimit?: RateLimit;
  /** `--state redis[s]://…` (HTTP): replicas share sessions, event stores and the rest in Redis (./state/). */
  state?: string;
  /** `--state-env-var NAME`: the same URL, read from the environment (a password never shows in `ps`). */
  stateEnvVar?: string;
  /** `--state-key-env-var NAME`: the key all replicas share (requestState, client ids, credentials); required with a state URL. */
  stateKeyEnvVar?: string;
}

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
  ["drainTimeoutSeconds", "--drain-timeout"],
  ["authIssuer", "--auth-issuer"],
  ["authAudience", "--auth-audience"],
  ["authScopes", "--auth-scopes"],
  ["publicUrl", "--public-url"],
  ["rateLimit", "--rate-limit"],
  // Shared state is for replicas behind a balancer: stdio's one client has nothing to share.
  ["state", "--state"],
  ["stateEnvVar", "--state-env-var"],
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
  const authIssuer = flags.authIssuer ?? (config.authIssuer === undefined ? undefined : parseIssuerUrl(config.authIssuer, "[serve] auth_issuer"));
  const oauthOnly = authIssuer ? undefined : (["authAudience", "authScopes"] as const).find((key) => flags[key] !== undefined);
  if (oauthOnly) throw new UsageError(`--${oauthOnly === "authAudience" ? "auth-audience" : "auth-scopes"} needs --auth-issuer (it describes the tokens that issuer signs)`);
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
    drainTimeoutSeconds: flags.drainTimeoutSeconds ?? config.drainTimeoutSec,
    authIssuer,
    authAudience: authIssuer && (flags.authAudience ?? config.authAudience),
    authScopes: authIssuer && (flags.authScopes ?? (config.authScopes && parseScopes(config.authScopes, "[serve] auth_scopes"))),
    publicUrl: flags.publicUrl ?? (config.publicUrl === undefined ? undefined : parsePublicUrl(config.publicUrl, "[serve] public_url")),
    rateLimit: flags.rateLimit ?? (config.rateLimit === undefined ? undefined : parseRateLimit(config.rateLimit, "[serve] rate_limit")),
    ...sharedStateOptions(flags, config),
  };
}

/**
 * `--state` / `--state-env-var` / `--state-key-env-var`, each else its `[serve]` key. A URL given
 * on either side is checked here (one line, exit 2, the URL never repeated: it may hold a password);
 * one from the environment is checked when serve reads it.
 */
function sharedStateOptions(flags: ServeFlags, config: ServeConfig): Pick<ServeOptions, "state" | "stateEnvVar" | "stateKeyEnvVar"> {
  // A flag replaces the config's way of giving the URL, whichever way the config used.
  const fromFlags = flags.state !== undefined || flags.stateEnvVar !== undefined;
  const state = fromFlags ? flags.state : config.state;
  const stateEnvVar = fromFlags ? flags.stateEnvVar : config.stateEnvVar;
  const stateKeyEnvVar = flags.stateKeyEnvVar ?? config.stateKeyEnvVar;
  if (state !== undefined && stateEnvVar !== undefined) {
    throw new UsageError(`${fromFlags ? "--state and --state-env-var" : "[serve] state and state_env_var"} are two ways to give one URL; pick one`);
  }
  if (state !== undefined) parseStateUrl(state, fromFlags ? "--state" : "[serve] state");
  if ((state !== undefined || stateEnvVar !== undefined) && stateKeyEnvVar === undefined) {
    throw new UsageError("--state needs --state-key-env-var NAME: the key every replica shares comes from the environment, never from Redis", {
      hint: "e.g. export TETHER_STATE_KEY=$(openssl rand -hex 32) on every replica, then --state-key-env-var TETHER_STATE_KEY",
    });
  }
  if (stateKeyEnvVar !== undefined && state === undefined && stateEnvVar === undefined) {
    throw new UsageError("--state-key-env-var needs --state or --state-env-var (there is no shared state to protect)");
  }
  return { state, stateEnvVar, stateKeyEnvVar };
}
