// Enterprise logins without a person: when `oauth_id_token_env_var` holds an ID token, a command
// that finds no usable login (none yet, or an expired access token and no refresh token) makes one
// silently, as client credentials do, and stores it like `mcp login` would. Otherwise the stored
// login is served and refreshed as usual (stored-provider.ts), ending in `run: tether mcp login NAME`.
import type { Context } from "../../context.ts";
import { withStoreRefreshLock } from "../refresh-lock.ts";
import { loadServerCredentials, type ServerCredentials } from "../server-store.ts";
import type { StoredCredentials } from "../store/credentials.ts";
import { issuerOf, needsRefresh } from "../tokens.ts";
import { resolveHeaders, serverUrl } from "../../config/expand.ts";
import type { EnterpriseServer } from "../../config/types.ts";

/** The ID token handed in through `oauth_id_token_env_var`, if that variable is set and not empty. */
export function handedInIdToken(ctx: Context, server: EnterpriseServer): { token: string; envVar: string } | undefined {
  const envVar = server.oauth.enterprise.idTokenEnvVar;
  const token = envVar ? ctx.env[envVar] : undefined;
  return envVar && token ? { token: token.trim(), envVar } : undefined;
}

/**
 * Makes or renews the stored login from the handed-in ID token when it is needed. Returns the
 * store's entry as it now is (for storedLoginProvider, so it is not read again); undefined when no
 * ID token is handed in.
 */
export async function renewEnterpriseLogin(ctx: Context, server: EnterpriseServer): Promise<ServerCredentials | undefined> {
  const handedIn = handedInIdToken(ctx, server);
  if (!handedIn) return undefined;
  const loaded = await loadServerCredentials(ctx, server);
  const { store, key } = loaded;
  if (usable(loaded.credentials, ctx.now())) return loaded;
  // Under the refresh lock, so concurrent tethers make one exchange and the others take its result.
  const credentials = await withStoreRefreshLock(ctx.paths.home, store, key, async () => {
    const current = await store.load(key);
    if (usable(current, ctx.now())) return current;
    // Loaded only now: a command whose stored login is usable (most of them) needs none of it.
    const [{ discoverOAuthSupport }, { requestedScope }, { discoveryOf, ENTERPRISE_REQUEST_TIMEOUT_MS, exchangeIdToken }] = await Promise.all([
      import("../login/discovery.ts"),
      import("../login/login.ts"),
      import("./exchange.ts"),
    ]);
    // The server's 401 first, as `mcp login` reads it: it may name the metadata and the scope.
    const headers = resolveHeaders(ctx.env, server.httpHeaders, server.envHttpHeaders, `server "${server.name}"`);
    const support = await discoverOAuthSupport(ctx, serverUrl(ctx, server), ENTERPRISE_REQUEST_TIMEOUT_MS, headers);
    const challenge = support.supported && support.challenge.kind === "challenged" ? support.challenge : undefined;
    const renewed = await exchangeIdToken(ctx, server, handedIn.token, {
      idTokenSource: { kind: "env", envVar: handedIn.envVar },
      discovered: discoveryOf(support),
      resourceMetadataUrl: challenge?.resourceMetadataUrl,
      scope: requestedScope({ config: server.oauth.scopes, challenged: challenge?.scope, held: current?.tokens ? current.scopes : undefined }),
      // Renewing pins the authorization server the stored login came from.
      pinnedIssuer: current ? issuerOf(current) : undefined,
    });
    await store.save(key, renewed);
    ctx.log.debug(`server "${server.name}": made a new enterprise login from the ID token in $${handedIn.envVar}`);
    return renewed;
  });
  return { store, key, credentials };
}

/** A login the stored provider can serve: a live access token, or one it can refresh. */
function usable(credentials: StoredCredentials | undefined, now: number): boolean {
  if (!credentials?.tokens) return false;
  return !needsRefresh(credentials, now) || credentials.tokens.refresh_token !== undefined;
}
