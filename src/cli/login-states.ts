// The auth column's live state for commands that show it. The OAuth modules (and the credential
// store behind them) load only when some server could have a stored login: `mcp list` of stdio
// and bearer servers stays fast and never touches the keyring.
import type { Context } from "../context.ts";
import { mayUseOAuth, type AuthView } from "../config/describe.ts";
import type { ServerConfig } from "../config/types.ts";

/** `result[i]` is the auth state of `servers[i]`; undefined means config tells it all. */
export async function loginStates(ctx: Context, servers: ServerConfig[]): Promise<AuthView[] | undefined> {
  if (!servers.some(mayUseOAuth)) return undefined;
  const { describeAuthAll } = await import("../auth/state.ts");
  return describeAuthAll(ctx, servers);
}
