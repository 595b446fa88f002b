// Where `mcp login` starts: a server with enterprise-managed authorization (SEP-990) logs in at its
// IdP (../enterprise/login.ts), every other one at its own authorization server (./login.ts,
// ./device-login.ts). The choice lives here, apart from both, because the enterprise login builds
// on the plain one's steps: neither has to import the other back.
import type { Context } from "../../context.ts";
import type { EnterpriseServer } from "../../config/types.ts";
import type { DeviceLoginSession } from "./device-login.ts";
import { beginOAuthLogin, type LoginHooks, type LoginOptions, type LoginStart, loginServer } from "./login.ts";

/** Everything up to the authorization URL (or a finished login, when an ID token was handed in). */
export async function beginLogin(ctx: Context, options: LoginOptions, hooks: LoginHooks): Promise<LoginStart> {
  const { server, serverUrl } = await loginServer(ctx, options);
  if (server.oauth.enterprise) {
    // An ID token from the IdP, exchanged; no registration at the server's authorization server.
    const { beginEnterpriseLogin } = await import("../enterprise/login.ts");
    return beginEnterpriseLogin(ctx, server as EnterpriseServer, options, hooks);
  }
  return beginOAuthLogin(ctx, server, serverUrl, options, hooks);
}

/** `--device`: everything up to the user code. The device flow loads only for it. */
export async function beginDeviceLogin(ctx: Context, options: LoginOptions, hooks: Pick<LoginHooks, "onWarning">): Promise<DeviceLoginSession> {
  const { server, serverUrl } = await loginServer(ctx, options);
  if (server.oauth.enterprise) {
    // The device login is at the IdP, for its ID token.
    const { beginEnterpriseDeviceLogin } = await import("../enterprise/login.ts");
    return beginEnterpriseDeviceLogin(ctx, server as EnterpriseServer, options, hooks);
  }
  const { beginOAuthDeviceLogin } = await import("./device-login.ts");
  return beginOAuthDeviceLogin(ctx, server, serverUrl, options, hooks);
}
