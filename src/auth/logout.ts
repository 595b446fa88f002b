// `mcp logout`: revoke where advertised, then delete from the store(s). (`mcp remove` deletes
// without revoking: ./server-store.ts forgetServerCredentials.)
import type { Context } from "../context.ts";
import { getServer } from "../config/servers.ts";
import type { ServerConfig } from "../config/types.ts";
import { noLoginForStdio } from "./auth-errors.ts";
import type { CredentialStore } from "./store/credentials.ts";
import { type RevocationOutcome, revokeStoredTokens } from "./revoke.ts";
import { loadServerCredentials } from "./server-store.ts";
import { timedFetch } from "./timed-fetch.ts";

const REVOKE_TIMEOUT_MS = 10_000;

export interface LogoutResult {
  serverName: string;
  /** False when nothing was stored. */
  deleted: boolean;
  revocation?: RevocationOutcome;
  store: CredentialStore["kind"];
}

/** `ref`: a configured server's name, or the server itself (an ad-hoc URL: src/config/adhoc.ts). */
export async function logoutServer(ctx: Context, ref: string | ServerConfig): Promise<LogoutResult> {
  const server = typeof ref === "string" ? await getServer(ctx, ref) : ref;
  const name = server.name;
  if (server.transport !== "http") throw noLoginForStdio(name);
  const { store, key, credentials } = await loadServerCredentials(ctx, server);
  const revocation = credentials ? await revokeStoredTokens(credentials, timedFetch(ctx, REVOKE_TIMEOUT_MS)) : undefined;
  const deleted = await store.delete(key);
  return { serverName: name, deleted: deleted || credentials !== undefined, revocation, store: store.kind };
}
