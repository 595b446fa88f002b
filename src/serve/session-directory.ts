// Where serve's 2025 sessions are known beyond the replica that holds one's instance: nowhere
// (memory, one process: today's serve), or Redis (`--state`, ./state/sessions.ts), where any replica
// can restore a session another opened, and messages that must reach a session's other replicas
// travel. http.ts's legacySessions() works against this interface alone and never asks which.
import type { EventStore, JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";
import { EventStoreBudget, SessionEventStore } from "./event-store.ts";

/** What a replica needs to serve a session it did not open: the client's initialize params. */
export interface SessionRecord {
  initialize: Record<string, unknown>;
  /** The replica that opened it, or took it over when that one died. */
  home: string;
}

/** A request as it travels to the home replica. */
export interface RelayedRequest {
  method: string;
  headers: [string, string][];
  body?: string;
}

export type SessionEvents = EventStore & { dispose(): void };

/** Messages from other replicas for a session's instance here, and the session's end. */
export interface SessionListener {
  deliver(message: JSONRPCMessage): void;
  end(): void;
}

export interface SessionDirectory {
  /** Records a session before its initialize is answered; rejects (StateUnavailableError) when that cannot be done. */
  open(sessionId: string, initialize: Record<string, unknown>): Promise<void>;
  /** A session this replica does not hold: its record, when another replica opened it and it has not ended. */
  find(sessionId: string): Promise<SessionRecord | undefined>;
  /** Marks a session used; false when it ended elsewhere (the instance here must go). */
  touch(sessionId: string): Promise<boolean>;
  /** Ends a session everywhere (DELETE). */
  remove(sessionId: string): Promise<void>;
  events(sessionId: string, live: (streamId: StreamId) => boolean): SessionEvents;
  /** Hears what other replicas pass this session's instance here; resolves to the stop. */
  listen(sessionId: string, listener: SessionListener): Promise<() => void>;
  /**
   * The client's messages for a session: passes to other replicas what they need (answers to
   * questions they sent, cancellations), and returns what this replica handles, ids restored.
   */
  route(sessionId: string, messages: JSONRPCMessage[]): Promise<JSONRPCMessage[]>;
  /** A request this replica sends a client: its id made unique among the session's replicas. */
  tagOutgoing(message: JSONRPCMessage): JSONRPCMessage;
  /**
   * Has the session's home replica answer `request` (one that needs what only the home holds: its
   * per-session upstream connections). Undefined when this replica is the home, or has just become
   * it (the home died, or did not answer): then it serves the request itself.
   */
  relayToHome(sessionId: string, request: RelayedRequest): Promise<Response | undefined>;
  /** Answers the requests other replicas relay to this one, with `handle` (called once per run). */
  serveRelayed(handle: (request: Request) => Promise<Response>): Promise<void>;
  close(): Promise<void>;
}

/** One process, no sharing: a session lives and ends with its instance here. */
export function memorySessionDirectory(eventStoreBytes?: number): SessionDirectory {
  const budget = new EventStoreBudget(eventStoreBytes);
  return {
    open: async () => {},
    find: async () => undefined,
    touch: async () => true,
    remove: async () => {},
    events: (_sessionId, live) => new SessionEventStore(budget, live),
    listen: async () => () => {},
    route: async (_sessionId, messages) => messages,
    tagOutgoing: (message) => message,
    relayToHome: async () => undefined,
    serveRelayed: async () => {},
    close: async () => {},
  };
}
