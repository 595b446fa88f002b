// Turns a validated server entry into a connected SDK Client, bounded by startup_timeout_sec,
// with SDK failures translated into one-line ConnectionErrors that name the server.
//
// Every connection negotiates the protocol era (2026-07-28 `server/discover`, else the 2025
// `initialize`). The verdict is remembered per server (eras.ts) and handed to the SDK as `prior`
// on later runs, so the probe is paid once; a remembered era that stops working is probed again.
import {
  CLIENT_CAPABILITIES_META_KEY,
  type CallToolResult,
  Client,
  type ClientCapabilities,
  type CompleteRequestParams,
  type CompleteResult,
  type McpSubscription,
  SdkErrorCode,
  type GetPromptResult,
  LOG_LEVEL_META_KEY,
  type LoggingLevel,
  type LoggingMessageNotificationParams,
  type Prompt,
  ProtocolError,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type ServerCapabilities,
  type Tool,
} from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import type { HttpServerConfig, ServerConfig, StdioServerConfig } from "../config/types.ts";
import { ConnectionError, TetherError } from "../errors.ts";
import { eraKey, forgetVerdict, loadPrior, saveVerdict } from "./eras.ts";
import { type EraPlan, pinnedEraMismatch, planEra, priorOf, probesOnSibling, versionNegotiation, withoutPrior } from "./era-plan.ts";
import { type CredentialsSent, describeCallError, describeConnectError, httpStatus, isAbort, isSdkError, serveTokenNeeded, SERVE_REALM } from "./errors.ts";
import { serverUrl } from "../config/expand.ts";
import { traceTransport, type TracedTransportInfo } from "./trace-transport.ts";
import { tracedFetch } from "../telemetry/trace-fetch.ts";
import { createSseTransport, createStreamableTransport, looksLikeLegacySse, type HttpAuth, type HttpGuards } from "./http.ts";
import type { ByteLimitError } from "../net/byte-limit.ts";
import { MAX_NOTIFICATIONS_PER_SEC } from "./notification-budget.ts";
import { resolveHttpAuth } from "./http-auth.ts";
import { createStdioChild, MAX_STDIO_LINE_BYTES, stopStdioChild, type StdioChild } from "./stdio.ts";
import { launchParameters } from "./stdio-launch.ts";
import { completeAbsentResultTypeOf } from "./result-type.ts";
import { filterTools } from "./tool-filter.ts";
import { callToolAsTask } from "./tasks.ts";
import { rememberLoginWanted } from "../auth/state.ts";
import { MAX_TIMER_MS, startTimer } from "../timers.ts";
import { deliverServerLog } from "./server-requests.ts";
import { authorizationContext, DEFAULT_LIST_TTL_MS, FileListCache, type ListKind } from "./list-cache.ts";

/** The most tools, prompts or resources tether reads from one list, across all pages. */
export const MAX_LIST_ITEMS = 10_000;
/** How long closing waits for a task's cancellation to reach the server. */
const TASK_CANCEL_GRACE_MS = 1_500;
/** How long a 2026-07-28 server may take to acknowledge a subscriptions/listen stream. */
export const LISTEN_ACK_TIMEOUT_MS = 10_000;
/** Pages the SDK may walk for one list before giving up (each page holds at least one item). */
const MAX_LIST_PAGES = 1_000;

