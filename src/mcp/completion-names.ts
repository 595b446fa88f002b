// The names `tether __complete` offers a shell: from the name cache at once, or, when it holds
// none, from the server itself if it answers within the completion budget.
import { getServer } from "../config/servers.ts";
import type { ServerConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { TetherError } from "../errors.ts";
import { withTimeout } from "../timers.ts";
import { connectServer, type ListKind, type McpConnection } from "./connect.ts";
import { cachedNames, type ListedNames, NAMES_FRESH_MS, rememberNames } from "./name-cache.ts";

/** The most a Tab waits on a server; a slower server gets its names from the next command that lists them. */
export const COMPLETION_BUDGET_MS = 300;

/**
 * Names for `kind` on server `name`. Cached names are returned at once; when they are stale the
 * server is asked again after they are handed over (`deliver`), still within the budget, so the
 * next Tab sees fresh ones. With nothing cached, the answer is whatever the server lists within
 * the budget, or nothing. Never throws: a completion has no way to show an error.
 */
export async function completionNames(ctx: Context, name: string, kind: ListKind, deliver: (names: string[]) => void): Promise<void> {
  let server: ServerConfig;
  try {
    server = await getServer(ctx, name);
  } catch {
    return deliver([]);
  }
  if (!server.enabled) return deliver([]);
  const cached = cachedNames(ctx, server, kind);
  if (cached) {
    deliver(cached.names);
    if (ctx.now() - cached.at < NAMES_FRESH_MS) return;
  }
  const listed = await refreshNames(ctx, server, kind);
  if (!cached) deliver(listed ? (cachedNames(ctx, server, kind)?.names ?? []) : []);
}

/** Lists the names within the budget and caches them; false when the server did not answer in time. */
async function refreshNames(ctx: Context, server: ServerConfig, kind: ListKind): Promise<boolean> {
  const started = Date.now();
  const budget = () => Math.max(1, COMPLETION_BUDGET_MS - (Date.now() - started));
  let connection: McpConnection | undefined;
  const work = (async () => {
    // Not the graceful close at exit, which may wait on the server: a completion closes what it
    // opened within its own budget (below), and the process exit hook ends a stdio child.
    connection = await connectServer(ctx, { ...server, startupTimeoutSec: COMPLETION_BUDGET_MS / 1000 }, { registerClose: () => {} });
    const listed: ListedNames = { tools: connection.tools.map((t) => t.name) };
    // One cache write for all it listed; the tools alone when the other list fails.
    try {
      const caps = connection.capabilities();
      if (kind === "prompts") listed.prompts = caps?.prompts ? (await connection.listPrompts()).map((p) => p.name) : [];
      if (kind === "resources") listed.resources = caps?.resources ? (await connection.listResources()).map((r) => r.uri) : [];
    } finally {
      rememberNames(ctx, server, listed);
    }
  })();
  try {
    await withTimeout(work, budget(), () => new TetherError("completion budget spent"));
    return true;
  } catch {
    // A server that answers after the budget is closed as soon as it does.
    work.then(() => connection?.close(), () => {}).catch(() => {});
    return false;
  } finally {
    const opened = connection as McpConnection | undefined;
    if (opened) await Promise.race([opened.close().catch(() => {}), Bun.sleep(budget())]);
  }
}
