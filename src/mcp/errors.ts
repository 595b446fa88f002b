// Translates SDK and network failures into one-line errors that name the server and say what
// to do, so no caller ever matches on SDK message strings.
import {
  InsufficientScopeError,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SseError,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { displayUrl } from "../config/describe.ts";
import type { ServerConfig } from "../config/types.ts";
import { CancelledError, ConnectionError, TetherError, ToolError } from "../errors.ts";
import { loginCommand } from "../auth/login-command.ts";

/** What a request carried, so a 401 can say "log in" rather than "your token was rejected". */
export type CredentialsSent = "bearer" | "oauth" | "none";

export function describeConnectError(server: ServerConfig, error: unknown, stderrTail: string[], sent: CredentialsSent = "none"): TetherError {
  if (error instanceof TetherError) return error;
  // A failed era probe carries what really went wrong (refused, DNS, TLS, HTTP status) as its cause.
  const probeCause = isSdkError(error, SdkErrorCode.EraNegotiationFailed) ? (error as SdkError & { data?: { cause?: unknown } }).data?.cause : undefined;
  if (probeCause !== undefined) return describeConnectError(server, probeCause, stderrTail, sent);
  const name = `server "${server.name}"`;
  const options = { stderrTail, cause: error };
  if (error instanceof InsufficientScopeError) return insufficientScope(server, error);
  const status = httpStatus(error);
  if (status === 401 || error instanceof UnauthorizedError || (status === 403 && sent !== "none")) {
    if (sent === "none") {
      return new ConnectionError(`${name} needs login (HTTP 401)`, { ...options, hint: loginCommand(server.name) });
    }
    return new ConnectionError(`${name} rejected tether's credentials (HTTP ${status ?? 401})`, { ...options, hint: authHint(server) });
  }
  if (status !== undefined && status > 0) {
    return new ConnectionError(`${name} answered HTTP ${status}${bodyHint(error)}`, options);
  }
  const code = errnoCode(error);
  if (code === "ENOENT" && server.transport === "stdio") {
    return new ConnectionError(`${name}: command "${server.command}" not found`, {
      ...options,
      hint: "check 'command' in config.toml and that the program is installed and on PATH",
    });
  }
  if (code === "ECONNREFUSED" || code === "ConnectionRefused") {
    return new ConnectionError(`${name} is unreachable (connection refused)`, options);
  }
  if (isSdkError(error, SdkErrorCode.ConnectionClosed)) {
    return new ConnectionError(
      server.transport === "stdio" ? `${name} exited before it finished starting` : `${name} closed the connection during startup`,
      options,
    );
  }
  if (isSdkError(error, SdkErrorCode.RequestTimeout)) {
    return new ConnectionError(`${name} did not start within ${server.startupTimeoutSec}s`, {
      ...options,
      hint: `raise startup_timeout_sec for "${server.name}" in config.toml`,
    });
  }
  if (isSdkError(error, SdkErrorCode.EraNegotiationFailed)) {
    return new ConnectionError(`${name} speaks no MCP revision tether knows (tried 2026-07-28 server/discover, then 2025 initialize): ${oneLine(error)}`, options);
  }
  if (isSdkError(error, SdkErrorCode.ListPaginationExceeded)) {
    return new ConnectionError(`${name} listed more pages than tether reads (${oneLine(error)})`, options);
  }
  if (error instanceof ProtocolError) {
    return new ConnectionError(`${name} answered an error: ${protocolMessage(error)}`, options);
  }
  if (isAbort(error)) return new CancelledError("interrupted");
  return new ConnectionError(`${name}: ${oneLine(error)}`, options);
}

/** What a failed request was: a tool call, or another request (`resources/read URI`, `prompts/get NAME`). */
export type RequestSubject = { tool: string } | { request: string };

export function describeCallError(
  server: ServerConfig,
  subject: RequestSubject,
  error: unknown,
  stderrTail: string[],
  sent: CredentialsSent = "none",
): TetherError {
  if (error instanceof TetherError) return error;
  const label = "tool" in subject ? `tool "${subject.tool}"` : subject.request;
  const what = `${label} on server "${server.name}"`;
  if (isSdkError(error, SdkErrorCode.RequestTimeout) && (error as SdkError & { data?: { maxTotalTimeout?: unknown } }).data?.maxTotalTimeout !== undefined) {
    // Progress kept resetting tool_timeout_sec; the total bound ended it.
    return new ToolError(`${what} was still running after ${server.toolMaxTotalTimeoutSec}s in all (tool_max_total_timeout_sec)`, {
      hint: `raise tool_max_total_timeout_sec for "${server.name}" in config.toml`,
    });
  }
  if (isSdkError(error, SdkErrorCode.RequestTimeout)) {
    return new ToolError(`${what} timed out after ${server.toolTimeoutSec}s`, {
      hint: `raise tool_timeout_sec for "${server.name}" in config.toml`,
    });
  }
  if (isSdkError(error, SdkErrorCode.ConnectionClosed)) {
    return new ConnectionError(`server "${server.name}" exited while running ${"tool" in subject ? JSON.stringify(subject.tool) : subject.request}`, {
      stderrTail,
      cause: error,
    });
  }
  if (error instanceof ProtocolError) {
    return new ToolError(`${what} failed: ${protocolMessage(error)}`, { cause: error });
  }
  if (isAbort(error)) return new CancelledError("interrupted");
  return describeConnectError(server, error, stderrTail, sent);
}

/** The realm `tether mcp serve` names in its 401 (src/serve/http-guards.ts uses the same). */
export const SERVE_REALM = "tether";

/** The realm of a 401's Bearer challenge (`WWW-Authenticate: Bearer realm="…"`), if it names one. */
export function bearerRealm(response: Response): string | undefined {
  if (response.status !== 401) return undefined;
  return /\bBearer\b[^,]*?\brealm="([^"]*)"/i.exec(response.headers.get("www-authenticate") ?? "")?.[1];
}

