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
/**
 * A response written on a live stream larger than this is kept only as the small error that
 * stands in for it (see substitute): the client has it, and keeping megabytes for the rare stream
 * cut mid-transfer would crowd out the results still waiting for clients that come back.
 */
export const MAX_DELIVERED_RESULT_BYTES = 1024 * 1024;
/**
 * After a large result went out, the collector runs (at most this often): each one passed through
 * serve in several transient copies (the upstream's line, the parsed result, the SSE text and its
 * bytes), and left to its own pace the collector let 256 sessions' worth pile up to 355 MB where
 * 212 MB was live. A full collection costs a few tens of milliseconds; a large result takes longer.
 */
export const RECLAIM_INTERVAL_MS = 1_000;
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
  private lastReclaim = 0;
  private reclaim?: ReturnType<typeof setTimeout>;

  constructor(readonly maxBytes: number = DEFAULT_EVENT_STORE_BYTES) {}

  /** A large result was just written: its transient copies are garbage once the write is under way. */
  reclaimSoon(): void {
    if (this.reclaim) return;
    const wait = Math.max(0, this.lastReclaim + RECLAIM_INTERVAL_MS - performance.now());
    this.reclaim = setTimeout(() => {
      this.reclaim = undefined;
      this.lastReclaim = performance.now();
      Bun.gc(true);
    }, wait);
    this.reclaim.unref?.();
  }

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
    const event: StoredEvent = { id, streamId, message, bytes: jsonBytes(message), delivered: this.live(streamId), owner: this };
    const large = event.delivered && event.bytes > MAX_DELIVERED_RESULT_BYTES && isResponse(message);
    if (large) this.budget.reclaimSoon();
    const kept = large ? this.substitute(event, "sent") : this.budget.admit(event) ? event : this.substitute(event, "full");
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
  private substitute(event: StoredEvent, why: "sent" | "full"): StoredEvent | undefined {
    if (!isResponse(event.message)) return undefined;
    const message: JSONRPCMessage = {
      jsonrpc: "2.0",
      id: event.message.id,
      error: {
        code: INTERNAL_ERROR,
        message:
          why === "full"
            ? `the result (${event.bytes} bytes) is larger than tether mcp serve can keep for a resumed stream (--event-store-bytes ${this.budget.maxBytes}); call again, or raise --event-store-bytes or --sse-poll`
            : `the result (${event.bytes} bytes) was sent on a stream that was cut before it arrived; tether mcp serve keeps no copy of results over ${MAX_DELIVERED_RESULT_BYTES} bytes once sent; call again`,
      },
    };
    const replacement: StoredEvent = { ...event, message, bytes: jsonBytes(message) };
    // A few hundred bytes, kept even when the budget is full of undelivered results: one per open request.
    if (!this.budget.admit(replacement)) this.budget.charge(replacement);
    return replacement;
  }
}

/** Characters JSON.stringify escapes: each adds one byte (`\n`, `\"`), or five (`\u001f`). */
const ESCAPED = /["\\\u0000-\u001f]/g;
const SHORT_ESCAPES = new Set(['"', "\\", "\b", "\f", "\n", "\r", "\t"]);

/**
 * The size of `value` as JSON, in UTF-8 bytes, without serializing it: a result of megabytes is
 * counted without another copy of it in memory. (Lone surrogates count 3 bytes instead of 6.)
 */
export function jsonBytes(value: unknown): number {
  if (typeof value === "string") {
    let bytes = Buffer.byteLength(value) + 2;
    ESCAPED.lastIndex = 0;
    for (let match = ESCAPED.exec(value); match; match = ESCAPED.exec(value)) bytes += SHORT_ESCAPES.has(match[0]) ? 1 : 5;
    return bytes;
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value).length;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + jsonBytes(item ?? null), 2 + Math.max(0, value.length - 1));
  if (typeof value !== "object") return 0;
  let bytes = 2;
  let fields = 0;
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || typeof item === "function") continue;
    bytes += jsonBytes(key) + 1 + jsonBytes(item);
    fields++;
  }
  return bytes + Math.max(0, fields - 1);
}