export interface McpConnection {
  server: ServerConfig;
  /** How it connected: stdio, streamable HTTP, or the legacy HTTP+SSE fallback. */
  via: "stdio" | "http" | "sse";
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;
  /** `modern` (2026-07-28) or `legacy` (2025 initialize). */
  era?: "modern" | "legacy";
  /** The server's tools after enabled_tools / disabled_tools (replaced by refreshTools()). */
  tools: Tool[];
  /** Lists the tools again (after a list_changed), filtered, and keeps them in `tools`. */
  refreshTools(): Promise<Tool[]>;
  /** `tools` came from the list cache (list-cache.ts), not from the server, in this run. */
  toolsFromCache: boolean;
  /** This server entry's list cache (SEP-2549), which the SDK reads and writes; none through the keep-alive daemon. */
  listCache?: FileListCache;
  /** Time to connect, initialize and list tools. */
  latencyMs: number;
  pid?: number;
  stderrTail(): string[];
  callTool(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  /** What the server advertised (resources, prompts, logging, …). */
  capabilities(): ServerCapabilities | undefined;
  /** Every resource, template and prompt (all pages); empty when the server has none of that kind. */
  listResources(): Promise<Resource[]>;
  listResourceTemplates(): Promise<ResourceTemplate[]>;
  readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult>;
  listPrompts(): Promise<Prompt[]>;
  getPrompt(name: string, args: Record<string, string>, options?: CallOptions): Promise<GetPromptResult>;
  /** Tells the server the roots changed (it asks roots/list again); best effort, never throws. */
  notifyRootsChanged(): Promise<void>;
  /** completion/complete, for a prompt's or a resource template's argument. */
  complete(params: CompleteRequestParams, options?: CallOptions): Promise<CompleteResult>;
  /** Updates of one resource: resources/subscribe on 2025, a subscriptions/listen stream on 2026-07-28. */
  subscribeResource(uri: string): Promise<void>;
  unsubscribeResource(uri: string): Promise<void>;
  close(): Promise<void>;
}

/** What a caller that relays the server (tether mcp serve) wants to hear from it, and who closes it. */
export interface ConnectOptions {
  /**
   * Takes the connection's close, as soon as the connection exists. Default: the run's exit
   * cleanups (ctx.atExit), a graceful close that may wait on the server.
   */
  registerClose?(close: () => Promise<void>): void;
  /** The server said a list changed (2025: unsolicited; 2026-07-28: on a subscriptions/listen stream). */
  onListChanged?(kind: ListKind): void;
  /** `notifications/resources/updated` for a subscribed resource. */
  onResourceUpdated?(uri: string): void;
  /**
   * Speak 2025 (`initialize`) even to a server that offers 2026-07-28: serve's 2025 clients then
   * get what that server gives 2025 clients. Such a connection leaves the remembered era alone.
   */
  legacyOnly?: boolean;
  /**
   * Where lists come from: `"cache"` serves a fresh cached list (the server's ttlMs, else
   * DEFAULT_LIST_TTL_MS) without asking; `"server"` (the default) always asks, and refreshes the
   * cache. `mcp call` and `mcp grep` use the cache; listing commands and health probes ask.
   */
  lists?: "cache" | "server";
  /** The server's list cache when the caller already read it (`mcp grep`): its file is read once per command. */
  listCache?: FileListCache;
}

// Defined beside the list cache (which connect.ts imports); most callers name it from here.
export type { ListKind };

export interface CallOptions {
  signal?: AbortSignal;
  /** The least severe log line the server should send during this request (2026-07-28: per request). */
  logLevel?: LoggingLevel;
  /**
   * For a relaying caller (serve): the questions its own client can answer. On 2026-07-28 the
   * request then declares these instead of tether's, so a server refuses what that client could
   * not answer (-32021) rather than asking tether, which could only decline. Roots stay declared:
   * tether answers them itself for a client without any.
   */
  answers?: Pick<ClientCapabilities, "elicitation" | "sampling">;
  /** Answers the caller's client sent unasked with a first request (2026-07-28), passed on as given. */
  inputResponses?: Record<string, unknown>;
  /** Progress notifications and, for a task, its status changes. */
  onProgress?(update: CallProgress): void;
}

export type CallProgress =
  | { kind: "progress"; progress: number; total?: number; message?: string }
  | { kind: "task"; taskId: string; status: string; message?: string };

interface Opened {
  client: Client;
  via: McpConnection["via"];
  child?: StdioChild;
  sent: CredentialsSent;
  hazards: Hazards;
}

/**
 * What a misbehaving server did to the connection. When a bound trips, the SDK only sees a closed
 * connection or a failed read; this says what really happened, and wins over the SDK's error.
 */
interface Hazards {
  failure?: ConnectionError;
  child?: StdioChild;
}

function hazardFailure(server: ServerConfig, hazards: Hazards): ConnectionError | undefined {
  if (hazards.failure) return hazards.failure;
  if (hazards.child?.lineTooLong) {
    return new ConnectionError(
      `server "${server.name}" sent a line longer than ${MAX_STDIO_LINE_BYTES / 1024 / 1024} MiB, the most tether reads from a stdio server; the connection was dropped`,
      { stderrTail: hazards.child.stderr.snapshot() },
    );
  }
  return undefined;
}

/** One warning line, the first time a server goes over the notification budget. */
function floodWarning(ctx: Context, server: ServerConfig): () => void {
  let warned = false;
  return () => {
    if (warned) return;
    warned = true;
    ctx.log.warn(`server "${server.name}" sends more than ${MAX_NOTIFICATIONS_PER_SEC} notifications a second; tether drops the excess`);
  };
}

export async function connectServer(ctx: Context, server: ServerConfig, options: ConnectOptions = {}): Promise<McpConnection> {
  const started = performance.now();
  const deadline = Date.now() + server.startupTimeoutSec * 1000;
  const key = eraKey(server.transport === "stdio" ? launchParameters(ctx, server) : serverUrl(ctx, server).href);
  let plan = planEra(server, options.legacyOnly === true, () => loadPrior(ctx.paths.home, key, ctx.now()));
  const lists: Lists = { store: options.listCache ?? new FileListCache(ctx, server), from: options.lists ?? "server" };
  let attempt = await attemptConnect(ctx, server, plan, deadline, lists);
  if (!attempt.ok && priorOf(plan) && attempt.mayBeStaleVerdict && Date.now() < deadline) {
    // The remembered era no longer works (the server was upgraded or replaced): probe afresh.
    forgetVerdict(ctx.paths.home, key);
    plan = withoutPrior(plan);
    attempt = await attemptConnect(ctx, server, plan, deadline, lists);
  }
  if (!attempt.ok) throw attempt.error;
  const { opened, tools } = attempt;
  if (plan.kind !== "legacy" && !priorOf(plan)) saveVerdict(ctx.paths.home, key, opened.client.getDiscoverResult(), ctx.now());
  const connection = makeConnection(ctx, server, opened, filterTools(server, tools), performance.now() - started, lists, attempt.toolsFromCache);
  (options.registerClose ?? ctx.atExit)(() => connection.close());
  await relayNotifications(ctx, server, opened.client, options);
  return connection;
}

interface Progress {
  child?: StdioChild;
  sent: CredentialsSent;
  hazards: Hazards;
}

/** The list cache of one connection, and whether lists may come from it (ConnectOptions.lists). */
interface Lists {
  store: FileListCache;
  from: "cache" | "server";
}

type Attempt =
  | { ok: true; opened: Opened; tools: Tool[]; toolsFromCache: boolean }
  /** `mayBeStaleVerdict`: the server answered in a way a wrong remembered era could explain. */
  | { ok: false; error: TetherError; mayBeStaleVerdict: boolean };

/**
 * How long a sibling's disposal may take after its probe timed out, before the start-up bound
 * fires: the probe's own verdict ("legacy") should land first.
 */
const PROBE_SETTLE_MS = 2_000;

/**
 * One connection attempt, bounded by what is left of startup_timeout_sec. Where the SDK probes a
 * stdio server on a sibling process (era probes, issue 21 item 7), the probe runs within that
 * budget, and the server's own start, which begins after it, gets a whole startup_timeout_sec of
 * its own: a server that takes 6 s to start under a 10 s timeout is started twice, and must not
 * fail because the two starts add up to 12 s.
 */
async function attemptConnect(ctx: Context, server: ServerConfig, plan: EraPlan, deadline: number, lists: Lists): Promise<Attempt> {
  let opened: Opened | undefined;
  // Filled in as the connection is built, so a failure can still say what was tried.
  const progress: Progress = { sent: "none", hazards: {} };
  const remaining = Math.max(1, deadline - Date.now());
  const startupMs = server.startupTimeoutSec * 1000;
  const sibling = probesOnSibling(server, plan);
  // Sums stay within the timer limit: a timeout past it ("inf") means none, not 1 ms.
  const plus = (ms: number) => Math.min(ms + PROBE_SETTLE_MS, MAX_TIMER_MS);
  const clock = startupClock(sibling ? plus(remaining) : remaining, () => startupTimeout(server));
  // The SDK's own timeouts never decide: the clock is the bound, and says what happened.
  const limits: Limits = {
    probeMs: sibling ? remaining : plus(remaining),
    requestMs: plus(Math.max(remaining, startupMs)),
    onServerStart: sibling ? () => clock.restart(startupMs) : undefined,
  };
  try {
    const work = (async () => {
      opened =
        server.transport === "stdio"
          ? await openStdio(ctx, server, plan, limits, progress, lists)
          : await openHttp(ctx, server, plan, limits, progress, lists);
      const written = lists.store.writes("tools/list");
      const { tools } = await opened.client.listTools(undefined, { timeout: limits.requestMs, signal: ctx.signal, cacheMode: cacheMode(lists) });
      // Served from the cache when the SDK stored nothing (and the server has tools at all).
      const fromCache = lists.from === "cache" && Boolean(opened.client.getServerCapabilities()?.tools) && lists.store.writes("tools/list") === written;
      return { tools: bounded(server, "tools", tools), fromCache };
    })();
    const { tools, fromCache } = await Promise.race([work, clock.expired]);
    return { ok: true, opened: opened!, tools, toolsFromCache: fromCache };
  } catch (error) {
    const tail = progress.child?.stderr.snapshot() ?? [];
    await closeQuietly(opened?.client, progress.child);
    const hazard = hazardFailure(server, progress.hazards);
    const failure =
      hazard ??
      (error instanceof TetherError ? withStderr(error, tail) : pinnedFailure(server, plan, error, tail) ?? describeConnectError(server, error, tail, progress.sent));
    if (progress.sent === "none" && httpStatus(error) === 401 && !hazard) await rememberLoginWanted(ctx, server);
    return { ok: false, error: failure, mayBeStaleVerdict: !hazard && mayBeStaleVerdict(error) };
  } finally {
    clock.clear();
  }
}

/** What the SDK may take for its requests, and who hears that the server itself starts. */
interface Limits {
  /** The era probe's timeout (`server/discover`). */
  probeMs: number;
  /** `initialize` and the first `tools/list`. */
  requestMs: number;
  /** Called as the server's own process starts (after a sibling probe). */
  onServerStart?: () => void;
}

/** The start-up bound as a promise that rejects; `restart` gives the server a fresh budget from now. */
function startupClock(ms: number, error: () => Error): { expired: Promise<never>; restart(ms: number): void; clear(): void } {
  let reject: (reason: Error) => void = () => {};
  const expired = new Promise<never>((_, r) => (reject = r));
  // Unobserved when the work wins.
  expired.catch(() => {});
  let timer = startTimer(ms, () => reject(error()));
  return {
    expired,
    restart(next) {
      timer.clear();
      timer = startTimer(next, () => reject(error()));
    },
    clear: () => timer.clear(),
  };
}

/** A server pinned to an era it does not speak: the SDK's words name a probe and a fallback tether never ran. */
function pinnedFailure(server: ServerConfig, plan: EraPlan, error: unknown, tail: string[]): TetherError | undefined {
  // serve's 2025 connection is legacy without a pin: its failure is no pin's.
  if (!server.protocol || server.protocol === "auto" || (plan.kind === "legacy" && server.protocol !== "2025-11-25")) return undefined;
  if (plan.kind === "modern" && isSdkError(error, SdkErrorCode.EraNegotiationFailed)) {
    // A failure with a cause (refused, DNS, TLS, HTTP status) is no answer at all: described as itself.
    if ((error as { data?: { cause?: unknown } }).data?.cause !== undefined) return undefined;
    const closed = /connection closed/i.test(String((error as Error).message));
    const failure = pinnedEraMismatch(server, closed ? "it closed the connection on server/discover" : "it offered no 2026-07-28 in server/discover");
    return withStderr(failure, tail);
  }
  if (plan.kind === "legacy" && (error instanceof ProtocolError || isSdkError(error, SdkErrorCode.ConnectionClosed))) {
    const described = describeConnectError(server, error, tail).message.replace(`server "${server.name}" `, "");
    return withStderr(pinnedEraMismatch(server, `its initialize ${described}`), tail);
  }
  return undefined;
}

/**
 * Whether the raw failure is one a wrong remembered era could explain: the server answered, but not
 * as that era expects. Not tether's own verdicts (start-up timeout, bounds), not an interrupt, a
 * timeout, an auth wall or a missing command.
 */
function mayBeStaleVerdict(error: unknown): boolean {
  if (error instanceof TetherError || isAbort(error)) return false;
  if (isSdkError(error, SdkErrorCode.RequestTimeout)) return false;
  const status = httpStatus(error);
  if (status === 401 || status === 403) return false;
  return (error as NodeJS.ErrnoException)?.code !== "ENOENT";
}

/** Hands log lines to the run's sink and list changes to the caller (on a 2026-07-28 server, through a listen stream). */
async function relayNotifications(ctx: Context, server: ServerConfig, client: Client, options: ConnectOptions): Promise<void> {
  const { onListChanged, onResourceUpdated } = options;
  if (onResourceUpdated) client.setNotificationHandler("notifications/resources/updated", (n) => onResourceUpdated(n.params.uri));
  const sink = ctx.serverRequests.log;
  const level = sink?.level;
  if (sink) client.setNotificationHandler("notifications/message", (n) => deliverServerLog(sink, server, n.params));
  // 2025 servers keep one level per session; 2026-07-28 ones read it from each request (makeConnection).
  if (level && client.getServerCapabilities()?.logging && client.getProtocolEra() !== "modern") {
    await client
      .setLoggingLevel(level, { timeout: server.toolTimeoutSec * 1000, signal: ctx.signal })
      .catch((error: unknown) => ctx.log.debug(`logging/setLevel failed: ${String(error)}`));
  }
  if (!onListChanged) return;
  client.setNotificationHandler("notifications/tools/list_changed", () => onListChanged("tools"));
  client.setNotificationHandler("notifications/resources/list_changed", () => onListChanged("resources"));
  client.setNotificationHandler("notifications/prompts/list_changed", () => onListChanged("prompts"));
  const caps = client.getServerCapabilities();
  if (client.getProtocolEra() !== "modern" || !caps) return;
  const filter = {
    ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
    ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
    ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
  };
  if (Object.keys(filter).length === 0) return;
  // In the background and bounded: the connection serves calls whatever becomes of the stream. A
  // server that advertises listChanged may refuse the stream, or never acknowledge it (the
  // conformance suite's reference server answers with a body that never ends).
  void client
    .listen(filter, { signal: ctx.signal, timeout: LISTEN_ACK_TIMEOUT_MS })
    .catch((error: unknown) => ctx.log.debug(`server "${server.name}": no list_changed stream (${String(error)})`));
}

/** `"use"`: a fresh cached list is served; `"refresh"`: always asked for, and the cache rewritten. */
function cacheMode(lists: Lists): "use" | "refresh" {
  return lists.from === "cache" ? "use" : "refresh";
}

function makeConnection(
  ctx: Context,
  server: ServerConfig,
  opened: Opened,
  initialTools: Tool[],
  latencyMs: number,
  lists: Lists,
  toolsFromCache: boolean,
): McpConnection {
  let tools = initialTools;
  const { client, child } = opened;
  let closed: Promise<void> | undefined;
  // Task calls still settling; on Ctrl-C one sends tasks/cancel, which close() lets finish (bounded).
  const tasks = new Set<Promise<unknown>>();
  // 2026-07-28 resource subscriptions: one listen stream per URI, closed by unsubscribe.
  const listening = new Map<string, McpSubscription>();
  // A 2026-07-28 server sends log lines for a request only when the request names a level: the
  // caller's (serve passes its client's) or the run's.
  const runLevel = ctx.serverRequests.log?.level;
  // What a request adds to the envelope the SDK builds (its keys win over the SDK's), and a relayed
  // client's unsolicited inputResponses: both exist on 2026-07-28 only.
  const meta = (options: CallOptions = {}) => {
    if (client.getProtocolEra() !== "modern") return {};
    const level = options.logLevel ?? runLevel;
    const envelope: Record<string, unknown> = {};
    if (level && client.getServerCapabilities()?.logging) envelope[LOG_LEVEL_META_KEY] = level;
    if (options.answers) {
      const { elicitation, sampling } = options.answers;
      envelope[CLIENT_CAPABILITIES_META_KEY] = { roots: DECLARED_CAPABILITIES.roots, ...(elicitation && { elicitation }), ...(sampling && { sampling }) };
    }
    return {
      ...(Object.keys(envelope).length > 0 && { _meta: envelope }),
      ...(options.inputResponses && { inputResponses: options.inputResponses }),
    };
  };
  const requestOptions = (options: CallOptions = {}) => ({
    timeout: server.toolTimeoutSec * 1000,
    resetTimeoutOnProgress: true,
    // Progress resets the timeout, but not past this: a server cannot keep a request alive forever.
    maxTotalTimeout: server.toolMaxTotalTimeoutSec * 1000,
    onprogress: (p: { progress: number; total?: number; message?: string }) =>
      options.onProgress?.({ kind: "progress", progress: p.progress, total: p.total, message: p.message }),
    signal: options.signal ?? ctx.signal,
  });
  /** One request other than a tool call, its failure translated like a call's ("what" names it). */
  const request = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw hazardFailure(server, opened.hazards) ?? describeCallError(server, { request: what }, error, child?.stderr.snapshot() ?? [], opened.sent);
    }
  };
  return {
    server,
    via: opened.via,
    serverInfo: client.getServerVersion(),
    protocolVersion: client.getNegotiatedProtocolVersion(),
    era: client.getProtocolEra(),
    tools,
    toolsFromCache,
    listCache: lists.store,
    async refreshTools() {
      const listed = await request("tools/list", async () =>
        bounded(server, "tools", (await client.listTools(undefined, { ...requestOptions(), cacheMode: "refresh" })).tools),
      );
      this.tools = tools = filterTools(server, listed);
      this.toolsFromCache = false;
      return tools;
    },
    latencyMs,
    pid: child?.transport.pid ?? undefined,
    stderrTail: () => child?.stderr.snapshot() ?? [],
    async callTool(name, args, options = {}) {
      const signal = options.signal ?? ctx.signal;
      const report = options.onProgress;
      try {
        if (tools.find((tool) => tool.name === name)?.execution?.taskSupport === "required") {
          const call = callToolAsTask(client, name, args, {
            idleTimeoutMs: server.toolTimeoutSec * 1000,
            signal,
            onUpdate: report && ((update) => report({ kind: "task", ...update })),
          });
          tasks.add(call);
          return await call.finally(() => tasks.delete(call));
        }
        return (await client.callTool({ name, arguments: args, ...meta(options) }, requestOptions(options))) as CallToolResult;
      } catch (error) {
        throw hazardFailure(server, opened.hazards) ?? describeCallError(server, { tool: name }, error, child?.stderr.snapshot() ?? [], opened.sent);
      }
    },
    capabilities: () => client.getServerCapabilities(),
    listResources: () =>
      request("resources/list", async () =>
        bounded(server, "resources", (await client.listResources(undefined, { ...requestOptions(), cacheMode: cacheMode(lists) })).resources),
      ),
    listResourceTemplates: () =>
      request("resources/templates/list", async () =>
        bounded(
          server,
          "resource templates",
          (await client.listResourceTemplates(undefined, { ...requestOptions(), cacheMode: cacheMode(lists) })).resourceTemplates,
        ),
      ),
    readResource: (uri, options = {}) => request(`resources/read ${uri}`, () => client.readResource({ uri, ...meta(options) }, requestOptions(options))),
    listPrompts: () =>
      request("prompts/list", async () => bounded(server, "prompts", (await client.listPrompts(undefined, { ...requestOptions(), cacheMode: cacheMode(lists) })).prompts)),
    getPrompt: (name, args, options = {}) =>
      request(`prompts/get ${name}`, () => client.getPrompt({ name, arguments: args, ...meta(options) }, requestOptions(options))),
    notifyRootsChanged: () => client.sendRootsListChanged().catch((error: unknown) => ctx.log.debug(`roots list_changed failed: ${String(error)}`)),
    complete: (params, options = {}) => request("completion/complete", () => client.complete(params, requestOptions(options))),
    subscribeResource: (uri) =>
      request(`resources/subscribe ${uri}`, async () => {
        if (client.getProtocolEra() !== "modern") return void (await client.subscribeResource({ uri }, requestOptions()));
        if (listening.has(uri)) return;
        listening.set(uri, await client.listen({ resourceSubscriptions: [uri] }, { signal: ctx.signal, timeout: LISTEN_ACK_TIMEOUT_MS }));
      }),
    unsubscribeResource: (uri) =>
      request(`resources/unsubscribe ${uri}`, async () => {
        if (client.getProtocolEra() !== "modern") return void (await client.unsubscribeResource({ uri }, requestOptions()));
        const subscription = listening.get(uri);
        listening.delete(uri);
        await subscription?.close();
      }),
    close: () =>
      (closed ??= (async () => {
        if (tasks.size > 0) await Promise.race([Promise.allSettled(tasks), Bun.sleep(TASK_CANCEL_GRACE_MS)]);
        await closeQuietly(client, child);
      })()),
  };
}