/** A 401 from `tether mcp serve`: the client needs serve's token, which `mcp login` cannot get. */
export function serveTokenNeeded(server: ServerConfig, url: URL): ConnectionError {
  return new ConnectionError(`server "${server.name}" is a tether mcp serve that requires its bearer token (HTTP 401)`, {
    hint: `where serve runs: export TETHER_SERVE_TOKEN=$(cat $TETHER_HOME/serve/token), then: tether mcp add ${server.name} --url ${displayUrl(url.href)} --bearer-token-env-var TETHER_SERVE_TOKEN (serve prints both lines when it starts)`,
  });
}

/** A 403 insufficient_scope: which scope is missing, and the exact command that asks for it. */
function insufficientScope(server: ServerConfig, error: InsufficientScopeError): ConnectionError {
  const scope = error.requiredScope?.trim();
  const needs = scope ? `needs the OAuth scope "${scope}"` : "needs a wider OAuth scope";
  return new ConnectionError(`server "${server.name}" ${needs} (HTTP 403 insufficient_scope)`, {
    cause: error,
    hint: loginCommand(server.name, scope?.split(/\s+/)),
  });
}

/** The server's own message and JSON-RPC code, without the SDK's "MCP error N:" prefix. */
function protocolMessage(error: ProtocolError): string {
  const message = oneLine(error).replace(/^MCP error -?\d+:\s*/, "");
  return `${message} (code ${error.code})`;
}

function authHint(server: ServerConfig): string {
  if (server.transport === "http" && server.bearerTokenEnvVar) {
    return `check that $${server.bearerTokenEnvVar} holds a valid token for ${displayUrl(server.url)}`;
  }
  return loginCommand(server.name);
}

export function httpStatus(error: unknown): number | undefined {
  if (error instanceof SdkHttpError) return error.status;
  if (error instanceof SseError) return error.code;
  return undefined;
}

export function isSdkError(error: unknown, code: SdkErrorCode): boolean {
  return error instanceof SdkError && error.code === code;
}

function bodyHint(error: unknown): string {
  const text = error instanceof Error ? error.message.replace(/^Error POSTing to endpoint(?: \(HTTP \d+\))?:\s*/, "") : "";
  return text ? `: ${oneLine(text).slice(0, 160)}` : "";
}

function errnoCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** An interrupt: the run's signal fired (AbortError), or tether already turned it into a CancelledError. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error instanceof CancelledError);
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.trim();
}
