// `tether mcp serve`: one MCP endpoint over the configured servers, on stdio or streamable HTTP.
// Starts the upstreams (required ones first), serves until Ctrl-C / SIGTERM / the end of stdin,
// then shuts down in order: stop accepting, drain in-flight calls (bounded), close the upstreams.
import type { Server } from "@modelcontextprotocol/server";
import type { LoggingMessageNotificationParams } from "@modelcontextprotocol/client";
import type { ServerConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { isLoopbackHost } from "../config/names.ts";
import { disabledServer, listServers, getServer } from "../config/servers.ts";
import { ConfigError, TerminatedError, UsageError } from "../errors.ts";
import { connectServer, type ListKind } from "../mcp/connect.ts";
import { rootsFor } from "../mcp/roots.ts";
import { startServeTelemetry } from "../telemetry/serve-events.ts";
import { createRequestStates } from "./client-identity.ts";
import { withSharedCredentials } from "./state/credentials.ts";
import { ExchangeRelay } from "./state/exchange-relay.ts";
import { localNotifications, type Notifications, sharedNotifications } from "./state/notifications.ts";
import { Forwarding, QUESTION_TIMEOUT_MS } from "./forwarding.ts";
import { Gateway } from "./gateway.ts";
import { DEFAULT_SSE_POLL_SECONDS, type HttpBind, type HttpServing, LEGACY_SESSION_IDLE_MS, serveHttp } from "./http.ts";
import { resolveServeOptions, type ServeFlags, type ServeOptions } from "./options.ts";
import { createRateCounter } from "./state/rate-limit.ts";
import type { RateLimit } from "./rate-limit.ts";
import { createServedServer } from "./server.ts";
import { loadOrCreateServeToken, serveTokenPath } from "./serve-token.ts";
import { SessionUpstreams } from "./session-upstreams.ts";
import { connectState, readStateSettings } from "./state/connection.ts";
import { redisSessionDirectory } from "./state/sessions.ts";
import { Upstreams } from "./upstreams.ts";

/** How long Ctrl-C lets in-flight calls finish before cancelling them (within runCli's CLEANUPS_LIMIT_MS). */
export const SHUTDOWN_GRACE_MS = 1_200;
/** `--drain-timeout`'s default: how long SIGTERM lets open calls finish, in seconds. */
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 30;
/** What SIGTERM allows beyond the drain: closing the upstreams and the listener (their own bounds are shorter). */
const AFTER_DRAIN_MS = 5_000;

/** How HTTP clients authenticate: serve's own token file (the value is never shown), or none of serve's making. */
export interface ServeTokenNotice {
  /** $TETHER_HOME/serve/token, when serve made or reused its own token. */
  file?: string;
  /** --auth-issuer: clients log in there instead. */
  issuer?: string;
  /** --public-url: where clients reach serve, when it is not the URL it listens at. */
  publicUrl?: string;
}

export interface ServeReport {
  /** The HTTP endpoint is listening; `token` says where its token is, when serve keeps one. */
  listening?(url: string, servers: string[], token: ServeTokenNotice): void;
}

export async function serve(ctx: Context, flags: ServeFlags, report: ServeReport = {}): Promise<void> {
  const { config } = await ctx.config();
  const options = resolveServeOptions(flags, config.serve);
  const token = httpToken(ctx, options);
  const stateSettings = options.http ? readStateSettings(ctx.env, options) : undefined;
  const servers = await chooseServers(ctx, options.servers);
  const unknown = options.perSessionUpstreams?.find((name) => !servers.some((s) => s.name === name));
  if (unknown !== undefined) throw new UsageError(`--per-session ${unknown}: no such server is served (check the name, or --servers)`, {
      hint: "the names come from --per-session, else per_session_upstreams under [serve] in config.toml",
    });
  // Traces (issue 23): serve relays its clients' trace context to the upstreams, traces on or off.
  ctx.tracing.relay();
  const tracer = await ctx.tracing.tracer();
  const telemetry = await startServeTelemetry(ctx, config, (message) => ctx.log.warn(message));
  // The run's one link to the shared state (./state/): every store that shares goes through it.
  const shared = stateSettings && {
    state: await connectState(stateSettings.url, {
      onReadyChange: (ready) =>
        ready ? ctx.log.notice(`serve: shared state reachable (${stateSettings.url.host}:${stateSettings.url.port})`) : ctx.log.warn(`serve: shared state unreachable (${stateSettings.url.host}:${stateSettings.url.port}); requests that need it fail until it is back`),
    }),
    key: stateSettings.key,
  };
  const state = shared?.state;
  const stateKey = shared?.key;

  const instances = new Set<Server>();
  let http: HttpServing | undefined;
  const notices: string[] = [];
  /** This replica's subscribers; with --state, what any replica's upstreams send reaches them too. */
  const notifications: Notifications = await (async () => {
    const sink = {
      resourceUpdated(uri: string) {
        http?.notifyResourceUpdated(uri);
        for (const instance of instances) void instance.sendResourceUpdated({ uri }).catch(() => {});
      },
      listChanged(kind: ListKind) {
        http?.notifyListChanged(kind);
        for (const instance of instances) {
          const send =
            kind === "tools" ? instance.sendToolListChanged() : kind === "prompts" ? instance.sendPromptListChanged() : instance.sendResourceListChanged();
          void send.catch(() => {});
        }
      },
    };
    return state ? sharedNotifications(state, sink) : localNotifications(sink);
  })();
  const questionTimeoutMs = options.questionTimeoutSeconds === undefined ? QUESTION_TIMEOUT_MS : options.questionTimeoutSeconds * 1000;
  // A retry that reaches this replica for a question another one asked is relayed to that one.
  const relay: ExchangeRelay | undefined =
    state && stateKey ? new ExchangeRelay(state, stateKey, (retry, signal, log) => forwarding.resumeHere(retry, signal, log)) : undefined;
  const forwarding: Forwarding = new Forwarding({
    questionTimeoutMs,
    warn: (message) => ctx.log.warn(message),
    replica: state && relay ? { id: state.replicaId, remote: relay } : undefined,
  });
  await relay?.start();
  // Elicitation, sampling and roots requests from an upstream go to the downstream client. Roots
  // asked outside any client request (many servers ask once, at start) or by a client without
  // roots are tether's own: config's `roots`, else the directory serve was started in.
  const ownRoots = (server: ServerConfig) => Promise.resolve(rootsFor(ctx, server, config, []));
  /** What one upstream connection's requests and log lines reach: `scope` names a per-session connection. */
  const serverRequestsFor = (scope?: string) => {
    const relayLog = (server: ServerConfig, params: LoggingMessageNotificationParams) => {
      const line = { ...params, logger: params.logger ? `${server.name}/${params.logger}` : server.name };
      // A line travels on the stream of the request it came during; between requests, to the
      // clients with a connection (stdio, 2025 HTTP sessions). Stateless HTTP has no stream then.
      // A per-session connection's line between requests is its client's alone: it stays in tether.
      if (forwarding.relayLog(server.name, scope, line) || scope !== undefined) return;
      for (const instance of instances) void instance.sendLoggingMessage(line).catch(() => {});
    };
    // Every upstream line is relayed (no level of serve's own): each request carries its client's.
    return { ...forwarding.handlers(ownRoots, scope), log: { write: relayLog } };
  };
  // SIGTERM (a rolling deploy, docker stop) drains: /readyz turns 503 at once, new clients are sent
  // elsewhere, open calls get --drain-timeout to finish, then serve exits 0. Ctrl-C is someone at
  // a terminal who wants it gone: a short grace, then everything is cancelled (exit 130).
  const drainMs = (options.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS) * 1_000;
  if (options.http) ctx.finishOnTerminate(drainMs + AFTER_DRAIN_MS);
  const drains = () => options.http !== undefined && ctx.signal.reason instanceof TerminatedError;
  // Upstream connections answer to this rather than ctx.signal: while serve drains, an upstream
  // still starting for a call being finished must not be cut off by the SIGTERM.
  const upstreamStop = new AbortController();
  const stopUpstreams = () => upstreamStop.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", () => drains() || stopUpstreams(), { once: true });
  // Upstream logins are read, refreshed and locked in the shared state: a rotated token is every replica's.
  const upstreamCtx: Context = { ...(state && stateKey ? withSharedCredentials(ctx, state, stateKey) : ctx), signal: upstreamStop.signal };
  const upstreams = new Upstreams({ ...upstreamCtx, serverRequests: serverRequestsFor() }, servers, {
    onFailure(server, error) {
      const line = `server "${server}" is left out: ${error.message}`;
      notices.push(line);
      ctx.log.warn(line);
      gateway.forgetLists();
    },
    onListChanged: (server, kind) => void gateway.listChanged(server, kind),
    onResourceUpdated: (_server, uri) => notifications.resourceUpdated(uri),
  });
  const sessions = new SessionUpstreams(
    (server, scope, registerClose) => connectServer({ ...upstreamCtx, serverRequests: serverRequestsFor(scope) }, server, { registerClose }),
    new Set(options.http ? options.perSessionUpstreams : []),
    options.maxUpstreamSessions,
  );
  const gateway = new Gateway(upstreams, telemetry, forwarding, options.prefix, sessions);
  gateway.onListChanged((kind) => notifications.listChanged(kind));

  let stopped: Promise<void> | undefined;
  let stopTransport: () => Promise<void> = async () => {};
  const shutdown = () =>
    (stopped ??= (async () => {
      const t0 = performance.now();
      let stopping: Promise<void>;
      if (drains()) {
        // Still listening while draining: a balancer's probes must see /readyz answer 503.
        http?.drain();
        await gateway.drain(drainMs);
        stopping = stopTransport().catch(() => {});
      } else {
        stopping = stopTransport().catch(() => {});
        await gateway.drain(SHUTDOWN_GRACE_MS);
      }
      stopUpstreams();
      ctx.log.debug(`serve: drained in ${Math.round(performance.now() - t0)}ms`);
      // Upstream children first: they are what must not outlive tether.
      await Promise.all([upstreams.close(), sessions.close()]);
      ctx.log.debug(`serve: upstreams closed at ${Math.round(performance.now() - t0)}ms`);
      await Promise.all([stopping, http?.close(), ...[...instances].map((i) => i.close().catch(() => {}))]);
      await Promise.all([relay?.close(), notifications.close()]).catch(() => {});
      await state?.close();
    })());
  ctx.atExit(shutdown);

  await upstreams.required();

  const transport = options.http ? "http" : "stdio";
  const requestStates = createRequestStates(questionTimeoutMs, transport, stateKey);
  const factory = (context?: { era: "legacy" | "modern" }) => {
    const instance = createServedServer(gateway, {
      requestStates,
      transport,
      version: ctx.version,
      era: context?.era,
      toolSearch: options.toolSearch,
      notices: () => notices,
      ssePollMs: (options.ssePollSeconds ?? DEFAULT_SSE_POLL_SECONDS) * 1_000,
      tracer,
    });
    return instance;
  };
  const ended = new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    if (!options.http) {
      // The client closing our stdin is the stdio way of saying goodbye.
      ctx.io.stdin?.once("end", () => resolve());
      ctx.io.stdin?.once("close", () => resolve());
    }
  });

  if (options.http) {
    http = serveHttp(factory, {
      bind: options.http,
      token: token?.value,
      auth: options.authIssuer && {
        issuer: options.authIssuer,
        audience: options.authAudience,
        scopes: options.authScopes,
        publicUrl: options.publicUrl,
        fetch: ctx.fetch,
      },
      rateLimit: options.rateLimit && { rate: options.rateLimit, counter: createRateCounter(state) },
      upstreamsReady: () => upstreams.requiredReady(),
      allowOrigins: options.allowOrigins,
      bodyTimeoutSeconds: options.bodyTimeoutSeconds,
      maxConnectionsPerPeer: options.maxConnectionsPerPeer,
      eventStoreBytes: options.eventStoreBytes,
      sharedState: shared?.state,
      // A per-session upstream's connection lives on the session's home: calls on it go there.
      needsHome: async (messages) => {
        if (!sessions.any()) return false;
        const tools = await gateway.servedTools();
        return messages.some((message) => {
          if (!("method" in message) || message.method !== "tools/call") return false;
          const params = message.params as { name?: unknown; arguments?: { name?: unknown } } | undefined;
          // With --tool-search the tool to run is call_tool's argument.
          const name = params?.name === "call_tool" && options.toolSearch ? params.arguments?.name : params?.name;
          const server = typeof name === "string" ? tools.resolve(name)?.server : undefined;
          return server !== undefined && sessions.has(server);
        });
      },
      stateKey: shared?.key,
      sessions: shared && redisSessionDirectory(shared.state, { idleMs: LEGACY_SESSION_IDLE_MS, eventStoreBytes: options.eventStoreBytes }),
      onError: (error) => ctx.log.debug(`serve: ${error.message}`),
      // A 2025 session's instance hears list changes, log lines and resource updates like stdio's.
      onSession(instance, open, sessionId) {
        if (open) return void instances.add(instance);
        instances.delete(instance);
        gateway.endSession(sessionId);
      },
    });
    stopTransport = () => http!.stopAccepting();
    report.listening?.(http.url, servers.map((s) => s.name), { file: token?.file, issuer: options.authIssuer?.href, publicUrl: options.publicUrl?.href });
  } else {
    const { serveStdio } = await import("@modelcontextprotocol/server/stdio");
    // One connection, one pinned instance: kept so upstream list changes and log lines reach it.
    const handle = serveStdio((context) => {
      const instance = factory(context);
      instances.add(instance);
      return instance;
    }, { onerror: (error) => ctx.log.debug(`serve: ${error.message}`) });
    stopTransport = () => handle.close();
  }
  await ended;
  await shutdown();
}