/**
 * Declared always: without a terminal or --input the answerer declines, and says so, which tells
 * the user more than a server that silently skips asking. Sampling likewise: with
 * `sampling = "off"` (the default) the server hears why, rather than never trying.
 */
const DECLARED_CAPABILITIES = { elicitation: { form: {}, url: {} }, roots: { listChanged: true }, sampling: {} } satisfies ClientCapabilities;

function newClient(ctx: Context, server: ServerConfig, plan: EraPlan, probeTimeoutMs: number, lists: Lists, cachePartition = ""): Client {
  const client = new Client(
    { name: "tether", version: ctx.version },
    {
      capabilities: DECLARED_CAPABILITIES,
      versionNegotiation: versionNegotiation(plan, probeTimeoutMs),
      listMaxPages: MAX_LIST_PAGES,
      // SEP-2549 list caching, across runs (list-cache.ts).
      responseCacheStore: lists.store,
      cachePartition,
      defaultCacheTtlMs: DEFAULT_LIST_TTL_MS,
    },
  );
  // One handler for both eras: the SDK calls it for a 2025 `elicitation/create` request and for
  // each elicitation inside a 2026 `input_required` result, then retries the call itself.
  // For an input_required entry the SDK's context carries the entry's key as the request id (a
  // 2025 request's id is usually a number): handlers that relay the question keep the key.
  const keyOf = (id: unknown) => (typeof id === "string" ? id : undefined);
  client.setRequestHandler("elicitation/create", (request, handling) => ctx.serverRequests.elicit(server, request.params, keyOf(handling.mcpReq.id)));
  // The same for roots/list and sampling/createMessage (legacy requests or input_required entries).
  client.setRequestHandler("roots/list", async (_request, handling) => ({ roots: await ctx.serverRequests.listRoots(server, keyOf(handling.mcpReq.id)) }));
  client.setRequestHandler("sampling/createMessage", (request, handling) => ctx.serverRequests.sample(server, request.params, keyOf(handling.mcpReq.id)));
  return client;
}

