// The upstream servers behind `tether mcp serve`: connected in parallel without holding up the
// downstream handshake, one failure reported and left out, `required = true` failing start.
import type { ServerConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { ConnectionError, TetherError } from "../errors.ts";
import { connectServer, type ListKind, type McpConnection } from "../mcp/connect.ts";
import { describeConnectError } from "../mcp/errors.ts";

export type UpstreamState =
  | { server: ServerConfig; status: "connecting" }
  | { server: ServerConfig; status: "ok"; connection: McpConnection }
  | { server: ServerConfig; status: "failed"; error: TetherError };

export interface UpstreamEvents {
  onListChanged(server: string, kind: ListKind): void;
  onResourceUpdated(server: string, uri: string): void;
  /** An upstream could not be reached; it is left out of every list. */
  onFailure(server: string, error: TetherError): void;
}

export class Upstreams {
  private readonly states = new Map<string, UpstreamState>();
  private readonly pending = new Map<string, Promise<void>>();
  /**
   * Per server whose shared connection speaks 2026-07-28: a second one speaking 2025, opened for
   * the first 2025 client. A server that offers both eras may offer each something else (the
   * conformance suite's reference server asks for sampling and elicitation, and takes resource
   * subscriptions, only from 2025 clients); undefined when the server refuses 2025.
   */
  private readonly legacy = new Map<string, Promise<McpConnection | undefined>>();
  /** Cleanups of the connections: run by close(), after in-flight calls had their chance. */
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private closed = false;

  constructor(
    private readonly ctx: Context,
    readonly servers: ServerConfig[],
    private readonly events: UpstreamEvents,
  ) {
    for (const server of servers) this.states.set(server.name, { server, status: "connecting" });
  }

  /**
   * Starts the required servers now (start fails without them) and the others with the first
   * request that needs them (`ready()`, `get()`, or `start()` again), all in parallel. Lazy, because
   * a client that negotiates the era over stdio first spawns a probe copy of tether that answers
   * server/discover and is killed: upstreams started there would only compete with the real ones.
   */
  start(which: "required" | "all" = "all"): void {
    if (this.closed) return;
    for (const server of this.servers) {
      if (this.pending.has(server.name) || (which === "required" && !server.required)) continue;
      this.pending.set(
        server.name,
        connectServer(this.ctx, server, {
          // Connections answer to close() (after the gateway's drain), not to the run's exit
          // cleanups: those would cut in-flight calls the moment Ctrl-C arrives, before the drain.
          registerClose: (close) => void this.cleanups.push(close),
          onListChanged: (kind) => this.events.onListChanged(server.name, kind),
          onResourceUpdated: (uri) => this.events.onResourceUpdated(server.name, uri),
        }).then(
          (connection) => {
            // Connected after shutdown began: nobody will use it.
            if (this.closed) return void connection.close();
            this.states.set(server.name, { server, status: "ok", connection });
          },
          (error: unknown) => {
            const failure = describeConnectError(server, error, []);
            this.states.set(server.name, { server, status: "failed", error: failure });
            this.events.onFailure(server.name, failure);
          },
        ),
      );
    }
  }

  /** Throws the first required server's failure (exit 1), after all required ones settled. */
  async required(): Promise<void> {
    const required = this.servers.filter((s) => s.required);
    this.start("required");
    await Promise.all(required.map((s) => this.pending.get(s.name)));
    for (const server of required) {
      const state = this.states.get(server.name)!;
      if (state.status === "failed") {
        throw new ConnectionError(`required server "${server.name}" failed to start: ${state.error.message}`, {
          hint: state.error.hint,
          stderrTail: state.error instanceof ConnectionError ? state.error.stderrTail : [],
        });
      }
    }
  }

  /** Whether every `required` server is connected (/readyz). */
  requiredReady(): boolean {
    return this.servers.every((s) => !s.required || this.states.get(s.name)?.status === "ok");
  }

  /** Every connection that succeeded, in config order, once all attempts settled. */
  async ready(): Promise<McpConnection[]> {
    this.start();
    await Promise.all(this.pending.values());
    return this.connected();
  }

  connected(): McpConnection[] {
    const out: McpConnection[] = [];
    for (const state of this.states.values()) if (state.status === "ok") out.push(state.connection);
    return out;
  }

  /** The server's connection; for a 2025 client (`era` legacy), the one speaking 2025 where there is one. */
  async get(name: string, era?: "legacy" | "modern"): Promise<McpConnection | undefined> {
    this.start();
    await this.pending.get(name);
    const state = this.states.get(name);
    if (state?.status !== "ok") return undefined;
    if (era !== "legacy" || state.connection.era !== "modern") return state.connection;
    return (await this.legacyConnection(state.server)) ?? state.connection;
  }

  private legacyConnection(server: ServerConfig): Promise<McpConnection | undefined> {
    let connecting = this.legacy.get(server.name);
    if (!connecting) {
      connecting = connectServer(this.ctx, server, {
        legacyOnly: true,
        registerClose: (close) => void this.cleanups.push(close),
        onResourceUpdated: (uri) => this.events.onResourceUpdated(server.name, uri),
      }).then(
        (connection) => (this.closed ? void connection.close() : connection),
        (error: unknown) => {
          this.ctx.log.debug(`server "${server.name}" refused a 2025 connection (${String(error)}); its 2025 clients share the 2026-07-28 one`);
          return undefined;
        },
      );
      this.legacy.set(server.name, connecting);
    }
    return connecting;
  }

  /** Closes every connection (stdio children included). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.cleanups.splice(0).map(async (cleanup) => cleanup()));
  }
}
