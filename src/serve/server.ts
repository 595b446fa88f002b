// The downstream MCP server of `tether mcp serve`: a low-level SDK `Server` whose handlers
// forward to the gateway (the SDK's own answer for a proxy that owns dispatch). The same factory
// serves stdio (one pinned instance) and HTTP (one instance per request, or per 2025 session),
// both eras.
//
// Elicitation, sampling and roots requests an upstream sends while serving a call, a get or a read
// come back here as `input_required` results (./forwarding.ts): the client answers them (a 2025
// client through the SDK's legacy shim, which pushes them as requests) and retries.
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type ClientCapabilities,
  LOG_LEVEL_META_KEY,
  type LoggingLevel,
  type ServerContext,
  ProtocolError,
  Server,
} from "@modelcontextprotocol/server";
import { INVALID_PARAMS, type Tool } from "@modelcontextprotocol/client";
import type { DownstreamRequest, Gateway } from "./gateway.ts";
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, ToolIndex } from "./tool-search.ts";
import { isPlainObject } from "../values.ts";
import { type RequestStates, requestIdentity } from "./client-identity.ts";
import type { Tracer } from "../telemetry/traces.ts";
import { traceServedRequests } from "./trace-requests.ts";

export interface ServedServerOptions {
  version: string;
  /** Offer search_tools + call_tool instead of every tool. */
  toolSearch: boolean;
  /** Lines a freshly connected client should see once (failed upstreams), as notifications/message. */
  notices(): string[];
  /** The era of the clients this instance serves (the SDK's factory context says); absent: either. */
  era?: "legacy" | "modern";
  /** SSE polling: a request still running after this long has its SSE stream closed (once); 0 or absent: never. */
  ssePollMs?: number;
  /** Seals and checks the requestState of forwarded questions (./client-identity.ts). */
  requestStates: RequestStates;
  /** What the instance serves: the one stdio client, or HTTP requests (sessions or stateless). */
  transport: "stdio" | "http";
  /** Traces (issue 23): a span per downstream request, continuing the client's trace. */
  tracer?: Tracer;
}

/** A request's params as its handler sees them (requestState and inputResponses already lifted out). */
type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };

export const SEARCH_TOOLS = "search_tools";
export const CALL_TOOL = "call_tool";

export function createServedServer(gateway: Gateway, options: ServedServerOptions): Server {
  const server = new Server(
    { name: "tether", version: options.version },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true, subscribe: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
      },
      // A retry's requestState is checked before any handler runs; a bad one is answered -32602.
      requestState: { verify: options.requestStates.verify },
      instructions: options.toolSearch
        ? `Tools of several MCP servers are reachable through ${SEARCH_TOOLS} (find them by what they do) and ${CALL_TOOL} (run one by name).`
        : undefined,
    },
  );
  // Traces (issue 23): before any handler is registered.
  if (options.tracer) traceServedRequests(server, options.tracer, options.transport);
  // A 2025 client's handshake is a real connection (not an era probe): the upstreams start with it.
  server.oninitialized = () => gateway.upstreams.start();
  // Failed upstreams are told once per instance: once per connection on stdio, once per request over HTTP.
  let told = false;
  const tell = async (ctx: ServerContext) => {
    if (told) return;
    told = true;
    for (const line of options.notices()) await ctx.mcpReq.log("warning", line, "tether").catch(() => {});
  };
  /** `send` keeps each progress or log notification written for the request (see answer()). */
  const downstream = (ctx: ServerContext, params: Params, send: (work: Promise<unknown>) => void): DownstreamRequest => {
    const meta = params._meta;
    const token = ctx.mcpReq._meta?.progressToken;
    // 2026-07-28 carries the client's identity on every request; 2025 once, at initialize.
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    const clientInfo = ([meta?.[CLIENT_INFO_META_KEY], ctx.mcpReq._meta?.[CLIENT_INFO_META_KEY], envelope?.[CLIENT_INFO_META_KEY], envelope?.clientInfo].find(
      (v) => typeof v === "object" && v !== null,
    ) as { name?: string } | undefined) ?? server.getClientVersion();
    const state = ctx.mcpReq.requestState();
    const { session, clientKey, subject } = options.requestStates.client(ctx);
    return {
      signal: ctx.mcpReq.signal,
      era: options.era,
      client: clientInfo?.name,
      clientKey,
      subject,
      logLevel: envelope?.[LOG_LEVEL_META_KEY] as LoggingLevel | undefined,
      input: {
        capabilities: (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? server.getClientCapabilities(),
        session,
        // The verified payload (the exchange id); verify has already refused anything else.
        requestState: typeof state === "string" ? state : undefined,
        request: () => requestIdentity(ctx.mcpReq.method, params),
        inputResponses: ctx.mcpReq.inputResponses,
        seal: (exchangeId) => options.requestStates.mint(exchangeId, ctx),
        log: (p) => send(ctx.mcpReq.log(p.level, p.data, p.logger)),
      },
      onProgress:
        token === undefined ? undefined : (p) => send(ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, ...p } })),
    };
  };
  /** The result of `work`, once the progress and log lines sent before it are written: a result must not overtake them. */
  const answer = async <T>(ctx: ServerContext, params: Params, work: (from: DownstreamRequest) => Promise<T>): Promise<T> => {
    const sent: Promise<unknown>[] = [];
    const polling = ssePolling(ctx, options.ssePollMs);
    try {
      const result = await work(downstream(ctx, params, (notification) => void sent.push(notification.catch(() => {}))));
      await Promise.all(sent);
      return result;
    } finally {
      clearTimeout(polling);
    }
  };

  server.setRequestHandler("tools/list", async (_request, ctx) => {
    // Listing waits for every upstream to settle, so the failures are known by the time we tell.
    const tools = await gateway.listTools();
    await tell(ctx);
    return { tools: options.toolSearch ? searchTools() : tools };
  });
  server.setRequestHandler("tools/call", async (request, ctx) => {
    const { name, arguments: args = {} } = request.params;
    if (!options.toolSearch) return answer(ctx, request.params, (from) => gateway.callTool(name, args, from));
    if (name === SEARCH_TOOLS) return search(gateway, args);
    if (name === CALL_TOOL) {
      const target = args.name;
      const targetArgs = args.arguments ?? {};
      if (typeof target !== "string" || !isPlainObject(targetArgs)) {
        throw new ProtocolError(INVALID_PARAMS, `${CALL_TOOL} wants {"name": string, "arguments": object}`);
      }
      return answer(ctx, request.params, (from) => gateway.callTool(target, targetArgs, from));
    }
    throw new ProtocolError(INVALID_PARAMS, `unknown tool "${name}"; with --tool-search only ${SEARCH_TOOLS} and ${CALL_TOOL} are offered`);
  });
  server.setRequestHandler("prompts/list", async (_request, ctx) => {
    const prompts = await gateway.listPrompts();
    await tell(ctx);
    return { prompts };
  });
  server.setRequestHandler("prompts/get", async (request, ctx) =>
    answer(ctx, request.params, (from) => gateway.getPrompt(request.params.name, request.params.arguments ?? {}, from)),
  );
  server.setRequestHandler("resources/list", async (_request, ctx) => {
    const resources = await gateway.listResources();
    await tell(ctx);
    return { resources };
  });
  server.setRequestHandler("completion/complete", async (request, ctx) => answer(ctx, request.params, (from) => gateway.complete(request.params, from)));
  server.setRequestHandler("resources/subscribe", async (request, ctx) => {
    await answer(ctx, request.params, (from) => gateway.subscribe(request.params.uri, from));
    return {};
  });
  server.setRequestHandler("resources/unsubscribe", async (request, ctx) => {
    await answer(ctx, request.params, (from) => gateway.unsubscribe(request.params.uri, from));
    return {};
  });
  // A 2025 client says its roots changed; the upstreams ask again when they next need them: the
  // shared connections, and its session's own (--per-session).
  server.setNotificationHandler("notifications/roots/list_changed", () => gateway.rootsChanged(options.transport === "stdio" ? undefined : server.transport?.sessionId));
  server.setRequestHandler("resources/templates/list", async () => ({ resourceTemplates: await gateway.listResourceTemplates() }));
  server.setRequestHandler("resources/read", async (request, ctx) =>
    answer(ctx, request.params, (from) => gateway.readResource(request.params.uri, from)),
  );
  return server;
}

