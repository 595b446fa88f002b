// The routing core of `tether mcp serve`, independent of the downstream transport: served lists
// built from the upstreams (cached until an upstream says its list changed), calls, reads and gets
// routed back, in-flight work tracked so shutdown can drain it, every upstream request timed.
import type {
  CallToolResult,
  CompleteRequestParams,
  CompleteResult,
  GetPromptResult,
  LoggingLevel,
  Prompt,
  ReadResourceResult,
  Tool,
} from "@modelcontextprotocol/client";
import { INTERNAL_ERROR, INVALID_PARAMS, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client";
import type { CallOptions, McpConnection, ListKind } from "../mcp/connect.ts";
import { TetherError } from "../errors.ts";
import type { ServeTelemetry } from "../telemetry/serve-events.ts";
import { isToolAllowed } from "../mcp/tool-filter.ts";
import { type ServedNames, type ServedResources, servedPrompts, servedResources, servedSpelling, servedTools } from "./catalog.ts";
import type { Upstreams } from "./upstreams.ts";
import { connectionKey, type DownstreamInput, type Forwarding, type InputRequiredAnswer } from "./forwarding.ts";
import type { Lease, SessionUpstreams } from "./session-upstreams.ts";

/** What one downstream request brings along. */
export interface DownstreamRequest {
  /** Aborted when the client cancels or disconnects. */
  signal: AbortSignal;
  /** Relays upstream progress; absent when the client asked for none. */
  onProgress?(progress: { progress: number; total?: number; message?: string }): void;
  /** The client's name, for telemetry. */
  client?: string;
  /**
   * Who the client is: a keyed HMAC of its 2025 session or of the bearer credential it presented,
   * absent for an anonymous stateless request (./client-identity.ts). Never the credential itself.
   */
  clientKey?: string;
  /** The OAuth subject (`sub`) of its access token, behind --auth-issuer (./oauth-front.ts). */
  subject?: string;
  /** The client's log level for this request (2026-07-28), passed on so upstream lines reach it. */
  logLevel?: LoggingLevel;
  /** Its capabilities, its session and, on a retry, the answers to questions tether forwarded (./forwarding.ts). */
  input: DownstreamInput;
  /** The client's era: a 2025 client is served through an upstream's 2025 connection where it has one (./upstreams.ts). */
  era?: "legacy" | "modern";
}

/** The upstream connection one request runs on (shared, or the client's own: ./session-upstreams.ts). */
interface Route {
  /** Its key for forwarding (./forwarding.ts connectionKey). */
  key: string;
  /** The connection, and what to do when the request settles. */
  lease(): Promise<Lease>;
}

export class Gateway {
  private tools?: ServedNames<Tool>;
  private prompts?: Promise<ServedNames<Prompt>>;
  private resources?: Promise<ServedResources>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private readonly listeners = new Set<(kind: ListKind) => void>();
  /** Subscribed resource URIs and the upstream connection each one's updates come from. */
  private readonly subscribed = new Map<string, McpConnection>();

  constructor(
    readonly upstreams: Upstreams,
    private readonly telemetry: ServeTelemetry,
    /** Elicitation, sampling and roots requests of the upstreams, carried to the downstream client. */
    readonly forwarding: Forwarding,
    /** False with --no-prefix: served names are the upstreams' own (./catalog.ts). */
    private readonly prefix: boolean,
    /** The per-session connections of the servers listed in per_session_upstreams. */
    private readonly sessions: SessionUpstreams,
  ) {}

  /** A downstream session ended (DELETE, idle close): its requests are cancelled upstream, its own connections closed. */
  endSession(session: string): void {
    this.forwarding.endSession(session);
    void this.sessions.release(session);
  }

  /**
   * Where a request to `server` runs: the shared connection, or for a per-session server the
   * client's own (its 2025 session's; a stateless request's own, closed when it settles).
   */
  private route(server: string, request: DownstreamRequest): Route {
    if (!this.sessions.has(server)) {
      return { key: server, lease: async () => ({ connection: (await this.upstreams.get(server, request.era))!, done: () => {} }) };
    }
    const session = request.input.session;
    const scope = session ?? `request ${crypto.randomUUID()}`;
    const config = this.upstreams.servers.find((s) => s.name === server)!;
    return {
      key: connectionKey(server, scope),
      lease: async () => {
        const lease = await this.sessions.lease(config, scope);
        return {
          connection: lease.connection,
          done: () => {
            lease.done();
            if (session === undefined) void this.sessions.release(scope);
          },
        };
      },
    };
  }

  /** Runs `work` on the request's route, inside its exchange (questions forwarded, ./forwarding.ts). */
  private converse<T>(server: string, request: DownstreamRequest, work: (connection: McpConnection, signal: AbortSignal) => Promise<T>) {
    const route = this.route(server, request);
    return this.forwarding.converse(route.key, request.input, request.signal, async (signal) => {
      const lease = await route.lease();
      try {
        return await work(lease.connection, signal);
      } finally {
        lease.done();
      }
    });
  }

  /** A downstream client's roots changed: every shared upstream connection hears it, and the client's own ones (`session`). */
  async rootsChanged(session?: string): Promise<void> {
    const own = session === undefined ? [] : await this.sessions.connectionsOf(session);
    for (const connection of [...this.upstreams.connected(), ...own]) void connection.notifyRootsChanged();
  }

  /** An upstream's list changed: forget the cached one, tell downstream listeners. */
  async listChanged(server: string, kind: ListKind): Promise<void> {
    if (kind === "tools") {
      const connection = await this.upstreams.get(server);
      await connection?.refreshTools().catch(() => {});
      this.tools = undefined;
    } else if (kind === "prompts") this.prompts = undefined;
    else this.resources = undefined;
    for (const listener of this.listeners) listener(kind);
  }

  /** An upstream connected or failed after the lists were built: they are stale too. */
  forgetLists(): void {
    this.tools = undefined;
    this.prompts = undefined;
    this.resources = undefined;
  }

  onListChanged(listener: (kind: ListKind) => void): void {
    this.listeners.add(listener);
  }

  async servedTools(): Promise<ServedNames<Tool>> {
    const connections = await this.upstreams.ready();
    this.tools ??= servedTools(connections, this.prefix);
    return this.tools;
  }

  async listTools(): Promise<Tool[]> {
    return (await this.servedTools()).list();
  }

  /** Tracked whole for the drain, waiting for its upstream to connect included. */
  callTool(name: string, args: Record<string, unknown>, request: DownstreamRequest): Promise<CallToolResult | InputRequiredAnswer> {
    return this.track(this.routeCall(name, args, request));
  }

  private async routeCall(name: string, args: Record<string, unknown>, request: DownstreamRequest): Promise<CallToolResult | InputRequiredAnswer> {
    const served = (await this.servedTools()).resolve(name);
    const target = served ? { server: served.server, tool: served.item.name } : await this.unlistedTool(name, request);
    const callId = crypto.randomUUID();
    // The config's tool policy let it through (a filtered tool is never served, see below). A retry
    // that answers forwarded questions continues the call already decided.
    if (request.input.requestState === undefined) {
      this.telemetry.toolDecision({ toolName: name, server: target.server, tool: target.tool, client: request.client, clientId: request.clientKey, subject: request.subject, callId, decision: "approved" });
    }
    return this.converse(target.server, request, (connection, signal) =>
      this.runCall(connection, target.server, target.tool, name, args, callId, { ...request, signal }),
    );
  }

  /**
   * A tool name serve does not list. With --no-prefix and one upstream, serve stands for that
   * server: the call goes to it, which answers as it would directly (its own "not found", or a
   * tool it did not list), unless the config's tool policy turns the name off.
   */
  private async unlistedTool(name: string, request: DownstreamRequest): Promise<{ server: string; tool: string }> {
    this.refuseFilteredTool(name, request);
    const sole = this.prefix ? undefined : await this.soleUpstream();
    if (!sole) throw new ProtocolError(INVALID_PARAMS, `unknown tool "${name}"`);
    if (!isToolAllowed(sole.server, name)) {
      throw new ProtocolError(INVALID_PARAMS, `tool "${name}" is turned off by enabled_tools / disabled_tools of server "${sole.server.name}" in tether's config`);
    }
    return { server: sole.server.name, tool: name };
  }

  /** The only upstream, when serve fronts exactly one and it is connected. */
  private async soleUpstream(): Promise<McpConnection | undefined> {
    if (this.upstreams.servers.length !== 1) return undefined;
    const [connection] = await this.upstreams.ready();
    return connection;
  }

  /**
   * A served spelling of a tool the config's enabled_tools / disabled_tools leave out: the policy
   * decided, so it is recorded as a denial and the client hears which setting refused it.
   */
  private refuseFilteredTool(name: string, request: DownstreamRequest): void {
    // Without prefixes a name does not say which server it was meant for.
    if (!this.prefix) return;
    for (const server of this.upstreams.servers) {
      const prefix = servedSpelling(server.name, "");
      if (!name.startsWith(prefix)) continue;
      const tool = name.slice(prefix.length);
      if (!tool || isToolAllowed(server, tool)) continue;
      this.telemetry.toolDecision({ toolName: name, server: server.name, tool, client: request.client, clientId: request.clientKey, subject: request.subject, callId: crypto.randomUUID(), decision: "denied" });
      throw new ProtocolError(INVALID_PARAMS, `tool "${name}" is turned off by enabled_tools / disabled_tools of server "${server.name}" in tether's config`);
    }
  }

  private async runCall(
    connection: McpConnection,
    server: string,
    tool: string,
    name: string,
    args: Record<string, unknown>,
    callId: string,
    request: DownstreamRequest,
  ): Promise<CallToolResult> {
    const started = performance.now();
    let result: CallToolResult | undefined;
    let failure: unknown;
    try {
      result = await this.track(
        this.timed(server, "tools/call", () =>
          connection.callTool(tool, args, {
            ...relayedEnvelope(request),
            signal: this.signalFor(request),
            onProgress: (update) => {
              if (update.kind === "progress") request.onProgress?.(update);
            },
          }),
          request,
        ),
      );
      return result;
    } catch (error) {
      failure = error;
      return this.failedCall(error);
    } finally {
      this.telemetry.toolResult({
        toolName: name,
        server,
        tool,
        client: request.client,
        clientId: request.clientKey,
        subject: request.subject,
        callId,
        arguments: args,
        durationMs: performance.now() - started,
        outcome: result ? { result } : { error: failure },
      });
    }
  }

  async listPrompts(): Promise<Prompt[]> {
    return (await this.servedPrompts()).list();
  }

  async getPrompt(name: string, args: Record<string, string>, request: DownstreamRequest): Promise<GetPromptResult | InputRequiredAnswer> {
    const target = (await this.servedPrompts()).resolve(name);
    if (!target) throw new ProtocolError(INVALID_PARAMS, `unknown prompt "${name}"`);
    return this.converse(target.server, request, (connection, signal) =>
      this.relay(() => this.timed(target.server, "prompts/get", () => connection.getPrompt(target.item.name, args, { ...relayedEnvelope(request), signal: this.signalFor({ signal }) }), request)),
    );
  }

  async listResources() {
    return (await this.servedResources()).resources;
  }

  async listResourceTemplates() {
    return (await this.servedResources()).templates;
  }

  async readResource(uri: string, request: DownstreamRequest): Promise<ReadResourceResult | InputRequiredAnswer> {
    const owner = await this.resourceOwner(uri);
    const connection = owner === undefined ? undefined : await this.upstreams.get(owner, request.era);
    if (!connection) throw new ProtocolError(ProtocolErrorCode.ResourceNotFound, `no server offers resource ${uri}`, { uri });
    const server = connection.server.name;
    return this.converse(server, request, (scoped, signal) =>
      this.relay(() => this.timed(server, "resources/read", () => scoped.readResource(uri, { ...relayedEnvelope(request), signal: this.signalFor({ signal }) }), request)),
    );
  }

  /**
   * completion/complete for a served prompt (its name un-prefixed for the upstream) or a resource
   * template (URIs are served unchanged); an upstream without completions offers none.
   */
  async complete(params: CompleteRequestParams, request: DownstreamRequest): Promise<CompleteResult> {
    const { ref } = params;
    let server: string | undefined;
    let upstreamRef = ref;
    if (ref.type === "ref/prompt") {
      const target = (await this.servedPrompts()).resolve(ref.name);
      if (!target) throw new ProtocolError(INVALID_PARAMS, `unknown prompt "${ref.name}"`);
      server = target.server;
      upstreamRef = { ...ref, name: target.item.name };
    } else {
      server = (await this.servedResources()).templateOwner(ref.uri);
      if (!server) throw new ProtocolError(INVALID_PARAMS, `no server offers resource template ${ref.uri}`);
    }
    const connection = await this.upstreams.get(server, request.era);
    if (!connection?.capabilities()?.completions) return { completion: { values: [] } };
    return this.relay(() =>
      this.timed(server, "completion/complete", () => connection.complete({ ...params, ref: upstreamRef }, { signal: this.signalFor(request) }), request),
    );
  }

  /** A client subscribed to a resource: the upstream that owns it is asked for its updates (once per URI). */
  async subscribe(uri: string, request: DownstreamRequest): Promise<void> {
    if (this.subscribed.has(uri)) return;
    const owner = await this.resourceOwner(uri);
    const connection = owner === undefined ? undefined : await this.upstreams.get(owner, request.era);
    if (!connection) throw new ProtocolError(INVALID_PARAMS, `no server offers resource ${uri}`, { uri });
    if (!connection.capabilities()?.resources?.subscribe) {
      throw new ProtocolError(INVALID_PARAMS, `server "${connection.server.name}" does not offer subscriptions to its resources`);
    }
    await this.relay(() => this.timed(connection.server.name, "resources/subscribe", () => connection.subscribeResource(uri), request));
    this.subscribed.set(uri, connection);
  }

  async unsubscribe(uri: string, request: DownstreamRequest): Promise<void> {
    const connection = this.subscribed.get(uri);
    if (connection === undefined) return;
    this.subscribed.delete(uri);
    const server = connection.server.name;
    await this.relay(() => this.timed(server, "resources/unsubscribe", () => connection.unsubscribeResource(uri), request));
  }

  /**
   * The server a URI belongs to: the one that listed it or a template matching it; with one
   * upstream, that one (URIs are served unchanged, so it answers as it would directly).
   */
  private async resourceOwner(uri: string): Promise<string | undefined> {
    return (await this.servedResources()).owner(uri) ?? (await this.soleUpstream())?.server.name;
  }

  /**
   * Waits for in-flight calls up to `graceMs`, then cancels what is left upstream. Calls that start
   * meanwhile (a draining serve still serves its open sessions) are waited for too.
   */
  async drain(graceMs: number): Promise<void> {
    const deadline = Bun.sleep(graceMs).then(() => true);
    while (this.inFlight.size > 0 && !(await Promise.race([Promise.allSettled(this.inFlight).then(() => false), deadline])));
    this.shutdown.abort(new Error("tether mcp serve is shutting down"));
    this.forwarding.close();
    if (this.inFlight.size > 0) await Promise.race([Promise.allSettled(this.inFlight), Bun.sleep(250)]);
  }

  private servedPrompts(): Promise<ServedNames<Prompt>> {
    this.prompts ??= (async () => {
      const connections = (await this.upstreams.ready()).filter((c) => c.capabilities()?.prompts);
      const lists = await Promise.all(
        connections.map(async (c) => ({ server: c.server.name, prompts: await this.listOrNothing(c, "prompts/list", () => c.listPrompts()) })),
      );
      return servedPrompts(lists, this.prefix);
    })();
    this.prompts.catch(() => (this.prompts = undefined));
    return this.prompts;
  }

  private servedResources(): Promise<ServedResources> {
    this.resources ??= (async () => {
      const connections = (await this.upstreams.ready()).filter((c) => c.capabilities()?.resources);
      const lists = await Promise.all(
        connections.map(async (c) => ({
          server: c.server.name,
          resources: await this.listOrNothing(c, "resources/list", () => c.listResources()),
          templates: await this.listOrNothing(c, "resources/templates/list", () => c.listResourceTemplates()),
        })),
      );
      return servedResources(lists, this.prefix);
    })();
    this.resources.catch(() => (this.resources = undefined));
    return this.resources;
  }

  /** One upstream's list failing leaves that upstream out of this list, never the others. */
  private async listOrNothing<T>(connection: McpConnection, method: string, list: () => Promise<T[]>): Promise<T[]> {
    try {
      return await this.timed(connection.server.name, method, list);
    } catch {
      return [];
    }
  }

  private signalFor(request: { signal: AbortSignal }): AbortSignal {
    return AbortSignal.any([request.signal, this.shutdown.signal]);
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** One upstream request, recorded as `tether.mcp_request` for the client it serves (`from`; none for serve's own lists). */
  private async timed<T>(server: string, method: string, work: () => Promise<T>, from?: DownstreamRequest): Promise<T> {
    const started = performance.now();
    const who = { client: from?.client, clientId: from?.clientKey, subject: from?.subject };
    try {
      const result = await work();
      this.telemetry.mcpRequest({ method, server, durationMs: performance.now() - started, ...who });
      return result;
    } catch (error) {
      this.telemetry.mcpRequest({ method, server, durationMs: performance.now() - started, error: errorMessage(error), ...who });
      throw error;
    }
  }


  /** A read or get: the upstream's JSON-RPC error passes through with its code; anything else is -32603. */
  private async relay<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.track(work());
    } catch (error) {
      const upstream = error instanceof TetherError ? error.cause : error;
      if (upstream instanceof ProtocolError) throw upstream;
      throw new ProtocolError(INTERNAL_ERROR, errorMessage(error));
    }
  }

  /**
   * A failed call: the upstream's own JSON-RPC error passes through with its code; a dead or
   * timed-out upstream becomes an `isError` result the model can read (as the spec asks for
   * execution errors), in tether's one-line wording that never carries a credential.
   */
  private failedCall(error: unknown): CallToolResult {
    const upstream = error instanceof TetherError ? error.cause : undefined;
    if (upstream instanceof ProtocolError) throw upstream;
    return { content: [{ type: "text", text: errorMessage(error) }], isError: true };
  }
}

/**
 * What the downstream request's envelope passes on upstream (2026-07-28 upstreams; ../mcp/connect.ts
 * CallOptions): its log level, the questions its client can answer, and answers it sent unasked
 * with a first request (a retry's answers are tether's to deliver: ./forwarding.ts).
 */
function relayedEnvelope(request: DownstreamRequest): CallOptions {
  const { capabilities, requestState, inputResponses } = request.input;
  return {
    logLevel: request.logLevel,
    answers: capabilities,
    inputResponses: requestState === undefined ? inputResponses : undefined,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
