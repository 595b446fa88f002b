// Decides how tether authenticates to an HTTP server, for every command alike: static headers and
// the bearer token from config, or else the stored OAuth login (served and refreshed by auth/).
import type { Context } from "../context.ts";
import { mayUseOAuth } from "../config/describe.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { hasStoredLogin } from "../auth/state.ts";
import type { ServerCredentials } from "../auth/server-store.ts";
import { storedLoginProvider } from "../auth/stored-provider.ts";
import { TetherError } from "../errors.ts";
import { configuredHeaders, type HttpAuth } from "./http.ts";

export async function resolveHttpAuth(ctx: Context, server: HttpServerConfig): Promise<HttpAuth> {
  const headers = configuredHeaders(ctx, server);
  if (!mayUseOAuth(server)) return { headers };
  if (server.oauth.grant === "client_credentials") {
    const { machineLoginProvider } = await import("../auth/machine-provider.ts");
    return { headers, authProvider: machineLoginProvider(ctx, server), stepUp: true };
  }
  // Workload identity (issue 21 item 5): the platform's token is the grant.
  if (server.oauth.grant === "jwt_bearer") {
    const { workloadIdentityProvider } = await import("../auth/workload-provider.ts");
    const provider = workloadIdentityProvider(ctx, server);
    return { headers, authProvider: provider, stepUp: true, wrapFetch: (fetchFn) => provider.watchTokenRequests(fetchFn) };
  }
  let loaded: ServerCredentials | undefined;
  if (server.oauth.enterprise?.idTokenEnvVar) {
    // Enterprise-managed authorization with an ID token handed in: the first command, and every one
    // after the access token expired without a refresh token, exchanges it again (no browser).
    const { renewEnterpriseLogin } = await import("../auth/enterprise/renew.ts");
    loaded = await renewEnterpriseLogin(ctx, server as Parameters<typeof renewEnterpriseLogin>[1]);
  }
  // The login index says whether a login is stored, so servers without one never open the
  // credential store (no keyring round trip on every call).
  if (!loaded && !hasStoredLogin(ctx, server)) return { headers };
  try {
    const authProvider = await storedLoginProvider(ctx, server, loaded);
    return authProvider ? { headers, authProvider } : { headers };
  } catch (error) {
    if (!(error instanceof TetherError)) throw error;
    // An unreadable store must not break servers that need no login; one that does answers 401 with the login hint.
    ctx.log.warn(`${error.message}${error.hint ? ` (${error.hint})` : ""}`);
    return { headers };
  }
}
