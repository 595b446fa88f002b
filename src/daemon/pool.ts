// The daemon's servers: one live connection per server entry, opened on first use with the
// environment of the command that asked, kept while its fingerprint (the entry and what its
// environment resolves to) stays the same, and opened again after the server died. Questions a
// server asks (elicitation, roots, sampling) and its log lines go to the command whose request is
// running on that connection; when that cannot be told, a question is refused.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Context } from "../context.ts";
import type { ServerConfig } from "../config/types.ts";
import { AuthError, ConnectionError, TetherError } from "../errors.ts";
import type { McpConnection } from "../mcp/connect.ts";
import type { ServerRequestHandlers } from "../mcp/server-requests.ts";
import { isProcessAlive } from "../files/atomic.ts";
import type { QuestionKind } from "./protocol.ts";

/** What a command sends to open (or reuse) a server. */
export interface OpenParams {
  server: ServerConfig;
  /** The calling command's environment and directory: the server is started with them. */
  env: Record<string, string>;
  cwd: string;
  /** A digest of the entry and its resolved environment (fingerprint.ts); a new one restarts the server. */
  fingerprint: string;
}

/** One command's request running on a server's connection: where its questions go. */
export interface Caller {
  /** Asks the command; resolves with its answer, rejects when it refused or went away. */
  ask(kind: QuestionKind, params: unknown, key?: string): Promise<unknown>;
  log(params: unknown): void;
}

export interface ServerState {
  name: string;
  transport: string;
  pid?: number;
  state: "running" | "starting" | "stopped";
  calls: number;
  restarts: number;
  startedAt?: number;
  lastUsedAt?: number;
}

interface Entry {
  params: OpenParams;
  connection?: McpConnection;
  connecting?: Promise<McpConnection>;
  /** Set when the connection is known to be gone (the process died, a call found it closed). */
  dead: boolean;
  inFlight: Set<Caller>;
  calls: number;
  restarts: number;
  startedAt?: number;
  lastUsedAt?: number;
}

export type Connector = (ctx: Context, server: ServerConfig, registerClose: (close: () => Promise<void>) => void) => Promise<McpConnection>;

export class ServerPool {
  private readonly entries = new Map<string, Entry>();
  private readonly current = new AsyncLocalStorage<{ entry: Entry; caller: Caller }>();

  constructor(
    private readonly ctx: Context,
    private readonly connect: Connector,
  ) {}

  /**
   * The server's connection, opened if need be. An entry whose fingerprint changed is closed
   * first (that server only); one whose process died is opened again. Says which happened.
   */
  async open(params: OpenParams, now: number, caller?: Caller): Promise<{ connection: McpConnection; restarted?: "crashed" | "config" }> {
    const name = params.server.name;
    let entry = this.entries.get(name);
    let restarted: "crashed" | "config" | undefined;
    if (entry && entry.params.fingerprint !== params.fingerprint) {
      this.ctx.log.notice(`server "${name}": its config or environment changed; restarting it`);
      // A start under way finishes first, so the copy it starts is the one closed.
      await entry.connecting?.catch(() => {});
      await this.close(entry);
      entry.params = params;
      entry.restarts++;
      restarted = "config";
    } else if (entry?.connection && !entry.connecting && !isLive(entry)) {
      // It ran and is gone (a server that never started is simply started, without a note).
      this.ctx.log.notice(`server "${name}" is gone; starting it again`);
      await this.close(entry);
      entry.restarts++;
      restarted = "crashed";
    }
    if (!entry) {
      entry = { params, dead: false, inFlight: new Set(), calls: 0, restarts: 0 };
      this.entries.set(name, entry);
    }
    entry.lastUsedAt = now;
    if (!caller) return { connection: await this.connectionOf(entry, now), restarted };
    // What the server asks while it starts (roots, often) is the opening command's to answer.
    const opening = entry;
    opening.inFlight.add(caller);
    try {
      return { connection: await this.current.run({ entry: opening, caller }, () => this.connectionOf(opening, now)), restarted };
    } finally {
      opening.inFlight.delete(caller);
    }
  }

  /**
   * Runs `work` on the server's connection on behalf of `caller` (its questions go there). A
   * connection failure marks the server dead, so the next use starts it again.
   */
  async run<T>(name: string, caller: Caller, now: number, work: (connection: McpConnection) => Promise<T>): Promise<T> {
    const entry = this.entries.get(name);
    if (!entry) throw new TetherError(`server "${name}" is not open in the keep-alive daemon`);
    const connection = isLive(entry) ? await this.connectionOf(entry, now) : (await this.open(entry.params, now)).connection;
    entry.inFlight.add(caller);
    entry.calls++;
    entry.lastUsedAt = now;
    try {
      return await this.current.run({ entry, caller }, () => work(connection));
    } catch (error) {
      if (error instanceof ConnectionError || error instanceof AuthError) entry.dead = true;
      throw error;
    } finally {
      entry.inFlight.delete(caller);
    }
  }

