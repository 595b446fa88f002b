// Per-session upstream connections (`--per-session NAME`, config `[serve] per_session_upstreams`):
// a server whose questions cannot be tied to a call (a 2025 server on stdio says nothing about
// which call a request belongs to) gets one connection per downstream client, so whatever it asks
// on that connection can only be for that client (./forwarding.ts).
//
// The scope of a connection is the client's 2025 session (closed when the session ends: DELETE,
// idle close, shutdown) or, for a stateless HTTP client that has no session, the one request
// (closed when it settles). At the cap, the least recently used connection with no request in
// flight is closed to make room (its session gets a new one when it comes back); only when every
// one is busy is the request refused. The shared connection still serves lists, completions and
// subscriptions.
import { INTERNAL_ERROR, ProtocolError } from "@modelcontextprotocol/client";
import type { ServerConfig } from "../config/types.ts";
import type { McpConnection } from "../mcp/connect.ts";
import { connectionKey } from "./forwarding.ts";

/** `--max-upstream-sessions`' default: per-session connections open at once, per server. */
export const DEFAULT_MAX_UPSTREAM_SESSIONS = 32;

/** Opens `server`'s connection for `scope`; `registerClose` receives its close as soon as it exists. */
export type ConnectScoped = (server: ServerConfig, scope: string, registerClose: (close: () => Promise<void>) => void) => Promise<McpConnection>;

interface Scoped {
  server: string;
  scope: string;
  connection: Promise<McpConnection>;
  close?: () => Promise<void>;
  /** Requests running on it now. */
  busy: number;
  /** When it was last leased, in lease order (least recently used first). */
  used: number;
}

/** A connection lent to one request; `done` when the request settles. */
export interface Lease {
  connection: McpConnection;
  done(): void;
}

export class SessionUpstreams {
  private readonly open = new Map<string, Scoped>();
  private closed = false;
  private leases = 0;

  constructor(
    private readonly connect: ConnectScoped,
    /** The servers that get per-session connections. */
    private readonly servers: ReadonlySet<string>,
    private readonly maxPerServer: number = DEFAULT_MAX_UPSTREAM_SESSIONS,
  ) {}

  has(server: string): boolean {
    return this.servers.has(server);
  }

  /** Whether any server gets per-session connections. */
  any(): boolean {
    return this.servers.size > 0;
  }

  /**
   * `server`'s connection for `scope`, opened on first use. When every connection of the server is
   * busy at the cap, a JSON-RPC error that says so: queueing would hold a client for as long as
   * another's calls run.
   */
  async lease(server: ServerConfig, scope: string): Promise<Lease> {
    const key = connectionKey(server.name, scope);
    let scoped = this.open.get(key);
    if (!scoped) {
      if (this.closed) throw new ProtocolError(INTERNAL_ERROR, "tether mcp serve is shutting down");
      this.makeRoom(server.name);
      // registerClose runs once the connection exists, after this assignment.
      const entry: Scoped = { server: server.name, scope, busy: 0, used: 0, connection: this.connect(server, scope, (close) => (entry.close = close)) };
      this.open.set(key, (scoped = entry));
      // A failed start is not kept: the next request tries again.
      entry.connection.catch(() => {
        if (this.open.get(key) === entry) this.open.delete(key);
      });
    }
    const entry = scoped;
    entry.busy++;
    entry.used = ++this.leases;
    try {
      const connection = await entry.connection;
      let returned = false;
      return { connection, done: () => void (returned || ((returned = true), entry.busy--)) };
    } catch (error) {
      entry.busy--;
      throw error;
    }
  }

  /** At the cap, closes the server's least recently used idle connection, or refuses. */
  private makeRoom(server: string): void {
    const mine = [...this.open.entries()].filter(([, s]) => s.server === server);
    if (mine.length < this.maxPerServer) return;
    const idle = mine.filter(([, s]) => s.busy === 0).sort(([, a], [, b]) => a.used - b.used)[0];
    if (!idle) {
      throw new ProtocolError(
        INTERNAL_ERROR,
        `server "${server}" already has ${mine.length} per-session connections open and busy, the most tether opens (--max-upstream-sessions); try again when a call finishes`,
      );
    }
    this.open.delete(idle[0]);
    void closeScoped(idle[1]);
  }

  /** The connections of `scope` that are up (a session's, to hear that its client's roots changed). */
  async connectionsOf(scope: string): Promise<McpConnection[]> {
    const mine = [...this.open.values()].filter((s) => s.scope === scope);
    const settled = await Promise.allSettled(mine.map((s) => s.connection));
    return settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  }

  /** Closes the connections of `scope` (a session ended, or a stateless request settled). */
  async release(scope: string): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [key, scoped] of this.open) {
      if (scoped.scope !== scope) continue;
      this.open.delete(key);
      closing.push(closeScoped(scoped));
    }
    await Promise.all(closing);
  }

  /** Closes every per-session connection (shutdown, after the drain). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map(closeScoped));
  }
}

async function closeScoped(scoped: Scoped): Promise<void> {
  // A connection still starting is closed once it exists (registerClose runs before it resolves).
  await scoped.connection.catch(() => {});
  await scoped.close?.().catch(() => {});
}
