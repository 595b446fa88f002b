// The fixture MCP server tether's tests run as a separate process: stdio, streamable HTTP, legacy HTTP+SSE, OAuth.
// Usage: bun test/support/fixture-server.ts [--stdio | --http | --sse-legacy] [--era legacy|modern|dual] [flags];
// see parseFixtureArgs. Eras: `legacy` is a 2025-only server (v1 SDK, the default), `modern` a strict
// 2026-07-28 server that refuses 2025 clients, `dual` answers both (v2 SDK).
import { appendFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import type { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createFixtureMcpServer, type FixtureToolOptions, HOSTILE_TEXT, taskStatuses } from "./fixture-tools.ts";
import { DEVICE_POLL_ANSWERS, type DeviceFixtureOptions, type DevicePollAnswer, OAuthFixture, type OAuthFixtureOptions } from "./oauth-server.ts";
// The v2 SDK (./fixture-tools-modern.ts), the enterprise IdP (jose) and the v1 HTTP transports are
// imported where a fixture of that era, with --idp or over HTTP needs them: a run of the suite
// starts about 1,100 fixtures, most of them legacy stdio ones, and loading what they never use
// was about half of each start's CPU (72 → 39 ms).
import { endlessSseEvent, omitResultType, resultRewriter, spoilContent, FLOOD_KINDS, type FloodKind, floodSse, floodStream, forkHelper, stderrWithoutNewline } from "./fixture-hostile.ts";

interface FixtureOptions extends FixtureToolOptions, OAuthFixtureOptions {
  mode: "stdio" | "http" | "sse-legacy";
  era: "legacy" | "modern" | "dual";
  port: number;
  token?: string;
  requiredHeaders: [string, string][];
  oauth: boolean;
  /** --idp (with --oauth): an enterprise IdP at /idp, and the jwt-bearer grant at the authorization server. */
  idp: boolean;
  /** --idp-client ID[:SECRET], repeatable (default tether-idp, public). */
  idpClients: string[];
  /** --idp-key-client ID:PUBLIC_KEY_PEM_FILE, repeatable: a private_key_jwt client of the IdP. */
  idpKeyClients: string[];
  /** --idp-no-device: the IdP offers no device login (no device_authorization_endpoint). */
  idpNoDevice: boolean;
  hang: boolean;
  garbage: boolean;
  exitOnStart?: number;
  startDelayMs: number;
  /** Delay before answering the first MCP request (initialize) over HTTP: a slow server. */
  initDelayMs: number;
  pidFile?: string;
  /** `--flood KIND`: stdio floods notifications from the start; HTTP answers tools/call with a flood. */
  flood?: FloodKind;
  /** `--stderr-bytes N`: N bytes of stderr without a newline before the server starts. */
  stderrBytes: number;
  /** `--endless-event` (HTTP): tools/call is answered with an SSE event that never ends. */
  endlessEvent: boolean;
  /** `--fork-helper PIDFILE` / `--double-fork PIDFILE`: a helper that ignores stdin EOF. */
  helper?: { pidFile: string; double: boolean };
  /** `--no-result-type` (modern era): results without `resultType` (./fixture-hostile.ts). */
  noResultType: boolean;
  /** `--bad-result`: tool results whose content is not a list (./fixture-hostile.ts). */
  badResult: boolean;
  /**
   * `--silent-listen` (HTTP, modern era): a subscriptions/listen request is answered with a JSON
   * body that never ends and never acknowledges, as the conformance suite's reference server does.
   */
  silentListen: boolean;
  /** `--json-response` (HTTP, legacy era): answer POSTs with one JSON body instead of an SSE stream. */
  jsonResponse: boolean;
  /** `--trace-file PATH` (issue 23): one JSON line per request received, with the trace context it carried. */
  traceFile?: string;
  // Era probes (issue 21 item 7).
  /**
   * `--exit-on-discover` (stdio, legacy era): exit when the first message is `server/discover`, as
   * servers on SDKs that end on any request before `initialize` do (go-sdk #1177).
   */
  exitOnDiscover: boolean;
  /** `--starts-file PATH`: append a line per start, so a test can count the processes tether ran. */
  startsFile?: string;
}

/** A fixture never outlives a test run by much, even if the test forgets it. */
const MAX_LIFETIME_MS = 10 * 60_000;
/** How long a fixture keeps the start-up JIT policy. */
const FIXTURE_JIT_HOLD_MS = 100;

function parseFixtureArgs(argv: string[]): FixtureOptions {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      stdio: { type: "boolean" },
      http: { type: "boolean" },
      "sse-legacy": { type: "boolean" },
      era: { type: "string" },
      port: { type: "string" },
      token: { type: "string" },
      "require-header": { type: "string", multiple: true },
      name: { type: "string" },
      version: { type: "string" },
      hang: { type: "boolean" },
      garbage: { type: "boolean" },
      "exit-on-start": { type: "string" },
      "start-delay": { type: "string" },
      "init-delay": { type: "string" },
      "pid-file": { type: "string" },
      tools: { type: "string" },
      "many-tools": { type: "string" },
      "extra-tool": { type: "string", multiple: true },
      oauth: { type: "boolean" },
      idp: { type: "boolean" },
      "idp-client": { type: "string", multiple: true },
      "idp-key-client": { type: "string", multiple: true },
      "idp-no-device": { type: "boolean" },
      "no-registration": { type: "boolean" },
      "static-client": { type: "string", multiple: true },
      deny: { type: "boolean" },
      "token-lifetime": { type: "string" },
      scopes: { type: "string" },
      "prm-in-challenge-only": { type: "boolean" },
      "bad-iss": { type: "boolean" },
      "scope-required": { type: "string", multiple: true },
      "task-tool": { type: "boolean" },
      "page-size": { type: "string" },
      "hostile-text": { type: "boolean" },
      "expires-in": { type: "string" },
      "authorization-endpoint": { type: "string" },
      device: { type: "boolean" },
      "device-script": { type: "string" },
      "device-interval": { type: "string" },
      "device-expires-in": { type: "string" },
      "device-user-code": { type: "string" },
      "device-verification-uri": { type: "string" },
      flood: { type: "string" },
      "stderr-bytes": { type: "string" },
      "endless-event": { type: "boolean" },
      "fork-helper": { type: "string" },
      "double-fork": { type: "string" },
      "rpc-error": { type: "string" },
      "json-response": { type: "boolean" },
      "trace-file": { type: "string" },
      features: { type: "boolean" },
      "ask-in-reads": { type: "boolean" },
      cancellable: { type: "boolean" },
      subscriptions: { type: "boolean" },
      conformance: { type: "boolean" },
      "exec-tools": { type: "boolean" },
      "io-tools": { type: "boolean" },
      counter: { type: "boolean" },
      "no-result-type": { type: "boolean" },
      "bad-result": { type: "boolean" },
      "silent-listen": { type: "boolean" },
      // DPoP (RFC 9449) mode of the OAuth fixture: see the DPoP block of ./oauth-server.ts.
      dpop: { type: "boolean" },
      "dpop-unadvertised": { type: "boolean" },
      "dpop-nonce": { type: "boolean" },
      "exit-on-discover": { type: "boolean" },
      "trusted-assertion": { type: "string", multiple: true },
      "github-oidc": { type: "boolean" },
      "starts-file": { type: "string" },
      // List caching (SEP-2549, issue 22): the cache hints of every list result (modern era).
      "ttl-ms": { type: "string" },
      "cache-scope": { type: "string" },
    },
  });
  const int = (flag: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} wants a non-negative integer, got ${value}`);
    return n;
  };
  const requiredHeaders = (v["require-header"] ?? []).map((spec): [string, string] => {
    const colon = spec.indexOf(":");
    if (colon <= 0) throw new Error(`--require-header wants 'Name: value', got ${spec}`);
    return [spec.slice(0, colon).trim().toLowerCase(), spec.slice(colon + 1).trim()];
  });
  const mode = v["sse-legacy"] ? "sse-legacy" : v.http || v.oauth ? "http" : "stdio";
  if (v.oauth && v.token) throw new Error("--oauth and --token are exclusive");
  if (v.oauth && mode !== "http") throw new Error("--oauth needs --http");
  // FIXTURE_ERA lets a test change a server's era without changing its command line.
  const era = v.era ?? process.env.FIXTURE_ERA ?? "legacy";
  if (era !== "legacy" && era !== "modern" && era !== "dual") throw new Error(`--era wants legacy, modern or dual, got ${era}`);
  if (era !== "legacy" && mode === "sse-legacy") throw new Error("--sse-legacy is a 2025-only transport");
  if (era === "legacy" && v["no-result-type"]) throw new Error("--no-result-type is a 2026-07-28 behaviour (--era modern or dual)");
  if (v.subscriptions && !v.features) throw new Error("--subscriptions needs --features (it makes the catalog's readme subscribable)");
  if (v.flood !== undefined && !FLOOD_KINDS.includes(v.flood as FloodKind)) throw new Error(`--flood wants ${FLOOD_KINDS.join(", ")}, got ${v.flood}`);
  if (v["exit-on-discover"] && (mode !== "stdio" || era !== "legacy")) throw new Error("--exit-on-discover is a 2025-only stdio behaviour");
  const helperPidFile = v["fork-helper"] ?? v["double-fork"];
  const rpcError = v["rpc-error"] === undefined ? undefined : Number(v["rpc-error"]);
  if (rpcError !== undefined && !Number.isInteger(rpcError)) throw new Error(`--rpc-error wants an integer code, got ${v["rpc-error"]}`);
  return {
    mode,
    era,
    port: int("port", v.port, 0),
    token: v.token,
    requiredHeaders,
    name: v.name ?? "fixture",
    version: v.version ?? "1.0.0",
    hang: !!v.hang,
    garbage: !!v.garbage,
    exitOnStart: v["exit-on-start"] === undefined ? undefined : int("exit-on-start", v["exit-on-start"], 1),
    startDelayMs: int("start-delay", v["start-delay"], 0),
    initDelayMs: int("init-delay", v["init-delay"], 0),
    pidFile: v["pid-file"],
    tools: v.tools?.split(",").map((t) => t.trim()).filter(Boolean),
    manyTools: int("many-tools", v["many-tools"], 0),
    extraTools: v["extra-tool"] ?? [],
    oauth: !!v.oauth,
    idp: !!v.idp,
    idpClients: v["idp-client"] ?? (v["idp-key-client"] ? [] : ["tether-idp"]),
    idpKeyClients: v["idp-key-client"] ?? [],
    idpNoDevice: !!v["idp-no-device"],
    noRegistration: !!v["no-registration"],
    staticClients: v["static-client"] ?? [],
    deny: !!v.deny,
    tokenLifetime: int("token-lifetime", v["token-lifetime"], 3600),
    scopes: (v.scopes ?? "mcp:tools").split(",").map((s) => s.trim()).filter(Boolean),
    prmInChallengeOnly: !!v["prm-in-challenge-only"],
    badIss: !!v["bad-iss"],
    scopeRequired: v["scope-required"] ?? [],
    taskTool: !!v["task-tool"],
    pageSize: int("page-size", v["page-size"], 0),
    hostileText: !!v["hostile-text"],
    expiresIn: v["expires-in"] === undefined ? undefined : Number(v["expires-in"]),
    dpop: v.dpop ? "advertised" : v["dpop-unadvertised"] ? "unadvertised" : undefined,
    dpopNonce: !!v["dpop-nonce"],
    authorizationEndpoint: v["authorization-endpoint"],
    device: v.device ? deviceOptions(v, int) : undefined,
    flood: v.flood as FloodKind | undefined,
    stderrBytes: int("stderr-bytes", v["stderr-bytes"], 0),
    endlessEvent: !!v["endless-event"],
    helper: helperPidFile === undefined ? undefined : { pidFile: helperPidFile, double: v["double-fork"] !== undefined },
    rpcErrorCode: rpcError,
    jsonResponse: !!v["json-response"],
    features: !!v.features,
    askInReads: !!v["ask-in-reads"],
    cancellable: !!v.cancellable,
    subscriptions: !!v.subscriptions,
    conformance: !!v.conformance,
    execTools: !!v["exec-tools"],
    ioTools: !!v["io-tools"],
    counter: !!v.counter,
    noResultType: !!v["no-result-type"],
    badResult: !!v["bad-result"],
    silentListen: !!v["silent-listen"],
    exitOnDiscover: !!v["exit-on-discover"],
    trustedAssertions: v["trusted-assertion"] ?? [],
    githubOidc: !!v["github-oidc"],
    startsFile: v["starts-file"],
    traceFile: v["trace-file"],
    // List caching (SEP-2549): --ttl-ms N [--cache-scope public|private] (default public).
    cacheHint:
      v["ttl-ms"] === undefined
        ? undefined
        : { ttlMs: int("ttl-ms", v["ttl-ms"], 0), cacheScope: v["cache-scope"] === "private" ? ("private" as const) : ("public" as const) },
  };
}

/** How the fixture spoils its results after its SDK checked them, if at all. */
function resultEdit(options: FixtureOptions) {
  return options.noResultType ? omitResultType : options.badResult ? spoilContent : undefined;
}

/** --conformance over HTTP: how long a client whose stream the fixture closed waits to reconnect. */
const CONFORMANCE_RETRY_MS = 200;

const keepAlive = () => setInterval(() => {}, 1 << 30);

async function serveStdio(options: FixtureOptions): Promise<void> {
  if (options.hang) {
    keepAlive(); // never reads stdin, never answers initialize
    return;
  }
  if (options.garbage) {
    const garbage = () => process.stdout.write("this is not json-rpc\n<<<garbage>>> {\n");
    garbage();
    process.stdin.on("data", garbage);
    keepAlive();
    return;
  }
  process.stdin.on("end", () => process.exit(0));
  if (options.traceFile) recordStdinTraceContext(options.traceFile);
  // Responses and the flood share stdout in order, so the handshake still gets through.
  if (options.flood) floodStream(process.stdout, options.flood);
  const edit = resultEdit(options);
  if (edit) {
    // The SDKs' stdio transports write one whole message per write.
    const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
    const rewriter = resultRewriter(edit);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
      write(rewriter.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")), ...rest)) as typeof process.stdout.write;
  }
  if (options.exitOnDiscover) exitOnDiscover();
  if (options.era === "legacy") {
    await createFixtureMcpServer(options).connect(new StdioServerTransport());
    return;
  }
  const [{ serveStdio: serveModernStdio }, { createModernFixtureServer }] = await Promise.all([import("@modelcontextprotocol/server/stdio"), import("./fixture-tools-modern.ts")]);
  serveModernStdio(() => createModernFixtureServer(options), { legacy: options.era === "modern" ? "reject" : "serve" });
}

/** --exit-on-discover: looks at the first line before the SDK does, and ends the process on a probe. */
function exitOnDiscover(): void {
  let first = true;
  process.stdin.prependListener("data", (chunk: Buffer) => {
    if (!first) return;
    first = false;
    const line = chunk.toString("utf8").split("\n")[0] ?? "";
    if (!line.includes('"server/discover"')) return;
    process.stderr.write("fixture: unknown first message server/discover; exiting\n");
    process.exit(1);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const rpcError = (code: number, message: string) => ({ jsonrpc: "2.0", error: { code, message }, id: null });

/** The parsed JSON-RPC body, or undefined after answering 400 for a body that is not JSON. */
function parseJsonBody(res: ServerResponse, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    sendJson(res, 400, rpcError(-32700, "Parse error"));
    return undefined;
  }
}

async function modernHandler(options: FixtureOptions) {
  const [{ createMcpHandler }, { createModernFixtureServer }] = await Promise.all([import("@modelcontextprotocol/server"), import("./fixture-tools-modern.ts")]);
  return createMcpHandler(() => createModernFixtureServer(options), { legacy: options.era === "modern" ? "reject" : "stateless" });
}

async function serveHttp(options: FixtureOptions): Promise<void> {
  const [{ SSEServerTransport }, { StreamableHTTPServerTransport }, { InMemoryEventStore }] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/sse.js"),
    import("@modelcontextprotocol/sdk/server/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js"),
  ]);
  let origin = "";
  const oauth = options.oauth ? new OAuthFixture(options, () => origin) : undefined;
  // The ID-JAG names the authorization server's first pre-registered client.
  const idp = oauth && options.idp ? new (await import("./enterprise-idp.ts")).EnterpriseIdp(() => origin, options.idpClients, options.idpKeyClients, () => options.staticClients[0]?.split(":")[0] ?? "", !options.idpNoDevice) : undefined;
  if (oauth && idp) oauth.enterprise = idp;
  const legacySessions = new Map<string, SSEServerTransport>();
  // `methods`: JSON-RPC requests by method (list caching tests count tools/list).
  const counters = { mcpRequests: 0, rejected: 0, lastHeaders: {} as Record<string, unknown>, methods: {} as Record<string, number> };

  const isMcpPath = (path: string) =>
    path === "/mcp" || (options.mode === "sse-legacy" && (path === "/sse" || path === "/messages"));

  /** Header, bearer and OAuth checks for MCP endpoints; answers and returns false when the request is refused. */
  const admit = (req: IncomingMessage, res: ServerResponse, body: string): boolean => {
    for (const [name, value] of options.requiredHeaders) {
      if (req.headers[name] !== value) {
        counters.rejected++;
        sendJson(res, 400, { error: "missing_header", message: `fixture: header ${name} must be ${JSON.stringify(value)}` });
        return false;
      }
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      counters.rejected++;
      sendJson(
        res,
        401,
        { error: "unauthorized", message: "fixture: a valid bearer token is required" },
        { "WWW-Authenticate": 'Bearer realm="fixture"' },
      );
      return false;
    }
    if (oauth && !oauth.isAuthorized(req)) {
      counters.rejected++;
      oauth.rejectUnauthorized(res);
      return false;
    }
    const missing = oauth?.missingScope(req, body);
    if (missing) {
      counters.rejected++;
      oauth!.rejectInsufficientScope(res, missing);
      return false;
    }
    return true;
  };

  // --conformance: a session per initialize, with resumable streams, as the suite's scenarios
  // (server-initiated requests, session lifecycle, SSE polling) need of a server reached directly.
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const handleSessions = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const id = req.headers["mcp-session-id"];
    const parsed = req.method === "POST" ? parseJsonBody(res, body) : undefined;
    if (req.method === "POST" && parsed === undefined) return;
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (!transport) {
      if (id !== undefined || req.method !== "POST") return sendJson(res, 404, rpcError(-32001, "Session not found"));
      const fresh = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        eventStore: new InMemoryEventStore(),
        retryInterval: CONFORMANCE_RETRY_MS,
        enableDnsRebindingProtection: true,
        allowedHosts: [new URL(origin).host, `localhost:${new URL(origin).port}`],
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, fresh),
        onsessionclosed: (sessionId) => void sessions.delete(sessionId),
      });
      await createFixtureMcpServer(options).connect(fresh);
      transport = fresh;
    }
    await transport.handleRequest(req, res, parsed);
  };

  const handleStreamable = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (options.conformance) return handleSessions(req, res, body);
    if (req.method !== "POST") {
      // Stateless server: no standalone GET stream, no sessions to DELETE.
      sendJson(res, 405, rpcError(-32000, "Method not allowed."), { Allow: "POST" });
      return;
    }
    const parsed = parseJsonBody(res, body);
    if (parsed === undefined) return;
    const server = createFixtureMcpServer(options);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: options.jsonResponse });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, parsed);
  };

  const modern = options.era === "legacy" ? undefined : await modernHandler(options);

  /** The v2 handler speaks web Request/Response; this fixture serves node:http. */
  const handleModern = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const request = new Request(new URL(req.url ?? "/", origin), {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    const response = await modern!.fetch(request);
    const edit = resultEdit(options);
    const rewriter = edit && resultRewriter(edit);
    const responseHeaders = Object.fromEntries(response.headers.entries());
    if (rewriter) delete responseHeaders["content-length"];
    res.writeHead(response.status, responseHeaders);
    if (response.body) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        res.write(rewriter ? rewriter.push(decoder.decode(next.value, { stream: true })) : next.value);
      }
    }
    res.end(rewriter?.end());
  };

  const handleLegacy = async (req: IncomingMessage, res: ServerResponse, path: string, body: string) => {
    if (req.method === "GET" && (path === "/mcp" || path === "/sse")) {
      const transport = new SSEServerTransport("/messages", res);
      legacySessions.set(transport.sessionId, transport);
      res.on("close", () => legacySessions.delete(transport.sessionId));
      await createFixtureMcpServer(options).connect(transport);
      return;
    }
    if (req.method === "POST" && path === "/messages") {
      const sessionId = new URL(req.url ?? "/", origin).searchParams.get("sessionId") ?? "";
      const transport = legacySessions.get(sessionId);
      if (!transport) {
        sendJson(res, 404, rpcError(-32001, "Session not found"));
        return;
      }
      const parsed = parseJsonBody(res, body);
      if (parsed === undefined) return;
      await transport.handlePostMessage(req, res, parsed);
      return;
    }
    // What an HTTP+SSE-only server says to a streamable HTTP POST.
    sendJson(res, 405, rpcError(-32000, "Method not allowed: this server speaks the legacy HTTP+SSE transport"), {
      Allow: "GET",
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const path = url.pathname;
    if (options.hang && !path.startsWith("/_test/")) return; // accept, never answer
    const body = await readBody(req);
    if (req.method === "GET" && path === "/_test/stats") {
      sendJson(res, 200, { ...counters, ...oauth?.stats(), ...idp?.stats(), tasks: await taskStatuses() });
      return;
    }
    // DPoP proofs are checked (async, with jose) before the synchronous OAuth routes and admit() see the request.
    if (oauth && !(await oauth.checkDpop(req, res, url, body, isMcpPath(path)))) return;
    if (oauth?.handle(req, res, url, body)) return;
    if (await idp?.handle(req, res, url, body)) return;
    if (!isMcpPath(path)) {
      sendJson(res, 404, { error: "not_found", message: `fixture: no route ${req.method} ${path}` });
      return;
    }
    counters.mcpRequests++;
    for (const method of requestMethods(body)) counters.methods[method] = (counters.methods[method] ?? 0) + 1;
    if (options.traceFile) recordTraceContext(options.traceFile, body, req.headers.traceparent);
    if (options.initDelayMs > 0 && body.includes('"initialize"')) await Bun.sleep(options.initDelayMs);
    counters.lastHeaders = req.headers;
    if (!admit(req, res, body)) return;
    if (options.garbage) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("this is not json-rpc <<<garbage>>> {");
      return;
    }
    if (body.includes('"tools/call"') && (options.flood || options.endlessEvent)) {
      if (options.flood) floodSse(res, options.flood);
      else endlessSseEvent(res);
      return;
    }
    if (options.silentListen && body.includes('"subscriptions/listen"')) {
      res.writeHead(200, { "Content-Type": "application/json" });
      return;
    }
    if (options.mode === "sse-legacy") await handleLegacy(req, res, path, body);
    else if (modern) await handleModern(req, res, body);
    else await handleStreamable(req, res, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`fixture: request failed: ${String(error)}\n`);
      if (!res.headersSent) sendJson(res, 500, rpcError(-32603, "Internal server error"));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  process.stdout.write(`${JSON.stringify({ url: `${origin}/mcp`, port })}\n`);
}

async function main(): Promise<void> {
  let options: FixtureOptions;
  try {
    options = parseFixtureArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fixture: usage: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref();
  // The executable starts with the JIT held back (fixture.ts, FIXTURE_JIT_POLICY), as tether's own
  // does: most fixtures answer a few requests and exit. One that lives on gets the normal JIT back.
  setTimeout(() => Bun.unsafe.setJITPolicy(1), FIXTURE_JIT_HOLD_MS).unref();
  if (options.pidFile) writeFileSync(options.pidFile, `${process.pid}\n`);
  if (options.startsFile) appendFileSync(options.startsFile, `${process.pid}\n`);
  if (options.exitOnStart !== undefined) {
    if (options.hostileText) process.stderr.write(`fixture: ${HOSTILE_TEXT}\n`);
    process.stderr.write("fixture: fatal: config missing\n");
    process.exit(options.exitOnStart);
  }
  if (options.hostileText) process.stderr.write(`fixture: ${HOSTILE_TEXT}\n`);
  process.stderr.write(`fixture: started (pid ${process.pid})\n`);
  if (options.helper) forkHelper(options.helper.pidFile, options.helper.double);
  if (options.stderrBytes > 0) await stderrWithoutNewline(options.stderrBytes);
  if (options.startDelayMs > 0) await Bun.sleep(options.startDelayMs);
  if (options.mode === "stdio") await serveStdio(options);
  else await serveHttp(options);
}

main().catch((error: unknown) => {
  process.stderr.write(`fixture: fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/** `--device` and its `--device-*` flags (the device block of oauth-server.ts). */
