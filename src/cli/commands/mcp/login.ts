// `tether mcp login`: OAuth login to an HTTP server, in the browser, by pasting the redirect URL, or
// with a code entered on another device (--device).
import { loginCommand } from "../../../auth/login-command.ts";
import type { Context } from "../../../context.ts";
import { AuthError, UsageError } from "../../../errors.ts";
import type { LoginOptions, LoginSession } from "../../../auth/login/login.ts";
import { beginLogin } from "../../../auth/login/start.ts";
import { inLoginSpan } from "../../../auth/login/login-span.ts";
import type { DeviceLoginSession } from "../../../auth/login/device-login.ts";
import { beforeSeparator } from "../../args.ts";
import { parseServerTarget, serverTargetArgs, serverTargetNameArg, withServerTarget } from "../../server-target.ts";
import { tetherCommand } from "../../command.ts";
import { withSpinner } from "../../spinner.ts";
import {
  deviceWaitingText,
  renderDeviceInstructions,
  renderIgnoredCallback,
  renderIgnoredPaste,
  renderLoggedIn,
  renderLoginInstructions,
  waitingText,
} from "../../views/auth.ts";

const args = {
  ...serverTargetNameArg,
  scopes: { type: "string", description: "Scopes to ask for, comma-separated (overrides oauth_scopes; joined with those already held)", valueHint: "a,b" },
  browser: { type: "boolean", default: true, description: "Open the browser", negativeDescription: "Only print the URL" },
  device: { type: "boolean", description: "Log in with a code entered on another device (SSH sessions, containers; RFC 8628)" },
  ...serverTargetArgs,
} as const;

const path = "tether mcp login";

export default (ctx: Context) =>
  tetherCommand({
    path,
    description: "Log in to an HTTP server with OAuth",
    args,
    async run(parsed, rawArgs) {
      const { target } = parseServerTarget(parsed, rawArgs, path);
      // Flag checks first: --save writes config.toml, and a contradiction must not leave an entry behind.
      const flags = { name: target.name ?? "", scopes: parsed.scopes };
      const options = parsed.device ? parseDeviceLoginOptions(flags, rawArgs) : parseLoginOptions(flags);
      await withServerTarget(ctx, target, (server) => inLoginSpan(ctx, server.name, parsed.device ? "device" : "browser", async () => {
        const login: LoginOptions = { ...options, name: server.name, server };
        if (parsed.device) return runDeviceLogin(ctx, login);
        const started = await beginLogin(ctx, login, {
          onIgnoredPaste: (reason) => renderIgnoredPaste(ctx.io, reason),
          onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
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
      }));
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

/** `--device`: the user code and where to enter it, then polling until the login is approved. */
async function runDeviceLogin(ctx: Context, options: LoginOptions): Promise<void> {
  const { beginDeviceLogin } = await import("../../../auth/login/start.ts");
  const session = await beginDeviceLogin(ctx, options, {
    onWarning: (message) => ctx.io.stderr.write(`warning: ${message}\n`),
  });
  await refuseUnsafeVerificationUrl(session);
  renderDeviceInstructions(ctx.io, session, await deviceQrCode(ctx, session));
  const result = await withSpinner(ctx.io, deviceWaitingText(session), () => session.complete());
  renderLoggedIn(ctx.io, result);
}

/** As with the browser login's URL: only https (or http to loopback) is shown as a place to log in. */
async function refuseUnsafeVerificationUrl(session: DeviceLoginSession): Promise<void> {
  const { isOpenableUrl } = await import("../../open-url.ts");
  const { authorization } = session;
  if (authorization.verificationUriComplete !== undefined && !isOpenableUrl(authorization.verificationUriComplete)) {
    authorization.verificationUriComplete = undefined;
  }
  if (isOpenableUrl(authorization.verificationUri)) return;
  const name = session.server.name;
  throw new AuthError(`the authorization server of "${name}" sent a verification URL that is not https; it was not shown`, {
    hint: `check the server's device authorization endpoint; ${loginCommand(name)} to log in in a browser instead`,
  });
}

/** A QR code of the URL with the code in it, on a terminal only (a piped log gets the text alone). */
async function deviceQrCode(ctx: Context, session: DeviceLoginSession): Promise<string | undefined> {
  const url = session.authorization.verificationUriComplete;
  if (!url || !ctx.io.stderrIsTTY) return undefined;
  const { terminalQrCode } = await import("../../qr.ts");
  return terminalQrCode(new URL(url).href);
}

/**
 * `--device` replaces the browser: `--browser`/`--no-browser` (the paste-back way) with it are a
 * contradiction, not a preference.
 */
export function parseDeviceLoginOptions(parsed: { name: string; scopes?: string }, rawArgs: readonly string[]): LoginOptions {
  const browserFlag = beforeSeparator(rawArgs).find((arg) => /^--(no-)?browser(=|$)/.test(arg));
  if (browserFlag) {
    throw new UsageError(`--device and ${browserFlag} cannot be used together: a device login opens no browser here`, {
      hint: "use --device for a code to enter on another device, or --no-browser to paste the redirect URL back",
    });
  }
  return parseLoginOptions(parsed);
}

export function parseLoginOptions(parsed: { name: string; scopes?: string }): LoginOptions {
  if (parsed.scopes === undefined) return { name: parsed.name };
  const scopes = parsed.scopes.split(/[,\s]+/).filter(Boolean);
  if (scopes.length === 0) throw new UsageError("--scopes needs at least one scope, e.g. --scopes read,write");
  return { name: parsed.name, scopes };
}
