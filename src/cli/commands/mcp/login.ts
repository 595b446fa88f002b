// `tether mcp login`: OAuth login to an HTTP server, in the browser or by pasting the redirect URL.
import { loginCommand } from "../../../auth/login-command.ts";
import type { Context } from "../../../context.ts";
import { AuthError, UsageError } from "../../../errors.ts";
import { beginLogin, type LoginOptions, type LoginSession } from "../../../auth/login/login.ts";
import { serverNameArg } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { withSpinner } from "../../spinner.ts";
import { renderIgnoredCallback, renderIgnoredPaste, renderLoggedIn, renderLoginInstructions, waitingText } from "../../views/auth.ts";

const args = {
  ...serverNameArg,
  scopes: { type: "string", description: "Scopes to ask for, comma-separated (overrides oauth_scopes; joined with those already held)", valueHint: "a,b" },
  browser: { type: "boolean", default: true, description: "Open the browser", negativeDescription: "Only print the URL" },
} as const;

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp login",
    description: "Log in to an HTTP server with OAuth",
    args,
    async run(parsed) {
      const started = await beginLogin(ctx, parseLoginOptions(parsed), {
        onIgnoredPaste: (reason) => renderIgnoredPaste(ctx.io, reason),
        onWarning: (message) => ctx.io.stderr.write(`warning: ${message}
`),
        onIgnoredCallback: (reason) => renderIgnoredCallback(ctx.io, reason),
      });
      // An ID token handed in (enterprise-managed authorization): logged in without a browser.
      if ("done" in started) return renderLoggedIn(ctx.io, started.done);
      const session = started;
      await refuseUnsafeAuthorizationUrl(session);
      const browser = parsed.browser !== false;
      renderLoginInstructions(ctx.io, session, { browser });
      if (browser) await ctx.openUrl(session.authorizationUrl.href);
      const result = await withSpinner(ctx.io, waitingText(session), () => session.complete());
      renderLoggedIn(ctx.io, result);
    },
  });

/**
 * The authorization server picks the URL the user is sent to: only https (or http to loopback)
 * is shown as a login link or opened, never file:, smb:, javascript: and the like.
 */
async function refuseUnsafeAuthorizationUrl(session: LoginSession): Promise<void> {
  const { isOpenableUrl } = await import("../../open-url.ts");
  if (isOpenableUrl(session.authorizationUrl.href)) return;
  await session.close();
  const name = session.server.name;
  throw new AuthError(`the authorization server of "${name}" sent a login URL that is not https (${session.authorizationUrl.protocol}); it was not opened`, {
    hint: `check the server's OAuth metadata (authorization_endpoint); ${loginCommand(name)} to start again`,
  });
}

export function parseLoginOptions(parsed: { name: string; scopes?: string }): LoginOptions {
  if (parsed.scopes === undefined) return { name: parsed.name };
  const scopes = parsed.scopes.split(/[,\s]+/).filter(Boolean);
  if (scopes.length === 0) throw new UsageError("--scopes needs at least one scope, e.g. --scopes read,write");
  return { name: parsed.name, scopes };
}
