// `tether mcp serve --http`: streamable HTTP at /mcp under Bun.serve, with the guards the SDK's
// handler leaves to its host (docs/serving/http.md "Validate Host and Origin in front of it"):
// Host and Origin checks against DNS rebinding, the bearer token, body size and time bounds, and a
// per-peer cap (./http-guards.ts), all decided before a body is read.
//
// 2026-07-28 requests, and 2025 requests without a session, are the SDK handler's (stateless).
// A 2025 client that initializes gets a session instead (Mcp-Session-Id, the SDK's sessionful
// transport, one server instance per session): only a session lets tether send it requests
// (elicitation, sampling, roots an upstream asks for) and notifications between requests. A
// session keeps what it sends in an event store (./event-store.ts): its SSE streams start with a
// priming event id and a retry hint, so a stream closed mid-call (SSE polling, ./server.ts) or cut
// by the network is resumed with Last-Event-ID, the result of the call included.
import { randomUUID } from "node:crypto";
import {
  type AuthInfo,
  createMcpHandler,
  hostHeaderValidationResponse,
  isInitializeRequest,
  isLegacyRequest,
  type Server,
  WebStandardStreamableHTTPServerTransport,
  localhostAllowedHostnames,
  type McpHandlerRequestOptions,
  type McpServerFactory,
  type JSONRPCMessage,
} from "@modelcontextprotocol/server";
import { isLoopbackHost, splitHttpBind } from "../config/names.ts";
import type { ListKind } from "../mcp/connect.ts";
import { TetherError, UsageError } from "../errors.ts";
import { healthResponse } from "./health.ts";
import { createOAuthFront, type OAuthFront, type OAuthFrontOptions } from "./oauth-front.ts";
import { checkRateLimit, type RateLimit, rateSubject } from "./rate-limit.ts";
import { memorySessionDirectory, type SessionDirectory, type SessionEvents } from "./session-directory.ts";
import { StateUnavailableError } from "./state/connection.ts";
import type { RateCounter, SharedState, StateKey } from "./state/types.ts";
import {
  bodyTimedOut,
  DEFAULT_BODY_TIMEOUT_SECONDS,
  originChecker,
  PeerConnections,
  readBodyWithin,
  refuse,
  tokenMatcher,
  unauthorized,
  whenSent,
} from "./http-guards.ts";

export const MCP_PATH = "/mcp";
/** The largest request body read, in bytes: the SDK's own default, also enforced by Bun before parsing. */
export const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpBind {
  host: string;
  port: number;
}

/** `--http HOST:PORT` (config/names.ts splitHttpBind says which forms). */
export function parseHttpBind(value: string): HttpBind {
  const bind = splitHttpBind(value);
  if (!bind) throw new UsageError(`--http wants HOST:PORT (e.g. 127.0.0.1:8080), got "${value}"`);
  return bind;
}

/** The most 2025 sessions open at once; an initialize beyond it is answered 503. */
export const MAX_LEGACY_SESSIONS = 256;
/** A 2025 session nobody used for this long is closed (its client re-initializes if it comes back). */
export const LEGACY_SESSION_IDLE_MS = 30 * 60_000;

/** How long a 2025 client whose SSE stream tether closed waits before reconnecting (the SSE `retry` hint). */
export const SSE_RETRY_MS = 1_000;
/** `--sse-poll`'s default: a call still running after this many seconds has its SSE stream closed (./server.ts). */
export const DEFAULT_SSE_POLL_SECONDS = 20;

/** `--sse-poll SECONDS`: a whole number, 0 for never. */
export function parseSsePoll(value: string): number {
  const seconds = /^\d{1,6}$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isNaN(seconds)) throw new UsageError(`--sse-poll wants a whole number of seconds (0: never close a stream), got "${value}"`);
  return seconds;
}

