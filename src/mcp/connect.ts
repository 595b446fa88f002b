// Turns a validated server entry into a connected SDK Client, bounded by startup_timeout_sec,
// with SDK failures translated into one-line ConnectionErrors that name the server.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Context } from "../context.ts";
import type { HttpServerConfig, ServerConfig, StdioServerConfig } from "../config/types.ts";
import { ConnectionError, TetherError } from "../errors.ts";
import { describeCallError, describeConnectError } from "./errors.ts";
import { createSseTransport, createStreamableTransport, looksLikeLegacySse, serverUrl } from "./http.ts";
import { resolveHttpAuth } from "./http-auth.ts";
import { createStdioChild, stopStdioChild, type StdioChild } from "./stdio.ts";
import { filterTools } from "./tool-filter.ts";

export interface McpConnection {
  server: ServerConfig;
  /** How it connected: stdio, streamable HTTP, or the legacy HTTP+SSE fallback. */
  via: "stdio" | "http" | "sse";
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;
  /** The server's tools after enabled_tools / disabled_tools. */
  tools: Tool[];
  /** Time to connect, initialize and list tools. */
  latencyMs: number;
  pid?: number;
  stderrTail(): string[];
  callTool(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

interface Opened {
  client: Client;
  via: McpConnection["via"];
  protocolVersion(): string | undefined;
  child?: StdioChild;
}

export async function connectServer(ctx: Context, server: ServerConfig): Promise<McpConnection> {
  const started = performance.now();
  const deadline = server.startupTimeoutSec * 1000;
  let opened: Opened | undefined;
  let child: StdioChild | undefined;
  try {
    const attempt = (async () => {
      opened = server.transport === "stdio" ? await openStdio(ctx, server, (c) => (child = c)) : await openHttp(ctx, server, deadline);
      const { tools } = await opened.client.listTools(undefined, { timeout: deadline, signal: ctx.signal });
      return tools;
    })();
    const tools = await withDeadline(attempt, deadline, server);
    const ready = opened!;
    const connection = makeConnection(ctx, server, ready, filterTools(server, tools), performance.now() - started);
    ctx.atExit(() => connection.close());
    return connection;
  } catch (error) {
    const tail = child?.stderr.snapshot() ?? [];
    await closeQuietly(opened?.client, child);
    throw error instanceof TetherError ? withStderr(error, tail) : describeConnectError(server, error, tail);
  }
}

function makeConnection(ctx: Context, server: ServerConfig, opened: Opened, tools: Tool[], latencyMs: number): McpConnection {
  const { client, child } = opened;
  let closed: Promise<void> | undefined;
  return {
    server,
    via: opened.via,
    serverInfo: client.getServerVersion(),
    protocolVersion: opened.protocolVersion(),
    tools,
    latencyMs,
    pid: child?.transport.pid ?? undefined,
    stderrTail: () => child?.stderr.snapshot() ?? [],
    async callTool(name, args, options = {}) {
      try {
        return (await client.callTool({ name, arguments: args }, undefined, {
          timeout: server.toolTimeoutSec * 1000,
          resetTimeoutOnProgress: true,
          onprogress: () => {},
          signal: options.signal ?? ctx.signal,
        })) as CallToolResult;
      } catch (error) {
        throw describeCallError(server, name, error, child?.stderr.snapshot() ?? []);
      }
    },
    close: () => (closed ??= closeQuietly(client, child)),
  };
}

async function openStdio(ctx: Context, server: StdioServerConfig, onChild: (child: StdioChild) => void): Promise<Opened> {
  const child = createStdioChild(ctx, server);
  onChild(child);
  const client = newClient(ctx);
  const version = captureProtocolVersion(child.transport);
  await client.connect(child.transport, { timeout: server.startupTimeoutSec * 1000, signal: ctx.signal });
  return { client, via: "stdio", protocolVersion: version, child };
}

async function openHttp(ctx: Context, server: HttpServerConfig, timeout: number): Promise<Opened> {
  const url = serverUrl(ctx, server);
  const auth = await resolveHttpAuth(ctx, server);
  const streamable = createStreamableTransport(ctx, url, auth);
  const client = newClient(ctx);
  const version = captureProtocolVersion(streamable);
  try {
    await client.connect(streamable, { timeout, signal: ctx.signal });
    return { client, via: "http", protocolVersion: version };
  } catch (error) {
    if (!(error instanceof StreamableHTTPError) || !looksLikeLegacySse(error.code)) throw error;
    await client.close().catch(() => {});
  }
  const legacy = createSseTransport(ctx, url, auth);
  const sseClient = newClient(ctx);
  const legacyVersion = captureProtocolVersion(legacy);
  await sseClient.connect(legacy, { timeout, signal: ctx.signal });
  return { client: sseClient, via: "sse", protocolVersion: legacyVersion };
}

function newClient(ctx: Context): Client {
  return new Client({ name: "tether", version: ctx.version }, { capabilities: {} });
}

/** The SDK hands the negotiated version to the transport; keep a copy for `doctor`. */
function captureProtocolVersion(transport: Transport): () => string | undefined {
  let version: string | undefined;
  const original = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (negotiated: string) => {
    version = negotiated;
    original?.(negotiated);
  };
  return () => version;
}

async function withDeadline<T>(work: Promise<T>, ms: number, server: ServerConfig): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(startupTimeout(server)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function startupTimeout(server: ServerConfig): ConnectionError {
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
