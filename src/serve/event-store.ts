// The event stores of 2025 HTTP sessions (the SDK's `EventStore`): every message tether writes on
// a session's SSE streams is kept with an id, so a client whose stream was closed (by tether's SSE
// polling, see ./http.ts, or by the network) reconnects with Last-Event-ID and gets what it missed,
// the result of its call included. In memory, gone with the session, and bounded twice: events per
// session, and bytes across every session together (one EventStoreBudget per serve), so many
// sessions with large results cannot hold more than the budget between them.
import type { EventId, EventStore, JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";

/** The most events one session keeps. */
export const MAX_SESSION_EVENTS = 1_000;
/** `--event-store-bytes`' default: the most bytes (serialized messages) all sessions keep together. */
export const DEFAULT_EVENT_STORE_BYTES = 64 * 1024 * 1024;
/** JSON-RPC "internal error": the code of the answer that replaces a result too large to keep. */
const INTERNAL_ERROR = -32603;

interface StoredEvent {
  id: EventId;
  streamId: StreamId;
  message: JSONRPCMessage;
  bytes: number;
  /** Written on a live stream, or replayed since: the client has had it. */
  delivered: boolean;
  owner: SessionEventStore;
}

/**
 * The byte budget all sessions' stores share. When a new event does not fit, delivered events go
 * first (oldest first), then undelivered notifications; an undelivered result is never evicted:
 * it is the one thing a client that comes back needs.
 */
export class EventStoreBudget {
  /** Every session's events, oldest first (a Set keeps insertion order). */
  private readonly events = new Set<StoredEvent>();
  private used = 0;

  constructor(readonly maxBytes: number = DEFAULT_EVENT_STORE_BYTES) {}

  /** Makes room for `event` and counts it; false when it cannot fit even then (nothing is evicted for it). */
  admit(event: StoredEvent): boolean {
    if (event.bytes > this.maxBytes) return false;
    const over = () => this.used + event.bytes - this.maxBytes;
    if (over() > 0 && this.evictable() < over()) return false;
    for (const pass of [isDelivered, isUndeliveredNotification]) {
      for (const old of this.events) {
        if (over() <= 0) break;
        if (pass(old)) old.owner.forget(old);
      }
    }
    this.charge(event);
    return true;
  }

  /** Counts `event` without making room: for the small errors that stand in for results (see substitute). */
  charge(event: StoredEvent): void {
    this.events.add(event);
    this.used += event.bytes;
  }

  release(event: StoredEvent): void {
    if (this.events.delete(event)) this.used -= event.bytes;
  }

  get bytes(): number {
    return this.used;
  }

  private evictable(): number {
    let bytes = 0;
    for (const event of this.events) if (isDelivered(event) || isUndeliveredNotification(event)) bytes += event.bytes;
    return bytes;
  }
}

const isDelivered = (event: StoredEvent): boolean => event.delivered && !isPriming(event);
const isUndeliveredNotification = (event: StoredEvent): boolean => !event.delivered && !isResponse(event.message) && !isPriming(event);
// A priming event (an id with no message) marks where a stream starts; a client resumes from it,
// and it costs two bytes: never worth evicting.
const isPriming = (event: StoredEvent): boolean => !("jsonrpc" in event.message);
const isResponse = (message: JSONRPCMessage): message is JSONRPCMessage & { id: string | number } =>
  "id" in message && ("result" in message || "error" in message);

export class SessionEventStore implements EventStore {
  /** In the order stored: a Map keeps insertion order, so the first entry is the oldest. */
  private readonly events = new Map<EventId, StoredEvent>();
  private next = 0;

  constructor(
    private readonly budget: EventStoreBudget,
    /** Whether the stream is open right now: the transport writes the message there after storing it. */
    private readonly live: (streamId: StreamId) => boolean,
    private readonly maxEvents = MAX_SESSION_EVENTS,
  ) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${streamId}_${(this.next++).toString(36)}`;
    const event: StoredEvent = { id, streamId, message, bytes: byteSize(message), delivered: this.live(streamId), owner: this };
    const kept = this.budget.admit(event) ? event : this.substitute(event);
    // Not kept (a notification past the budget): the id still goes out, but a resume after it fails loudly.
    if (!kept) return id;
    this.events.set(id, kept);
    if (this.events.size > this.maxEvents) {
      for (const old of this.events.values()) {
        if (old !== kept && (isDelivered(old) || isUndeliveredNotification(old))) {
          this.forget(old);
          break;
        }
      }
    }
    return id;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.get(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const streamId = this.events.get(lastEventId)?.streamId;
    if (streamId === undefined) throw new Error(`unknown or expired event id ${lastEventId}`);
    let after = false;
    for (const event of [...this.events.values()]) {
      if (event.id === lastEventId) after = true;
      else if (after && event.streamId === streamId && !isPriming(event)) {
        await send(event.id, event.message);
        event.delivered = true;
      }
    }
    return streamId;
  }

  /** Gives the session's bytes back to the budget (the session closed). */
  dispose(): void {
    for (const event of this.events.values()) this.budget.release(event);
    this.events.clear();
  }

  /** Removes one event (evicted by the budget or the per-session count). */
  forget(event: StoredEvent): void {
    this.events.delete(event.id);
    this.budget.release(event);
  }

  get size(): number {
    return this.events.size;
  }

  /**
   * A result the budget cannot hold is replaced, for a client that resumes, by an error for its
   * request id naming its size: never lost silently. (On a live stream the result itself is written.)
   */
  private substitute(event: StoredEvent): StoredEvent | undefined {
    if (!isResponse(event.message)) return undefined;
    const message: JSONRPCMessage = {
      jsonrpc: "2.0",
      id: event.message.id,
      error: {
        code: INTERNAL_ERROR,
        message: `the result (${event.bytes} bytes) is larger than tether mcp serve can keep for a resumed stream (--event-store-bytes ${this.budget.maxBytes}); call again on a stream that stays open (--sse-poll 0) or raise the bound`,
      },
    };
    const replacement: StoredEvent = { ...event, message, bytes: byteSize(message) };
    // A few hundred bytes, kept even when the budget is full of undelivered results: one per open request.
    if (!this.budget.admit(replacement)) this.budget.charge(replacement);
    return replacement;
  }
}

function byteSize(message: JSONRPCMessage): number {
  return Buffer.byteLength(JSON.stringify(message));
}
