// The errors every OAuth path shares: "log in again" with the exact command, and foreign messages made safe to show.
import { OAuthError } from "@modelcontextprotocol/client";
import { AuthError } from "../errors.ts";
import { redactSecrets, type StoredCredentials } from "./credentials.ts";

export function loginCommand(serverName: string): string {
  return `run: tether mcp login ${serverName}`;
}

/** A failure the user fixes by logging in again (SPEC §5: a refresh failure says `run: tether mcp login NAME`). */
export function loginNeeded(serverName: string, message: string, cause?: unknown): AuthError {
  return new AuthError(`server "${serverName}": ${message}`, { hint: loginCommand(serverName), cause });
}

/** One line from an SDK, OAuth or network error, with any stored secret scrubbed and the length bounded. */
export function reasonOf(error: unknown, credentials?: StoredCredentials): string {
  const code = error instanceof OAuthError ? error.code : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  let text = raw.split("\n")[0]!.trim();
  if (credentials) text = redactSecrets(text, credentials);
  if (text.length > 200) text = `${text.slice(0, 200)}…`;
  if (code && !text.startsWith(code)) text = text ? `${code}: ${text}` : code;
  return text || (error instanceof Error ? error.name : "unknown error");
}