async function chooseServers(ctx: Context, names: string[] | undefined): Promise<ServerConfig[]> {
  if (!names) return (await listServers(ctx)).filter((s) => s.enabled);
  const chosen = await Promise.all([...new Set(names)].map((name) => getServer(ctx, name)));
  const disabled = chosen.find((s) => !s.enabled);
  if (disabled) throw disabledServer(disabled.name);
  return chosen;
}

/**
 * The bearer token HTTP clients must present: --token-env-var's, else serve's own token file.
 * Only --no-token goes without, and only on loopback.
 */
function httpToken(ctx: Context, options: ServeOptions): { value: string; file?: string } | undefined {
  const { http, tokenEnvVar } = options;
  if (!http) return undefined;
  if (options.authIssuer) {
    // OAuth replaces the static token: no token file is made.
    if (tokenEnvVar) throw new UsageError("--auth-issuer and --token-env-var are two ways in; pick one (an OAuth issuer replaces serve's token)");
    if (options.token === false) throw new UsageError("--auth-issuer and --no-token contradict each other; pick one");
    if (!options.publicUrl && (http.host === "0.0.0.0" || http.host === "::")) {
      throw new UsageError(`--auth-issuer on ${http.host} needs --public-url: tokens name the URL clients reach serve at, which serve cannot guess`);
    }
    return undefined;
  }
  if (options.token === false) {
    if (tokenEnvVar) throw new UsageError("--no-token and --token-env-var contradict each other; pick one");
    if (isLoopbackHost(http.host)) return undefined;
    throw new UsageError(`--no-token is for loopback binds only: binding ${http.host} without a token would expose every configured server to the network`, {
      hint: "drop --no-token (serve makes and prints a token), or pass --token-env-var VAR",
    });
  }
  if (!tokenEnvVar) {
    const file = serveTokenPath(ctx.paths.home);
    return { value: loadOrCreateServeToken(file), file };
  }
  const value = ctx.env[tokenEnvVar];
  if (!value) throw new ConfigError(`--token-env-var ${tokenEnvVar}: the variable is not set (or empty)`);
  return { value };
}