function deviceOptions(v: Record<string, string | boolean | string[] | undefined>, int: (flag: string, value: string | undefined, fallback: number) => number): DeviceFixtureOptions {
  const script = String(v["device-script"] ?? "ok").split(",").map((s) => s.trim()) as DevicePollAnswer[];
  const unknown = script.find((answer) => !DEVICE_POLL_ANSWERS.includes(answer));
  if (unknown !== undefined || script.length === 0) throw new Error(`--device-script wants ${DEVICE_POLL_ANSWERS.join(", ")}, got ${unknown}`);
  const text = (flag: string) => (typeof v[flag] === "string" ? (v[flag] as string) : undefined);
  return {
    script,
    interval: text("device-interval") === undefined ? undefined : int("device-interval", text("device-interval"), 0),
    expiresIn: int("device-expires-in", text("device-expires-in"), 600),
    userCode: text("device-user-code"),
    verificationUri: text("device-verification-uri"),
  };
}

/** The methods of the JSON-RPC requests in a POST body (one message or a batch); none for anything else. */
function requestMethods(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages.flatMap((m) => (m && typeof m === "object" && "id" in m && typeof (m as { method?: unknown }).method === "string" ? [(m as { method: string }).method] : []));
  } catch {
    return [];
  }
}

/** `--trace-file`: each request's method and the W3C trace context of its `params._meta` (and HTTP header). */
function recordTraceContext(file: string, body: string, header?: string | string[]): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return;
  }
  for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
    if (!m || typeof m !== "object" || !("id" in m) || typeof (m as { method?: unknown }).method !== "string") continue;
    const meta = ((m as { params?: { _meta?: Record<string, unknown> } }).params?._meta ?? {}) as Record<string, unknown>;
    const line = { method: (m as { method: string }).method, traceparent: meta.traceparent, tracestate: meta.tracestate, baggage: meta.baggage, header };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

/** The stdio side of `--trace-file`: the lines on stdin, read beside the SDK's own reader. */
function recordStdinTraceContext(file: string): void {
  let buffered = "";
  process.stdin.prependListener("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) recordTraceContext(file, line);
  });
}
