// The checks `tether mcp serve --http` makes before an MCP request reaches the SDK: browser Origins,
// the bearer token, the body deadline and the per-peer connection cap. A refusal closes the
// connection without reading the body, so a peer that is not allowed in cannot hold a socket by
// trickling one.
import { createHash, timingSafeEqual } from "node:crypto";
import { UsageError } from "../errors.ts";
import { SERVE_REALM } from "../mcp/errors.ts";

/** `--body-timeout`'s default: an allowed request's body must have arrived within this many seconds. */
export const DEFAULT_BODY_TIMEOUT_SECONDS = 30;

/** A refusal: answered at once, and the connection closed rather than drained. */
export function refuse(response: Response): Response {
  response.headers.set("Connection", "close");
  return response;
}

export function unauthorized(): Response {
  return refuse(new Response("Unauthorized: send Authorization: Bearer <token>\n", { status: 401, headers: { "WWW-Authenticate": `Bearer realm="${SERVE_REALM}"` } }));
}

/** Constant time: both sides are hashed first, so neither the length nor a prefix leaks. */
export function tokenMatcher(token: string): (request: Request) => boolean {
  const expected = digest(token);
  return (request) => {
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "");
    return timingSafeEqual(digest(match?.[1] ?? ""), expected) && match !== null;
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * `--allow-origin` (or `what` names where they came from): full origins (`https://app.example.com`,
 * `http://localhost:5173`), repeatable or comma-separated.
 */
export function parseAllowOrigins(values: string[], what = "--allow-origin"): string[] {
  return values
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value) => {
      let origin: string | undefined;
      try {
        origin = new URL(value).origin;
      } catch {
        origin = undefined;
      }
      if (!origin || origin === "null" || !/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/?$/i.test(value)) {
        throw new UsageError(`${what} wants an origin such as https://app.example.com or http://localhost:5173, got "${value}"`);
      }
      return origin;
    });
}

/**
 * The browser origins serve answers: its own (the bound host and port, and localhost / 127.0.0.1
 * on that port) and those named with --allow-origin. Ports count: a page on another localhost
 * port is another site, and may be anyone's.
 */
export function originChecker(host: string, port: number, allowed: string[]): (request: Request) => Response | undefined {
  const shown = host.includes(":") ? `[${host}]` : host;
  const origins = new Set([`http://${shown}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`, ...allowed]);
  return (request) => {
    // Clients other than browsers send no Origin; a browser always does on a cross-origin POST.
    const origin = request.headers.get("origin");
    if (origin === null || origin === "") return undefined;
    let normalized: string | undefined;
    try {
      normalized = new URL(origin).origin;
    } catch {
      normalized = undefined;
    }
    if (normalized && origins.has(normalized)) return undefined;
    return refuse(
      Response.json(
        { jsonrpc: "2.0", error: { code: -32000, message: `Origin ${origin} is not allowed (tether mcp serve --allow-origin ORIGIN)` }, id: null },
        { status: 403 },
      ),
    );
  };
}

/** The body, or undefined when it has not arrived within `seconds`. */
export async function readBodyWithin(request: Request, seconds: number): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), seconds * 1_000);
  });
  try {
    return await Promise.race([request.text(), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function bodyTimedOut(seconds: number): Response {
  return refuse(new Response(`Request Timeout: the body did not arrive within ${seconds}s\n`, { status: 408 }));
}

/**
 * Calls `done` once `response` is on its way: for an SSE stream when it ends (just before its last
 * byte, while the request is still Bun's to adjust) or the client goes away; for any other body
 * at once, since Bun has all of it.
 */
export function whenSent(response: Response, done: () => void): Response {
  if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
    done();
    return response;
  }
  let called = false;
  const finish = () => {
    if (called) return;
    called = true;
    done();
  };
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (!ended) return controller.enqueue(value);
        finish();
        controller.close();
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * Open requests per peer address, SSE streams included (one holds its connection until it ends).
 * `max` 0: no cap (behind a proxy every client has the proxy's address).
 */
export class PeerConnections {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts one more for `peer`; false (nothing counted) when it already has `max`. */
  acquire(peer: string): boolean {
    if (this.max === 0) return true;
    const count = this.open.get(peer) ?? 0;
    if (count >= this.max) return false;
    this.open.set(peer, count + 1);
    return true;
  }

  /** Gives back what `acquire` counted (call once its response is sent, see whenSent). */
  release(peer: string): void {
    if (this.max === 0) return;
    const count = (this.open.get(peer) ?? 1) - 1;
    if (count <= 0) this.open.delete(peer);
    else this.open.set(peer, count);
  }

  tooMany(): Response {
    return refuse(new Response(`Too many connections from your address (at most ${this.max}; tether mcp serve --max-connections-per-peer)\n`, { status: 429, headers: { "Retry-After": "5" } }));
  }
}