async function openStdio(ctx: Context, server: StdioServerConfig, plan: EraPlan, limits: Limits, progress: Progress, lists: Lists): Promise<Opened> {
  const child = createStdioChild(ctx, server, { onFlood: floodWarning(ctx, server), negotiateInPlace: plan.kind === "modern" });
  progress.child = progress.hazards.child = child;
  const { onServerStart } = limits;
  if (onServerStart) {
    // After a sibling probe, the SDK starts this child once, when the era is known.
    const start = child.transport.start.bind(child.transport);
    child.transport.start = () => (onServerStart(), start());
  }
  const client = newClient(ctx, server, plan, limits.probeMs, lists);
  // Traces (issue 23): every request a span, and trace context in its _meta.
  traceTransport(child.transport, await ctx.tracing.tracer(), traceInfo(server, "stdio", client));
  await client.connect(child.transport, { timeout: limits.requestMs, signal: ctx.signal, prior: priorOf(plan) });
  return { client, via: "stdio", child, sent: "none", hazards: progress.hazards };
}

async function openHttp(ctx: Context, server: HttpServerConfig, plan: EraPlan, limits: Limits, progress: Progress, lists: Lists): Promise<Opened> {
  const timeout = limits.requestMs;
  const url = serverUrl(ctx, server);
  const auth = await resolveHttpAuth(ctx, server);
  const partition = await authorizationContext(auth);
  const sent = (progress.sent = credentialsSent(auth));
  const hazards = progress.hazards;
  let current: Client | undefined;
  const guards: HttpGuards = {
    onFlood: floodWarning(ctx, server),
    onOversize: (error) => {
      hazards.failure ??= oversize(server, error);
      // The SDK would wait for the rest of the message (a read error on an SSE stream only
      // reaches onerror); closing fails whatever is pending, and hazards.failure says why.
      setImmediate(() => void current?.close().catch(() => {}));
    },
    // `tether mcp serve` answers 401 with realm="tether": what it wants is its token, not a login.
    onUnauthorizedRealm: (realm) => {
      if (realm === SERVE_REALM && sent === "none") hazards.failure ??= serveTokenNeeded(server, url);
    },
  };
  const client = (current = newClient(ctx, server, plan, limits.probeMs, lists, partition));
  // Traces (issue 23): requests carry the traceparent header as well as _meta.
  const tracer = await ctx.tracing.tracer();
  const httpCtx = { ...ctx, fetch: tracedFetch(ctx.fetch, tracer) };
  try {
    const transport = createStreamableTransport(httpCtx, url, auth, guards);
    completeAbsentResultTypeOf(ctx, server.name, transport);
    traceTransport(transport, tracer, traceInfo(server, "http", client));
    await client.connect(transport, { timeout, signal: ctx.signal, prior: priorOf(plan) });
    return { client, via: "http", sent, hazards };
  } catch (error) {
    if (!looksLikeLegacySse(httpStatus(error))) throw error;
    await client.close().catch(() => {});
  }
  // The legacy HTTP+SSE transport predates 2026-07-28: nothing to negotiate there.
  const sseClient = (current = newClient(ctx, server, { kind: "legacy" }, limits.probeMs, lists, partition));
  await sseClient.connect(traceTransport(createSseTransport(httpCtx, url, auth, guards), tracer, traceInfo(server, "sse", sseClient)), { timeout, signal: ctx.signal });
  return { client: sseClient, via: "sse", sent, hazards };
}

