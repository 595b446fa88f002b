// What `mcp login`, `mcp logout` and the OAuth hints of `add`/`remove` print. Never a token:
// only URLs (the authorization URL holds a state and a PKCE challenge, not a secret) and outcomes.
import { loginCommand } from "../../auth/login-command.ts";
import type { IO } from "../../context.ts";
import type { DeviceLoginSession } from "../../auth/login/device-login.ts";
import type { LoginResult, LoginSession } from "../../auth/login/login.ts";
import type { LogoutResult } from "../../auth/logout.ts";
import { terminalText } from "../../text/sanitize.ts";
import { note, paint } from "../render.ts";

export function renderLoginInstructions(io: IO, session: LoginSession, options: { browser: boolean }): void {
  const name = session.server.name;
  const at = session.identityProvider ? ` at your identity provider (${terminalText(session.identityProvider)})` : "";
  note(io, options.browser ? `Opening your browser to log in to "${name}"${at}. If it does not open, visit:` : `To log in to "${name}"${at}, open this URL in a browser:`);
  note(io, "");
  note(io, `  ${terminalText(session.authorizationUrl.href)}`);
  note(io, "");
  note(io, "No browser on this machine (SSH, container)? Open the URL on any machine and log in; the page it ends on");
  note(io, `(${session.redirectUrl}?code=…) will fail to load there. Copy that page's full address and paste it here, then press Enter.`);
}

/**
 * The device login's prompt. The URL with the code in it first (and as a QR code on a terminal),
 * then the plain URL and the code, which every server sends. All of it is the server's text.
 */
export function renderDeviceInstructions(io: IO, session: DeviceLoginSession, qr: string | undefined): void {
  const { authorization } = session;
  note(io, `To log in to "${session.server.name}", open this URL on any device (a phone, your laptop) and approve the login:`);
  note(io, "");
  note(io, `  ${terminalText(authorization.verificationUriComplete ?? authorization.verificationUri)}`);
  note(io, "");
  if (qr) {
    note(io, qr);
    note(io, "");
  }
  note(io, `Or open ${terminalText(authorization.verificationUri)} and enter the code: ${paint(io, "bold", terminalText(authorization.userCode))}`);
}

export function deviceWaitingText(session: DeviceLoginSession): string {
  return `Waiting for the login to be approved (the code expires in ${Math.max(1, Math.round(session.authorization.expiresInSec / 60))} min)…`;
}

export function renderIgnoredPaste(io: IO, reason: string): void {
  note(io, `${paint(io, "yellow", "note:")} that is not the redirect URL (${terminalText(reason)}); paste the full address of the page the login ended on`);
}

export function renderIgnoredCallback(io: IO, reason: string): void {
  note(io, `${paint(io, "yellow", "warning:")} ignored a request to the login callback: ${terminalText(reason)}; still waiting for the real one`);
}

export function waitingText(session: LoginSession): string {
  return `Waiting for the login to finish (or a pasted URL; gives up after ${Math.round(session.timeoutSec / 60) || 1} min)…`;
}

export function renderLoggedIn(io: IO, result: LoginResult): void {
  const scopes = result.scopes.length > 0 ? ` (scopes: ${terminalText(result.scopes.join(" "))})` : "";
  io.stdout.write(`Logged in to "${result.serverName}"${scopes}\n`);
  note(io, `Credentials stored in ${result.store === "keyring" ? "the OS keyring" : "the credential file (mode 0600)"}`);
}

export function renderLogout(io: IO, result: LogoutResult): void {
  if (!result.deleted) {
    io.stdout.write(`No stored OAuth credentials for "${result.serverName}"; nothing to do\n`);
    return;
  }
  io.stdout.write(`Logged out of "${result.serverName}": deleted its stored OAuth credentials\n`);
  const revocation = result.revocation;
  if (revocation?.kind === "revoked") note(io, `Revoked its tokens at ${terminalText(revocation.endpoint)}`);
  if (revocation?.kind === "not_advertised") note(io, "The server advertises no revocation endpoint; its tokens expire on their own");
  if (revocation?.kind === "failed") note(io, `${paint(io, "yellow", "warning:")} could not revoke its tokens at the server: ${terminalText(revocation.reason)}`);
}

/** After `mcp add --url`, when the server advertises OAuth. */
export function renderLoginSuggestion(io: IO, name: string): void {
  note(io, `This server uses OAuth; ${loginCommand(name)}`);
}

/** After `mcp remove`, when a login was stored for the server. */
export function renderCredentialsForgotten(io: IO, name: string): void {
  note(io, `Deleted the stored OAuth credentials of "${name}"`);
}