/**
 * SSE polling (SEP-1699): a long request's stream is closed after `afterMs`, so a proxy or load
 * balancer that cuts long responses does not cut this one mid-result; the client reconnects after
 * the retry hint with Last-Event-ID and the session's event store resends what it missed, the
 * result included. The SDK offers `closeSSE` only where that resumption works: a 2025 HTTP session
 * whose client speaks 2025-11-25 or later (older clients cannot read the priming event).
 *
 * Once, not at every interval: the stream a client resumes with starts with no event id of its
 * own, and the SDK's client, when such a stream is closed before it carried an event, reconnects
 * without Last-Event-ID (to the session's standalone stream), so the result would never reach it.
 */
function ssePolling(ctx: ServerContext, afterMs: number | undefined): ReturnType<typeof setTimeout> | undefined {
  const close = ctx.http?.closeSSE;
  if (!close || !afterMs) return undefined;
  const timer = setTimeout(close, afterMs);
  timer.unref?.();
  return timer;
}

function searchTools(): Tool[] {
  return [
    {
      name: SEARCH_TOOLS,
      description:
        "Find tools by what they do. Returns the best matches, each with its name, description and input schema; run one with call_tool.",
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "Words describing the task, e.g. 'create github issue'" },
          limit: { type: "integer", minimum: 1, maximum: MAX_SEARCH_LIMIT, description: `How many tools to return (default ${DEFAULT_SEARCH_LIMIT})` },
        },
        required: ["query"],
      },
      annotations: { readOnlyHint: true },
    },
    {
      name: CALL_TOOL,
      description: "Run a tool found with search_tools: its exact name and its arguments.",
      inputSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "The tool's name as search_tools returned it" },
          arguments: { type: "object", description: "Arguments matching the tool's input schema" },
        },
        required: ["name"],
      },
    },
  ];
}

const indexes = new WeakMap<object, ToolIndex>();

async function search(gateway: Gateway, args: Record<string, unknown>) {
  if (typeof args.query !== "string") throw new ProtocolError(INVALID_PARAMS, `${SEARCH_TOOLS} wants {"query": string}`);
  const limit = typeof args.limit === "number" ? args.limit : DEFAULT_SEARCH_LIMIT;
  const served = await gateway.servedTools();
  // One index per tool list: rebuilt only when an upstream's list changed.
  let index = indexes.get(served);
  if (!index) indexes.set(served, (index = new ToolIndex(served.list())));
  const found = index.search(args.query, limit).map(({ tool }) => ({
    name: tool.name,
    description: tool.description ?? "",
    inputSchema: tool.inputSchema,
  }));
  return {
    content: [{ type: "text" as const, text: JSON.stringify({ tools: found }) }],
    structuredContent: { tools: found },
  };
}
