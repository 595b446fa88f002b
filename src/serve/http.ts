// `tether mcp serve --http`: streamable HTTP at /mcp under Bun.serve, with the guards the SDK's
// handler leaves to its host (docs/serving/http.md "Validate Host and Origin in front of it"):
// Host and Origin checks against DNS rebinding, a bearer token for non-loopback binds, body bounds.
import { createHash, timingSafeEqual } from "node:crypto";
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  type McpServerFactory,
  originValidationResponse,
} from "@modelcontextprotocol/server";
import { UsageError } from "../errors.ts";

export const MCP_PATH = "/mcp";
/** The largest request body read, in bytes: the SDK's own default, also enforced by Bun before parsing. */
export const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_HTTP_HOST = "127.0.0.1";

export interface HttpBind {
  host: string;
  port: number;
}

/** `HOST:PORT`, `:PORT` or `PORT` (host 127.0.0.1); `[::1]:PORT` for IPv6. */
export function parseHttpBind(value: string): HttpBind {
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65_535) {
    throw new UsageError(`--http wants HOST:PORT (e.g. 127.0.0.1:8080), got "${value}"`);
  }
  const host = (match[1] ?? "").replace(/^\[|\]$/g, "") || DEFAULT_HTTP_HOST;
  return { host, port };
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface HttpServeOptions {
  bind: HttpBind;
  /** Required unless the bind is loopback: clients send `Authorization: Bearer <token>`. */
  token?: string;
  onError?(error: Error): void;
}

export interface HttpServing {
  url: string;
  /** Publishes a list change to every open 2026-07-28 subscription stream. */
  notifyListChanged(kind: "tools" | "resources" | "prompts"): void;
  /** Publishes notifications/resources/updated to the 2026-07-28 streams that listen for `uri`. */
  notifyResourceUpdated(uri: string): void;
  /** Stops accepting connections; in-flight requests keep running. */
  stopAccepting(): Promise<void>;
  /** Closes everything still open. */
  close(): Promise<void>;
}

export function serveHttp(factory: McpServerFactory, options: HttpServeOptions): HttpServing {
  const { bind, token } = options;
  const loopback = isLoopbackHost(bind.host);
  const handler = createMcpHandler(factory, { maxRequestBodySize: MAX_REQUEST_BODY_BYTES, onerror: options.onError });
  // On a loopback bind only loopback names may appear in Host: a page whose domain was rebound
  // to 127.0.0.1 sends its own domain and is refused. A non-loopback bind is reached under names
  // tether cannot know, so there the token is the guard; browsers' cross-site Origins stay refused.
  const allowedHosts = loopback ? localhostAllowedHostnames() : undefined;
  const allowedOrigins = loopback ? localhostAllowedOrigins() : [...localhostAllowedOrigins(), bind.host];
  const expected = token === undefined ? undefined : digest(token);

  const server = Bun.serve({
    hostname: bind.host,
    port: bind.port,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    // Long tool calls stream progress over SSE; Bun's 10 s default idle timeout would cut them.
    idleTimeout: 0,
    async fetch(request) {
      const rejected =
        (allowedHosts && hostHeaderValidationResponse(request, allowedHosts)) ?? originValidationResponse(request, allowedOrigins);
      if (rejected) return rejected;
      if (new URL(request.url).pathname !== MCP_PATH) return new Response("Not found: MCP is served at /mcp\n", { status: 404 });
      if (expected && !authorized(request, expected)) {
        return new Response("Unauthorized\n", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="tether"' } });
      }
      return handler.fetch(request);
    },
  });
  const shownHost = bind.host.includes(":") ? `[${bind.host}]` : bind.host;
  return {
    url: `http://${shownHost}:${server.port}${MCP_PATH}`,
    notifyListChanged(kind) {
      if (kind === "tools") handler.notify.toolsChanged();
      else if (kind === "prompts") handler.notify.promptsChanged();
      else handler.notify.resourcesChanged();
    },
    notifyResourceUpdated: (uri) => handler.notify.resourceUpdated(uri),
    stopAccepting: () => server.stop(false),
    async close() {
      await handler.close();
      await server.stop(true);
    },
  };
}

/** Constant time: both sides are hashed first, so neither the length nor a prefix leaks. */
function authorized(request: Request, expected: Buffer): boolean {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return timingSafeEqual(digest(match?.[1] ?? ""), expected) && match !== null;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