export interface HttpServeOptions {
  bind: HttpBind;
  /** A 2025 session opened (its instance) or closed: serve keeps such instances for notifications, and cancels a closed one's requests. */
  onSession?(instance: Server, open: boolean, sessionId: string): void;
  /** Clients send `Authorization: Bearer <token>`; absent only with --no-token on loopback (./serve.ts). */
  token?: string;
  /** Browser origins allowed besides serve's own (`--allow-origin`). */
  allowOrigins?: string[];
  /** `--body-timeout`: an allowed request's body must arrive within this many seconds. */
  bodyTimeoutSeconds?: number;
  /** `--max-connections-per-peer`: open requests per client address; 0 (default): no cap. */
  maxConnectionsPerPeer?: number;
  /** `--event-store-bytes`: what all 2025 sessions' event stores keep together. */
  eventStoreBytes?: number;
  /**
   * `--auth-issuer` and friends: OAuth access tokens instead of `token` (./oauth-front.ts). The
   * resource is `publicUrl`, else serve's own URL.
   */
  auth?: Omit<OAuthFrontOptions, "resource"> & { publicUrl?: URL };
  /** `--rate-limit N/min`, counted by `counter` (this process's, or the replicas' shared one). */
  rateLimit?: { rate: RateLimit; counter: RateCounter };
  /** Whether the upstreams serve needs are connected (/readyz). */
  upstreamsReady?(): boolean;
  /**
   * Where 2025 sessions are known (./session-directory.ts): absent, this process alone (memory);
   * with `--state`, Redis (./state/sessions.ts), so any replica serves any session.
   */
  sessions?: SessionDirectory;
  /** `--state`: the run's link to Redis (./state/types.ts), for every store that shares; absent without it. */
  sharedState?: SharedState;
  /**
   * Whether a session's messages need what only its home replica holds (a call on a per-session
   * upstream): then a replica that is not the home relays them there (./session-directory.ts).
   */
  needsHome?(messages: JSONRPCMessage[]): Promise<boolean>;
  /** `--state-key-env-var`: the key replicas share; present exactly when sharedState is. */
  stateKey?: StateKey;
  onError?(error: Error): void;
}

export interface HttpServing {
  url: string;
  /** Publishes a list change to every open 2026-07-28 subscription stream. */
  notifyListChanged(kind: ListKind): void;
  /** Publishes notifications/resources/updated to the 2026-07-28 streams that listen for `uri`. */
  notifyResourceUpdated(uri: string): void;
  /**
   * SIGTERM's first step: /readyz answers 503 (a balancer stops sending new clients), and new
   * sessions and requests without a session are refused with 503 + Retry-After, while requests of
   * open sessions and calls already running go on.
   */
  drain(): void;
  /** Stops accepting connections; in-flight requests keep running. */
  stopAccepting(): Promise<void>;
  /** Closes everything still open. */
  close(): Promise<void>;
}

/**
 * Bun's idle timeout for connections serve has not let in: keep-alive connections between
 * requests, and responses to refused ones. An allowed request has it turned off until its response
 * is sent (an SSE stream may stay quiet for minutes) and gets the body deadline instead. (Bun itself closes a connection
 * whose headers are still incomplete after about 10 s, whatever this says.)
 */
export const IDLE_TIMEOUT_SECONDS = 10;

