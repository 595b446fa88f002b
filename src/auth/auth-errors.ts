// The errors every OAuth path shares: "log in again" with the exact command, and foreign messages made safe to show.
import { OAuthError } from "@modelcontextprotocol/client";
import { AuthError, UsageError } from "../errors.ts";
import { loginCommand } from "./login-command.ts";
import { redactSecrets, type StoredCredentials } from "./store/credentials.ts";

/** A failure the user fixes by logging in again (SPEC §5: a refresh failure says `run: tether mcp login NAME`). */
export function loginNeeded(serverName: string, message: string, cause?: unknown): AuthError {
  return new AuthError(`server "${serverName}": ${message}`, { hint: loginCommand(serverName), cause });
}

/** `mcp login` / `mcp logout` on a stdio server: it has no OAuth login to make or forget. */
export function noLoginForStdio(serverName: string): UsageError {
  return new UsageError(`server "${serverName}" is a stdio server; OAuth login is only for HTTP servers (url)`);
}

/** One line from an SDK, OAuth or network error, with any stored secret scrubbed and the length bounded. */
export function reasonOf(error: unknown, credentials?: StoredCredentials): string {
  const code = error instanceof OAuthError ? error.code : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  let text = schemaIssues(error, raw) ?? raw.split("\n")[0]!.trim();
  if (credentials) text = redactSecrets(text, credentials);
  if (text.length > 200) text = `${text.slice(0, 200)}…`;
  if (code && !text.startsWith(code)) text = text ? `${code}: ${text}` : code;
  return text || (error instanceof Error ? error.name : "unknown error");
}

/**
 * A schema validation failure (zod, inside the SDK) says what was wrong as a JSON list of issues;
 * its first line alone is "[". This turns it into `authorization_endpoint: URL cannot use ...`.
 */
function schemaIssues(error: unknown, message: string): string | undefined {
  let issues: unknown = (error as { issues?: unknown })?.issues;
  if (!Array.isArray(issues) && message.trimStart().startsWith("[")) {
    try {
      issues = JSON.parse(message);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  const lines = issues
    .filter((issue): issue is { message: string; path?: unknown[] } => typeof issue?.message === "string")
    .map((issue) => (Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
  return lines.length > 0 ? `invalid answer from the authorization server (${lines.join("; ")})` : undefined;
}
