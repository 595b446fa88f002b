// Reads the authorization server's answer (the redirect to /callback, from the browser or pasted):
// a code with the state tether sent, or a clear reason the login ends.
import { AuthError } from "../../errors.ts";
import { loginCommand } from "../login-command.ts";

export type AuthorizationVerdict =
  /** `iss` (RFC 9207) as the authorization server sent it; the SDK checks it against the issuer it discovered. */
  | { kind: "code"; code: string; iss?: string }
  /** The login ends with this error. */
  | { kind: "failure"; error: AuthError }
  /** Not an authorization response at all (no code, no error): keep waiting. */
  | { kind: "ignore"; reason: string };

export function readAuthorizationResponse(url: URL, expectedState: string, serverName: string): AuthorizationVerdict {
  const param = (name: string) => url.searchParams.get(name) ?? undefined;
  const code = param("code");
  const error = param("error");
  if (code === undefined && error === undefined) {
    return { kind: "ignore", reason: "it has neither code= nor error= in it" };
  }
  const again = loginCommand(serverName);
  // The state is checked first, also for errors. A response with another state answers some other
  // request (a stale tab, or any local process poking the port): it is ignored, and the login keeps
  // waiting for the real one, so a stray request can neither end nor hijack it.
  if (param("state") !== expectedState) {
    return { kind: "ignore", reason: "its state is not the one this login sent (possible cross-site request)" };
  }
  if (error !== undefined) {
    const description = param("error_description");
    return {
      kind: "failure",
      error: new AuthError(`the authorization server refused the login: ${error}${description ? ` (${description})` : ""}`, { hint: again }),
    };
  }
  return { kind: "code", code: code!, iss: param("iss") };
}

/**
 * What a user pastes: the full redirect URL from the address bar, or just its query string.
 * Undefined when the text is neither.
 */
export function parsePastedRedirect(text: string): URL | undefined {
  const trimmed = text.trim().replace(/^["']|["']$/g, "");
  if (!trimmed) return undefined;
  try {
    return new URL(trimmed);
  } catch {
    if (!trimmed.includes("=")) return undefined;
    return new URL(`http://pasted.invalid/?${trimmed.replace(/^[?#]/, "")}`);
  }
}
