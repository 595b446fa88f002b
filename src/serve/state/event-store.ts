// The event stores of 2025 sessions in Redis (`--state`): what ../event-store.ts keeps in memory,
// kept where every replica can replay it, so a client whose SSE stream was cut resumes with
// Last-Event-ID on whichever replica its next request reaches. One Redis stream per SSE stream
// (keys scoped by session and stream, see ./keys.ts: ids from one session's streams never resolve
// in another's), bounded as in memory by one byte budget over all sessions, with the same order of
// eviction: delivered events first, then undelivered notifications; undelivered results are kept.
import type { EventId, EventStore, JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";
import { DEFAULT_EVENT_STORE_BYTES, jsonBytes, MAX_DELIVERED_RESULT_BYTES } from "../event-store.ts";
import { withTimeout } from "./connection.ts";
import { eventBytesKey, eventStreamKey, evictionKeys, sessionStreamsKey } from "./keys.ts";
import type { SharedState } from "./types.ts";

/** JSON-RPC "internal error": the code of the answer that replaces a result too large to keep. */
const INTERNAL_ERROR = -32603;

/**
 * Stores one event, making room first. Every queued entry is charged once and uncharged once,
 * when it leaves its queue, whether its event is still there or went with its session (DEL) or
 * its TTL: so the budget never drifts, and bytes of ended sessions are reclaimed as room is needed.
 * A kept (undelivered) result is reclaimed only once its event is gone.
 * KEYS: stream, session's stream set, total bytes, delivered queue, pending queue, kept queue.
 * ARGV: message JSON, bytes, kind (d delivered, n undelivered notification, r undelivered result,
 * p priming), max bytes, TTL ms, force (1: store even over budget, for the small stand-in errors).
 * Returns the entry id, or false when it does not fit.
 */
const STORE_SCRIPT = `
local bytes = tonumber(ARGV[2])
local max = tonumber(ARGV[4])
local function used() return tonumber(redis.call('GET', KEYS[3]) or '0') end
local function parse(e)
  local key, id, b = string.match(e, '^(.*)|([^|]*)|([^|]*)$')
  return key, id, tonumber(b)
end
local function pop(q)
  local e = redis.call('LPOP', q)
  if not e then return false end
  local key, id, b = parse(e)
  redis.call('XDEL', key, id)
  redis.call('DECRBY', KEYS[3], b)
  return true
end
local function popGoneKept()
  local e = redis.call('LINDEX', KEYS[6], 0)
  if not e then return false end
  local key, id, b = parse(e)
  if #redis.call('XRANGE', key, id, id) > 0 then return false end
  redis.call('LPOP', KEYS[6])
  redis.call('DECRBY', KEYS[3], b)
  return true
end
if ARGV[6] ~= '1' and ARGV[3] ~= 'p' then
  if bytes > max then return false end
  while used() + bytes > max do
    if not (pop(KEYS[4]) or pop(KEYS[5]) or popGoneKept()) then return false end
  end
end
local id = redis.call('XADD', KEYS[1], '*', 'm', ARGV[1], 'k', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if ARGV[3] ~= 'p' then
  redis.call('INCRBY', KEYS[3], bytes)
  local entry = KEYS[1] .. '|' .. id .. '|' .. bytes
  if ARGV[3] == 'd' then redis.call('RPUSH', KEYS[4], entry)
  elseif ARGV[3] == 'n' then redis.call('RPUSH', KEYS[5], entry)
  else redis.call('RPUSH', KEYS[6], entry) end
end
return id
`;

type Kind = "d" | "n" | "r" | "p";

const isResponse = (message: JSONRPCMessage): message is JSONRPCMessage & { id: string | number } =>
  "id" in message && ("result" in message || "error" in message);
const isPriming = (message: JSONRPCMessage): boolean => !("jsonrpc" in message);

export interface RedisEventStoreOptions {
  /** `--event-store-bytes`: all sessions together, across every replica. */
  maxBytes?: number;
  /** How long a stream's events outlive its last write: the session's idle close. */
  ttlMs: number;
}

/** One 2025 session's event store in Redis. Event ids are `<stream id>_<Redis entry id>`. */
export class RedisEventStore implements EventStore {
  private readonly maxBytes: number;

  constructor(
    private readonly state: SharedState,
    private readonly sessionId: string,
    /** Whether the stream is open on this replica right now (the transport writes there after storing). */
    private readonly live: (streamId: StreamId) => boolean,
    private readonly options: RedisEventStoreOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_EVENT_STORE_BYTES;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const delivered = this.live(streamId);
    const bytes = jsonBytes(message);
    const kind: Kind = isPriming(message) ? "p" : delivered ? "d" : isResponse(message) ? "r" : "n";
    try {
      if (delivered && isResponse(message) && bytes > MAX_DELIVERED_RESULT_BYTES) return await this.substitute(streamId, message, bytes, "sent", kind);
      const id = await this.add(streamId, message, bytes, kind, false);
      if (id !== undefined) return id;
      // Not kept (a notification past the budget): the id still goes out, but a resume after it fails loudly.
      if (!isResponse(message)) return `${streamId}_0-0`;
      return await this.substitute(streamId, message, bytes, "full", kind);
    } catch {
      // Redis is away: the message still goes out on a live stream; only resuming after it fails.
      return `${streamId}_0-0`;
    }
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return splitEventId(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const parts = splitEventId(lastEventId);
    if (!parts) throw new Error(`unknown or expired event id ${lastEventId}`);
    const key = eventStreamKey(this.state.prefix, this.sessionId, parts.streamId);
    const [at, after] = (await withTimeout(
      Promise.all([this.state.redis.send("XRANGE", [key, parts.entryId, parts.entryId]), this.state.redis.send("XRANGE", [key, `(${parts.entryId}`, "+"])]),
    )) as [RawEntry[], RawEntry[]];
    if (!at?.length) throw new Error(`unknown or expired event id ${lastEventId}`);
    for (const [entryId, fields] of after ?? []) {
      const entry = fieldsOf(fields);
      if (entry.k === "p" || entry.m === undefined) continue;
      await send(`${parts.streamId}_${entryId}`, JSON.parse(entry.m) as JSONRPCMessage);
    }
    return parts.streamId;
  }

  /** Nothing to give back locally: the events stay for the other replicas until the session ends (removeSessionEvents). */
  dispose(): void {}

  private async add(streamId: StreamId, message: JSONRPCMessage, bytes: number, kind: Kind, force: boolean): Promise<EventId | undefined> {
    const { prefix } = this.state;
    const queues = evictionKeys(prefix);
    const keys = [eventStreamKey(prefix, this.sessionId, streamId), sessionStreamsKey(prefix, this.sessionId), eventBytesKey(prefix), queues.delivered, queues.pending, queues.kept];
    const args = [JSON.stringify(message), String(bytes), kind, String(this.maxBytes), String(this.options.ttlMs), force ? "1" : "0"];
    const id = await withTimeout(this.state.redis.send("EVAL", [STORE_SCRIPT, String(keys.length), ...keys, ...args]));
    return typeof id === "string" ? `${streamId}_${id}` : undefined;
  }

  /**
   * A result the budget cannot hold is replaced, for a client that resumes, by an error for its
   * request id naming its size: never lost silently. (On a live stream the result itself is written.)
   */
  private async substitute(streamId: StreamId, message: JSONRPCMessage & { id: string | number }, bytes: number, why: "sent" | "full", kind: Kind): Promise<EventId> {
    const replacement: JSONRPCMessage = {
      jsonrpc: "2.0",
      id: message.id,
      error: {
        code: INTERNAL_ERROR,
        message:
          why === "full"
            ? `the result (${bytes} bytes) is larger than tether mcp serve can keep for a resumed stream (--event-store-bytes ${this.maxBytes}); call again, or raise --event-store-bytes or --sse-poll`
            : `the result (${bytes} bytes) was sent on a stream that was cut before it arrived; tether mcp serve keeps no copy of results over ${MAX_DELIVERED_RESULT_BYTES} bytes once sent; call again`,
      },
    };
    const small = jsonBytes(replacement);
    // A few hundred bytes, kept even when the budget is full of undelivered results: one per open request.
    const id = (await this.add(streamId, replacement, small, kind, false)) ?? (await this.add(streamId, replacement, small, kind, true));
    return id ?? `${streamId}_0-0`;
  }
}

/** Ends a session's events everywhere (DELETE): its streams go; their budget entries are reclaimed as room is needed. */
export async function removeSessionEvents(state: SharedState, sessionId: string): Promise<void> {
  const setKey = sessionStreamsKey(state.prefix, sessionId);
  const keys = (await withTimeout(state.redis.send("SMEMBERS", [setKey]))) as string[] | null;
  await withTimeout(state.redis.send("DEL", [setKey, ...(keys ?? [])]));
}

type RawEntry = [string, string[] | Record<string, string>];

/** Bun answers XRANGE's field list as a flat array (RESP2) or a map (RESP3): either way, a record. */
function fieldsOf(fields: string[] | Record<string, string>): Record<string, string> {
  if (!Array.isArray(fields)) return fields;
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  return record;
}

/** `<stream id>_<ms>-<seq>`: the stream id may itself hold `_` (the standalone stream is `_GET_stream`). */
export function splitEventId(eventId: EventId): { streamId: StreamId; entryId: string } | undefined {
  const match = /^(.+)_(\d+-\d+)$/.exec(eventId);
  if (!match || match[2] === "0-0") return undefined;
  return { streamId: match[1]!, entryId: match[2]! };
}
