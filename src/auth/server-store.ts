// The credential store a command uses, built once per run from config, and the store key of a server.
import type { Context } from "../context.ts";
import { expandUrl } from "../config/expand.ts";
import { loadConfig } from "../config/load.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { credentialStoreKey, type CredentialStore, type StoredCredentials } from "./credentials.ts";
import { createCredentialStore } from "./store.ts";

// One store per run: the auto store remembers a keyring failure (and says so once) for the whole process.
const stores = new WeakMap<Context, Promise<CredentialStore>>();

/** The store chosen by `mcp_oauth_credentials_store`; notices go to stderr, debug lines only with TETHER_DEBUG. */
export function openCredentialStore(ctx: Context): Promise<CredentialStore> {
  let store = stores.get(ctx);
  if (!store) {
    store = loadConfig(ctx).then(({ config }) =>
      createCredentialStore(config.credentialsStore, {
        home: ctx.paths.home,
        notice: (message) => ctx.io.stderr.write(`${message}\n`),
        debug: ctx.debug ? (message) => ctx.io.stderr.write(`debug: ${message}\n`) : undefined,
      }),
    );
    stores.set(ctx, store);
  }
  return store;
}

/** The URL tether talks to: `url` with ${VAR} expanded, normalized, so the store key follows the real endpoint. */
export function resolvedServerUrl(ctx: Context, server: HttpServerConfig): URL {
  return expandUrl(server.url, ctx.env, server.name);
}

export function serverCredentialKey(ctx: Context, server: HttpServerConfig): string {
  return credentialStoreKey(server.name, resolvedServerUrl(ctx, server).href);
}

export interface ServerCredentials {
  store: CredentialStore;
  key: string;
  credentials: StoredCredentials | undefined;
}

export async function loadServerCredentials(ctx: Context, server: HttpServerConfig): Promise<ServerCredentials> {
  const store = await openCredentialStore(ctx);
  const key = serverCredentialKey(ctx, server);
  return { store, key, credentials: await store.load(key) };
}