export function serveHttp(factory: McpServerFactory, options: HttpServeOptions): HttpServing {
  const { bind, token } = options;
  const loopback = isLoopbackHost(bind.host);
  const handler = createMcpHandler(factory, { maxRequestBodySize: MAX_REQUEST_BODY_BYTES, onerror: options.onError });
  // On a loopback bind only loopback names may appear in Host: a page whose domain was rebound
  // to 127.0.0.1 sends its own domain and is refused. A non-loopback bind is reached under names
  // tether cannot know, so there the token is the guard.
  const allowedHosts = loopback ? localhostAllowedHostnames() : undefined;
  const isAuthorized = token === undefined ? () => true : tokenMatcher(token);
  const bodySeconds = options.bodyTimeoutSeconds ?? DEFAULT_BODY_TIMEOUT_SECONDS;
  const peers = new PeerConnections(options.maxConnectionsPerPeer ?? 0);
  const legacy = legacySessions(factory, options, options.sessions ?? memorySessionDirectory(options.eventStoreBytes));
  let originRefusal: (request: Request) => Response | undefined = () => undefined;
  let oauth: OAuthFront | undefined;
  let draining = false;
  const ready = () => !draining && (options.upstreamsReady?.() ?? true) && (options.sharedState?.ready() ?? true);

  // Every refusal below is decided on the headers alone and closes the connection unread (see
  // ./http-guards.ts); Bun answers a Content-Length over maxRequestBodySize with 413 the same way.
  const admit = async (request: Request, server: Bun.Server<undefined>, peer: string): Promise<Response> => {
    const rejected = (allowedHosts && hostHeaderValidationResponse(request, allowedHosts)) ?? originRefusal(request);
    if (rejected) return refuse(rejected);
    // Probes and discovery carry no token: they reveal nothing about the upstreams.
    const path = new URL(request.url).pathname;
    const open = healthResponse(request, path, ready) ?? oauth?.metadataResponse(request, path);
    if (open) return open;
    if (path !== MCP_PATH) return refuse(new Response("Not found: MCP is served at /mcp\n", { status: 404 }));
    if (draining && request.headers.get("mcp-session-id") === null) {
      return refuse(new Response("Service Unavailable: this tether mcp serve is shutting down; retry on another\n", { status: 503, headers: { "Retry-After": "1" } }));
    }
    let authInfo: AuthInfo | undefined;
    let subject: string | undefined;
    if (oauth) {
      const verified = await oauth.authenticate(request);
      if (verified instanceof Response) return verified;
      ({ authInfo, subject } = verified);
    } else if (!isAuthorized(request)) return unauthorized();
    if (options.rateLimit) {
      const who = rateSubject({ subject, authorization: request.headers.get("authorization"), peer });
      const limited = await checkRateLimit(options.rateLimit.counter, options.rateLimit.rate, who);
      if (limited) return limited;
    }
    server.timeout(request, 0);
    if (request.method !== "POST") return dispatch(request, authInfo);
    const body = await readBodyWithin(request, bodySeconds).catch(() => null);
    if (body === undefined) return bodyTimedOut(bodySeconds);
    if (body === null) return refuse(new Response("Bad Request: the body could not be read\n", { status: 400 }));
    return dispatch(new Request(request, { body }), authInfo);
  };
  const dispatch = async (request: Request, authInfo: AuthInfo | undefined): Promise<Response> => {
    const routed = await legacy.handle(request, authInfo);
    return routed instanceof Response ? routed : handler.fetch(routed.request, { ...routed.options, authInfo });
  };

  const server = listenOn(bind, () => Bun.serve({
    hostname: bind.host,
    port: bind.port,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    idleTimeout: IDLE_TIMEOUT_SECONDS,
    async fetch(request, server) {
      const peer = server.requestIP(request)?.address ?? "";
      if (!peers.acquire(peer)) return peers.tooMany();
      let response: Response;
      try {
        response = await admit(request, server, peer);
      } catch (error) {
        peers.release(peer);
        throw error;
      }
      return whenSent(response, () => {
        peers.release(peer);
        // admit turned the idle timeout off for this request; Bun would keep that for the
        // keep-alive connection after it, so an idle connection would never be closed.
        server.timeout(request, IDLE_TIMEOUT_SECONDS);
      });
    },
  }));
  // Serve's own origin needs the port Bun picked (--http HOST:0); no request is handled before this runs.
  originRefusal = originChecker(bind.host, server.port!, options.allowOrigins ?? []);
  const shownHost = bind.host.includes(":") ? `[${bind.host}]` : bind.host;
  const url = `http://${shownHost}:${server.port}${MCP_PATH}`;
  if (options.auth) {
    const { publicUrl, ...auth } = options.auth;
    oauth = createOAuthFront({ ...auth, resource: publicUrl ?? new URL(url) });
  }
  return {
    url,
    notifyListChanged(kind) {
      if (kind === "tools") handler.notify.toolsChanged();
      else if (kind === "prompts") handler.notify.promptsChanged();
      else handler.notify.resourcesChanged();
    },
    notifyResourceUpdated: (uri) => handler.notify.resourceUpdated(uri),
    drain() {
      draining = true;
    },
    stopAccepting: () => server.stop(false),
    async close() {
      await legacy.close();
      await handler.close();
      await server.stop(true);
    },
  };
}

interface LegacySession {
  transport: WebStandardStreamableHTTPServerTransport;
  instance: Server;
  events: SessionEvents;
  lastUsed: number;
  /** Stops hearing the session's bus (./session-directory.ts). */
  stopListening?: () => void;
}

/** A request left to the SDK handler, with its body when the session check already parsed it. */
interface Unrouted {
  request: Request;
  options?: McpHandlerRequestOptions;
}

