// What `mcp list`, `get` and `doctor` show in the AUTH column: bearer from config, else the OAuth
// state of the stored login as the login index records it. Offline, and it never opens the store.
import type { Context } from "../context.ts";
import { type AuthView, configuredAuth, mayUseOAuth } from "../config/describe.ts";
import type { HttpServerConfig, ServerConfig } from "../config/types.ts";
import { TetherError } from "../errors.ts";
import { noteLoginWanted, readLoginIndex, type LoginSummary } from "./store/login-index.ts";
import { serverCredentialKey } from "./server-store.ts";
import type { OAuthLoginState } from "./tokens.ts";

/**
 * `none` for a server that, as far as tether can know offline, uses no login: nothing stored and no
 * oauth_* settings. `oauth: not logged in` when oauth_* settings say it uses OAuth but nothing is stored.
 */
export function describeAuth(ctx: Context, server: ServerConfig, index = readLoginIndex(ctx.paths.home)): AuthView {
  const configured = configuredAuth(server);
  if (!mayUseOAuth(server) || configured.type === "oauth_client_credentials" || configured.type === "oauth_jwt_bearer") return configured;
  let summary: LoginSummary | undefined;
  try {
    summary = index[serverCredentialKey(ctx, server)];
  } catch (error) {
    // An unset ${VAR} in the url: the table still shows what config says.
    if (!(error instanceof TetherError)) throw error;
    ctx.log.debug(`auth state of "${server.name}": ${error.message}`);
  }
  if (summary?.hasTokens) return { type: "oauth", state: summaryState(summary, ctx.now()), refreshable: summary.refreshable };
  const { clientId, scopes, resource } = server.oauth;
  if (summary || clientId || scopes || resource) return { type: "oauth", state: "not_logged_in" };
  return configured;
}

function summaryState(summary: LoginSummary, now: number): OAuthLoginState {
  return summary.expiresAt !== undefined && summary.expiresAt <= now ? "expired" : "logged_in";
}

/** Whether the login index records tokens for this server (it is kept in step with every save). */
export function hasStoredLogin(ctx: Context, server: ServerConfig): boolean {
  try {
    return readLoginIndex(ctx.paths.home)[serverCredentialKey(ctx, server as HttpServerConfig)]?.hasTokens === true;
  } catch (error) {
    if (!(error instanceof TetherError)) throw error;
    return false;
  }
}

/** See noteLoginWanted; failures only cost the hint in the AUTH column. */
export async function rememberLoginWanted(ctx: Context, server: ServerConfig): Promise<void> {
  if (!mayUseOAuth(server)) return;
  try {
    await noteLoginWanted(ctx.paths.home, serverCredentialKey(ctx, server), ctx.now());
  } catch (error) {
    ctx.log.debug(`could not note that "${server.name}" wants a login: ${String(error)}`);
  }
}

export function describeAuthAll(ctx: Context, servers: ServerConfig[]): AuthView[] {
  const index = readLoginIndex(ctx.paths.home);
  return servers.map((server) => describeAuth(ctx, server, index));
}