/** What a traced transport says of its server (./trace-transport.ts). */
function traceInfo(server: ServerConfig, transport: TracedTransportInfo["transport"], client: Client): TracedTransportInfo {
  return { server: server.name, transport, era: () => client.getProtocolEra(), protocolVersion: () => client.getNegotiatedProtocolVersion() };
}

function oversize(server: ServerConfig, error: ByteLimitError): ConnectionError {
  const what = error.kind === "event" ? "an SSE event" : "a response body";
  return new ConnectionError(
    `server "${server.name}" sent ${what} larger than ${error.limit / 1024 / 1024} MiB, the most tether reads from an MCP server; the connection was closed`,
    { cause: error },
  );
}

function credentialsSent(auth: HttpAuth): CredentialsSent {
  if (auth.authProvider) return "oauth";
  return Object.keys(auth.headers).some((h) => h.toLowerCase() === "authorization") ? "bearer" : "none";
}


function startupTimeout(server: ServerConfig): ConnectionError {
  return new ConnectionError(`server "${server.name}" did not start within ${server.startupTimeoutSec}s`, {
    hint: `check that it starts on its own, or raise startup_timeout_sec for "${server.name}" in config.toml`,
  });
}

function withStderr(error: TetherError, tail: string[]): TetherError {
  if (!(error instanceof ConnectionError) || error.stderrTail.length > 0 || tail.length === 0) return error;
  return new ConnectionError(error.message, { hint: error.hint, cause: error.cause, stderrTail: tail });
}

async function closeQuietly(client: Client | undefined, child: StdioChild | undefined): Promise<void> {
  if (child) await stopStdioChild(child);
  await Promise.race([client?.close().catch(() => {}), Bun.sleep(500)]);
}

/** The bound on every list a server sends (tools, prompts, resources, templates). */
function bounded<T>(server: ServerConfig, kind: string, items: T[]): T[] {
  if (items.length > MAX_LIST_ITEMS) {
    throw new ConnectionError(`server "${server.name}" lists ${items.length} ${kind}, more than tether reads (${MAX_LIST_ITEMS})`);
  }
  return items;
}
