// The event store of one 2025 HTTP session (the SDK's `EventStore`): every message tether writes
// on the session's SSE streams is kept with an id, so a client whose stream was closed (by tether's
// SSE polling, see ./http.ts, or by the network) reconnects with Last-Event-ID and gets what it
// missed, the result of its call included. In memory, bounded per session (events and bytes, the
// oldest dropped first), and gone with the session.
import type { EventId, EventStore, JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";

/** The most events one session keeps. */
export const MAX_SESSION_EVENTS = 1_000;
/** The most bytes (serialized messages) one session keeps; one larger message is kept alone. */
export const MAX_SESSION_EVENT_BYTES = 4 * 1024 * 1024;

interface StoredEvent {
  streamId: StreamId;
  message: JSONRPCMessage;
  bytes: number;
}

export class SessionEventStore implements EventStore {
  /** In the order stored: a Map keeps insertion order, so the first entry is the oldest. */
  private readonly events = new Map<EventId, StoredEvent>();
  private bytes = 0;
  private next = 0;

  constructor(
    private readonly maxEvents = MAX_SESSION_EVENTS,
    private readonly maxBytes = MAX_SESSION_EVENT_BYTES,
  ) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${streamId}_${(this.next++).toString(36)}`;
    const bytes = Buffer.byteLength(JSON.stringify(message));
    this.events.set(id, { streamId, message, bytes });
    this.bytes += bytes;
    for (const [oldest, event] of this.events) {
      if (this.events.size <= 1 || (this.events.size <= this.maxEvents && this.bytes <= this.maxBytes)) break;
      this.events.delete(oldest);
      this.bytes -= event.bytes;
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
    for (const [id, event] of [...this.events]) {
      if (id === lastEventId) after = true;
      // A priming event (an id with no message) only marks where a stream starts: nothing to resend.
      else if (after && event.streamId === streamId && "jsonrpc" in event.message) await send(id, event.message);
    }
    return streamId;
  }

  get size(): number {
    return this.events.size;
  }
}