/**
 * 2025 sessions: an initialize without Mcp-Session-Id opens one; requests carrying a known id go
 * to it. Everything else is left to the SDK handler (Unrouted), which serves it statelessly.
 * "Known" is the directory's to say: in memory, the sessions this process opened; with `--state`,
 * any replica's, whose instance is restored here from its record on first use.
 */
function legacySessions(factory: McpServerFactory, options: HttpServeOptions, directory: SessionDirectory) {
  const sessions = new Map<string, LegacySession>();
  const restoring = new Map<string, Promise<LegacySession | undefined>>();
  const ended = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: randomUUID });
  void ended.close();
  /** Closes the session's instance here; the session itself ends only with DELETE (directory.remove). */
  const close = async (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    session.stopListening?.();
    session.events.dispose();
    options.onSession?.(session.instance, false, id);
    await session.transport.close().catch(() => {});
    await session.instance.close().catch(() => {});
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, session] of sessions) if (now - session.lastUsed > LEGACY_SESSION_IDLE_MS) void close(id);
  }, 60_000);
  sweep.unref?.();

  /** An instance and transport for `sessionId`, registered once the transport knows it is initialized. */
  const create = async (sessionId: string, request: Request) => {
    const instance = (await factory({ era: "legacy", requestInfo: request })) as Server;
    // Whether a stream is open decides whether an event is delivered as it is stored (./event-store.ts).
    // The SDK keeps its open streams in a private map, the one place that knows.
    const events = directory.events(sessionId, (streamId) => openStreams(transport).has(streamId));
    const register = async () => {
      const session: LegacySession = { transport, instance, events, lastUsed: Date.now() };
      sessions.set(sessionId, session);
      options.onSession?.(instance, true, sessionId);
      session.stopListening = await directory
        .listen(sessionId, {
          deliver: (message) => transport.onmessage?.(message),
          end: () => void close(sessionId),
        })
        .then((stop) => () => void stop())
        .catch(() => undefined);
      return session;
    };
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      eventStore: events,
      retryInterval: SSE_RETRY_MS,
      onsessioninitialized: () => register().then(() => {}),
      onsessionclosed: (closedId) => void close(closedId),
    });
    const send = transport.send.bind(transport);
    transport.send = (message, sendOptions) => send(directory.tagOutgoing(message), sendOptions);
    await instance.connect(transport);
    return { instance, transport, register };
  };

  /** A session another replica opened: its instance here, as its client's initialize left it. */
  const restore = (id: string, request: Request): Promise<LegacySession | undefined> => {
    let pending = restoring.get(id);
    if (!pending) {
      pending = (async () => {
        const record = await directory.find(id);
        if (!record || sessions.has(id)) return sessions.get(id);
        if (sessions.size >= MAX_LEGACY_SESSIONS) return undefined;
        const { instance, transport, register } = await create(id, request);
        const sdk = transport as unknown as { _initialized: boolean; sessionId?: string };
        sdk.sessionId = id;
        sdk._initialized = true;
        // The SDK's own initialize handling sets what the client negotiated (version, capabilities, client info).
        await (instance as unknown as { _oninitialize(request: { params: unknown }): Promise<unknown> })._oninitialize({ params: record.initialize });
        instance.oninitialized?.();
        return await register();
      })().finally(() => restoring.delete(id));
      restoring.set(id, pending);
    }
    return pending;
  };

  /**
   * `relayed`: the request came from another replica, to this one as the session's home. `authInfo`:
   * the OAuth caller (--auth-issuer), checked by the replica the request reached first.
   */
  const handleSession = async (id: string, request: Request, relayed = false, authInfo?: AuthInfo): Promise<Response | Unrouted> => {
    let session = sessions.get(id) ?? (await restore(id, request));
    // Ended elsewhere (DELETE on another replica, or expired): the instance here goes too.
    if (session && !(await directory.touch(id))) {
      void close(id);
      session = undefined;
    }
    // A session tether no longer has (DELETEd, idle-closed, or from before a restart) is gone:
    // 404 tells its client to initialize again. The SDK's closed transport answers it.
    // A 2026-07-28 request has no session: a stray Mcp-Session-Id on it is the stateless handler's to judge.
    if (!session) return (await isLegacyRequest(request.clone())) ? ended.handleRequest(request) : { request };
    session.lastUsed = Date.now();
    if (request.method === "DELETE") {
      await directory.remove(id);
      const response = await session.transport.handleRequest(request, { authInfo });
      void close(id);
      return response;
    }
    if (request.method !== "POST") return session.transport.handleRequest(request, { authInfo });
    const text = await request.text();
    const raw = new Request(request, { body: text });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return session.transport.handleRequest(raw, { authInfo });
    }
    const messages = Array.isArray(body) ? body : [body];
    if (!messages.every((m) => typeof m === "object" && m !== null)) return session.transport.handleRequest(raw, { authInfo });
    // Answers to questions another replica asked, and cancellations, go to the session's other replicas.
    const local = await directory.route(id, messages as JSONRPCMessage[]);
    if (local.length === 0) return new Response(null, { status: 202 });
    const parsedBody = Array.isArray(body) ? local : local[0];
    if (!relayed && (await options.needsHome?.(local))) {
      const headers = [...request.headers];
      const answer = await directory.relayToHome(id, { method: "POST", headers, body: JSON.stringify(parsedBody) });
      if (answer) return answer;
    }
    return session.transport.handleRequest(raw, { parsedBody, authInfo });
  };

  // Requests other replicas relay here, as their session's home: answered as if they had come in.
  void directory
    .serveRelayed(async (request) => {
      const id = request.headers.get("mcp-session-id");
      const answer = id === null ? undefined : await handleSession(id, request, true).catch((error: unknown) => {
        if (error instanceof StateUnavailableError) return stateUnavailable(error);
        throw error;
      });
      return answer instanceof Response ? answer : new Response("Not found: no such MCP session\n", { status: 404 });
    })
    .catch((error: Error) => options.onError?.(error));

  return {
    async handle(request: Request, authInfo?: AuthInfo): Promise<Response | Unrouted> {
      try {
        return await handleLegacy(request, authInfo);
      } catch (error) {
        if (error instanceof StateUnavailableError) return stateUnavailable(error);
        throw error;
      }
    },
    async close() {
      clearInterval(sweep);
      await Promise.all([...sessions.keys()].map(close));
      await directory.close();
    },
  };

  async function handleLegacy(request: Request, authInfo?: AuthInfo): Promise<Response | Unrouted> {
    const id = request.headers.get("mcp-session-id");
    if (id !== null) return handleSession(id, request, false, authInfo);
    if (request.method !== "POST") return { request };
    // Bun.serve has already bounded the body (maxRequestBodySize), and serveHttp read it within
    // its deadline. Parsed once: the SDK handler gets the parsed body rather than parsing it again.
    const text = await request.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the handler reads it itself, to answer in its own words.
      return { request: new Request(request, { body: text }) };
    }
    const unrouted: Unrouted = { request, options: { parsedBody: body } };
    if (!isInitializeRequest(body) || !(await isLegacyRequest(request, body))) return unrouted;
    if (sessions.size >= MAX_LEGACY_SESSIONS) {
      return new Response("Too many MCP sessions open; try again later\n", { status: 503, headers: { "Retry-After": "60" } });
    }
    const sessionId = randomUUID();
    // Recorded before it is answered: the client's next request may reach another replica first.
    await directory.open(sessionId, body.params as Record<string, unknown>);
    const { transport } = await create(sessionId, request);
    return transport.handleRequest(request, { parsedBody: body, authInfo });
  }
}

/** The shared state did not answer: a one-line 503 (JSON-RPC error), so the client neither waits nor guesses. */
function stateUnavailable(error: StateUnavailableError): Response {
  const body = { jsonrpc: "2.0", id: null, error: { code: -32603, message: `tether mcp serve: ${error.message}` } };
  return Response.json(body, { status: 503, headers: { "Retry-After": "1" } });
}

function openStreams(transport: WebStandardStreamableHTTPServerTransport): Map<string, unknown> {
  return (transport as unknown as { _streamMapping: Map<string, unknown> })._streamMapping;
}

/** `listen()`, with an address another process holds said as such (Bun's own words name only the port). */
function listenOn<T>(bind: { host: string; port: number }, listen: () => T): T {
  try {
    return listen();
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EADDRINUSE") throw error;
    throw new TetherError(`cannot listen on ${bind.host}:${bind.port}: another process is listening there`, {
      hint: "give --http another HOST:PORT (PORT 0 takes any free one), or stop what listens there",
    });
  }
}
