// Where one server's OAuth login lives: the run's credential store (ctx.credentialStore()) and the
// server's key in it.
import type { Context } from "../context.ts";
import { serverUrl } from "../config/expand.ts";
import type { HttpServerConfig, ServerConfig } from "../config/types.ts";
import { credentialStoreKey, type CredentialStore, type StoredCredentials } from "./store/credentials.ts";

/** `<name>|<digest of the expanded url>`: the key follows the real endpoint. */
export function serverCredentialKey(ctx: Pick<Context, "env">, server: HttpServerConfig): string {
  return credentialStoreKey(server.name, serverUrl(ctx, server).href);
}

export interface ServerCredentials {
  store: CredentialStore;
  key: string;
  credentials: StoredCredentials | undefined;
}

export async function loadServerCredentials(ctx: Context, server: HttpServerConfig): Promise<ServerCredentials> {
  const store = await ctx.credentialStore();
  const key = serverCredentialKey(ctx, server);
  return { store, key, credentials: await store.load(key) };
}

/**
 * For `mcp remove`: deletes what is stored for the removed server (no network, no revocation). True
 * if something was. Kept apart from ./logout.ts, which loads the SDK's OAuth client to revoke.
 */
export async function forgetServerCredentials(ctx: Context, server: ServerConfig): Promise<boolean> {
  if (server.transport !== "http") return false;
  const store = await ctx.credentialStore();
  return store.delete(serverCredentialKey(ctx, server));
}
