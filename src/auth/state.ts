// What `mcp list` and `mcp doctor` show in the AUTH column: bearer from config, else the OAuth state
// of the stored login. Offline: it reads config and the credential store, never the network.
import type { Context } from "../context.ts";
import { type AuthView, configuredAuth } from "../config/describe.ts";
import type { ServerConfig } from "../config/types.ts";
import { TetherError } from "../errors.ts";
import { loadServerCredentials } from "./server-store.ts";
import { loginState } from "./tokens.ts";

/**
 * `none` for a server that, as far as tether can know offline, uses no login: nothing stored and no
 * oauth_* settings. `oauth: not logged in` when oauth_* settings say it uses OAuth but nothing is stored.
 */
export async function describeAuth(ctx: Context, server: ServerConfig): Promise<AuthView> {
  const configured = configuredAuth(server);
  if (server.transport !== "http" || configured.type !== "none") return configured;
  let credentials;
  try {
    ({ credentials } = await loadServerCredentials(ctx, server));
  } catch (error) {
    // An unset ${VAR} in the url or an unreadable store: the table still shows what config says.
    if (!(error instanceof TetherError)) throw error;
    if (ctx.debug) ctx.io.stderr.write(`debug: auth state of "${server.name}": ${error.message}\n`);
    credentials = undefined;
  }
  if (credentials?.tokens) {
    return { type: "oauth", state: loginState(credentials, ctx.now()), refreshable: Boolean(credentials.tokens.refresh_token) };
  }
  const { clientId, scopes, resource } = server.oauth;
  if (credentials || clientId || scopes || resource) return { type: "oauth", state: "not_logged_in" };
  return configured;
}

export function describeAuthAll(ctx: Context, servers: ServerConfig[]): Promise<AuthView[]> {
  return Promise.all(servers.map((server) => describeAuth(ctx, server)));
}
