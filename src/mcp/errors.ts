// Translates SDK and network failures into one-line errors that name the server and say what
// to do, so no caller ever matches on SDK message strings.
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { displayUrl } from "../config/describe.ts";
import type { ServerConfig } from "../config/types.ts";
import { CancelledError, ConnectionError, TetherError, ToolError } from "../errors.ts";

export function describeConnectError(server: ServerConfig, error: unknown, stderrTail: string[]): TetherError {
  if (error instanceof TetherError) return error;
  const name = `server "${server.name}"`;
  const options = { stderrTail, cause: error };
  const status = httpStatus(error);
  if (status === 401 || status === 403 || error instanceof UnauthorizedError) {
    return new ConnectionError(`${name} rejected tether's credentials (HTTP ${status ?? 401})`, {
      ...options,
      hint: authHint(server),
    });
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
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    return new ConnectionError(
      server.transport === "stdio" ? `${name} exited before it finished starting` : `${name} closed the connection during startup`,
      options,
    );
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new ConnectionError(`${name} did not start within ${server.startupTimeoutSec}s`, {
      ...options,
      hint: `raise startup_timeout_sec for "${server.name}" in config.toml`,
    });
  }
  if (isAbort(error)) return new CancelledError("interrupted");
  return new ConnectionError(`${name}: ${oneLine(error)}`, options);
}

export function describeCallError(server: ServerConfig, tool: string, error: unknown, stderrTail: string[]): TetherError {
  if (error instanceof TetherError) return error;
  const what = `tool "${tool}" on server "${server.name}"`;
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new ToolError(`${what} timed out after ${server.toolTimeoutSec}s`, {
      hint: `raise tool_timeout_sec for "${server.name}" in config.toml`,
    });
  }
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    return new ConnectionError(`server "${server.name}" exited while running ${JSON.stringify(tool)}`, { stderrTail, cause: error });
  }
  if (error instanceof McpError) {
    return new ToolError(`${what} failed: ${error.message.replace(/^MCP error -?\d+: /, "")}`, { cause: error });
  }
  if (isAbort(error)) return new CancelledError("interrupted");
  return describeConnectError(server, error, stderrTail);
}

function authHint(server: ServerConfig): string {
  if (server.transport === "http" && server.bearerTokenEnvVar) {
    return `check that $${server.bearerTokenEnvVar} holds a valid token for ${displayUrl(server.url)}`;
  }
  return `log in with: tether mcp login ${server.name}`;
}

function httpStatus(error: unknown): number | undefined {
  if (error instanceof StreamableHTTPError || error instanceof SseError) return error.code;
  return undefined;
}

function bodyHint(error: unknown): string {
  const text = error instanceof Error ? error.message.replace(/^Error POSTing to endpoint:\s*/, "") : "";
  return text ? `: ${oneLine(text).slice(0, 160)}` : "";
}

function errnoCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error instanceof CancelledError);
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.trim();
}