  /** Whether any command's request is running. */
  busy(): boolean {
    for (const entry of this.entries.values()) if (entry.inFlight.size > 0 || entry.connecting) return true;
    return false;
  }

  states(): ServerState[] {
    return [...this.entries.entries()].map(([name, entry]) => ({
      name,
      transport: entry.connection?.via ?? entry.params.server.transport,
      pid: entry.connection?.pid,
      state: entry.connecting ? "starting" : isLive(entry) ? "running" : "stopped",
      calls: entry.calls,
      restarts: entry.restarts,
      startedAt: entry.startedAt,
      lastUsedAt: entry.lastUsedAt,
    }));
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((entry) => this.close(entry)));
  }

  private connectionOf(entry: Entry, now: number): Promise<McpConnection> {
    if (entry.connection && !entry.dead) return Promise.resolve(entry.connection);
    entry.connecting ??= (async () => {
      let close: (() => Promise<void>) | undefined;
      try {
        const connection = await this.connect(this.serverContext(entry), entry.params.server, (c) => (close = c));
        entry.connection = connection;
        entry.dead = false;
        entry.startedAt = now;
        return connection;
      } catch (error) {
        await close?.().catch(() => {});
        throw error;
      } finally {
        entry.connecting = undefined;
      }
    })();
    return entry.connecting;
  }

  private async close(entry: Entry): Promise<void> {
    const connection = entry.connection;
    entry.connection = undefined;
    entry.dead = false;
    await connection?.close().catch((error: unknown) => this.ctx.log.debug(`closing "${entry.params.server.name}": ${String(error)}`));
  }

  /** The context a server runs in: the daemon's, with the caller's environment and directory, and questions relayed. */
  private serverContext(entry: Entry): Context {
    return { ...this.ctx, env: entry.params.env, cwd: entry.params.cwd, serverRequests: this.relay(entry) };
  }

  /**
   * The request the question belongs to: the one whose async context it arrives in (a 2026-07-28
   * input_required round), else the only request running on the connection (a 2025 server's
   * request over stdio carries nothing that says whose it is). None or several: nobody to ask.
   */
  private callerOf(entry: Entry): Caller | undefined {
    const here = this.current.getStore();
    if (here && here.entry === entry && entry.inFlight.has(here.caller)) return here.caller;
    return entry.inFlight.size === 1 ? [...entry.inFlight][0] : undefined;
  }

  private relay(entry: Entry): ServerRequestHandlers {
    const refuse = (server: ServerConfig, what: string) => {
      const why = entry.inFlight.size === 0 ? "no command's request is running on it" : "requests of several commands are running on it";
      this.ctx.log.warn(`server "${server.name}" sent ${what}, but ${why}; refused`);
      return new TetherError(`tether's keep-alive daemon cannot tell which command this ${what} is for (${why}); refused`);
    };
    return {
      elicit: async (server, params, key) => {
        const caller = this.callerOf(entry);
        if (!caller) throw refuse(server, "elicitation/create");
        return (await caller.ask("elicit", params, key)) as never;
      },
      listRoots: async (server, key) => {
        const caller = this.callerOf(entry);
        // Roots are asked for at any time (after roots/list_changed too): with no caller, none.
        if (!caller) return [];
        return (await caller.ask("roots", undefined, key)) as never;
      },
      sample: async (server, params, key) => {
        const caller = this.callerOf(entry);
        if (!caller) throw refuse(server, "sampling/createMessage");
        return (await caller.ask("sample", params, key)) as never;
      },
      // Every line goes to the caller, which shows those at or above its own --log-level.
      log: {
        write: (server, params) => {
          const caller = this.callerOf(entry);
          if (caller) caller.log(params);
          else this.ctx.log.debug(`server "${server.name}" log: ${JSON.stringify(params).slice(0, 500)}`);
        },
      },
    };
  }
}

/**
 * Whether the entry's connection is up: opened, not found dead by a call, and its process running.
 * A stdio server whose process is gone is dead; an HTTP one is found dead by its next request.
 */
function isLive(entry: Entry): boolean {
  const connection = entry.connection;
  return connection !== undefined && !entry.dead && (connection.pid === undefined || isProcessAlive(connection.pid));
}
