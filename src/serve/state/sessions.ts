// 2025 sessions shared by replicas (`--state`): the record a replica needs to serve a session it
// did not open (the client's initialize params; the home replica), expiring with the idle close
// and refreshed on use; the session's bus, on which the replica a client's message lands on passes
// other replicas what is theirs (the answer to a question one of them asked, cancellations, the
// session's end); and the home moving to whichever replica gets the next request when the home's
// heartbeat stops.
import type { JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";
import type { SessionDirectory, SessionListener, SessionRecord } from "../session-directory.ts";
import { replicaAlive, withTimeout } from "./connection.ts";
import { RedisEventStore, removeSessionEvents } from "./event-store.ts";
import { sessionChannel, sessionKey } from "./keys.ts";
import { relayRequest, serveRelayedRequests } from "./relay.ts";
import type { SharedState } from "./types.ts";

interface BusMessage {
  /** The sending replica's tag: it does not deliver to itself. */
  from: string;
  messages?: JSONRPCMessage[];
  end?: boolean;
}

export interface RedisSessionsOptions {
  /** The idle close: a session's record and events expire after this long unused. */
  idleMs: number;
  /** `--event-store-bytes`, across every replica. */
  eventStoreBytes?: number;
}

const isResponse = (message: JSONRPCMessage): message is JSONRPCMessage & { id: string | number } =>
  "id" in message && !("method" in message) && ("result" in message || "error" in message);
const isRequest = (message: JSONRPCMessage): message is JSONRPCMessage & { id: string | number; method: string } =>
  "id" in message && "method" in message;

export function redisSessionDirectory(state: SharedState, options: RedisSessionsOptions): SessionDirectory {
  const { prefix, redis } = state;
  // Every replica numbers its own requests to a client from 0: the tag keeps a session's ids
  // unique across replicas, and says whose an answer is.
  const tag = state.replicaId.replace(/-/g, "").slice(0, 12);
  const ttl = String(options.idleMs);
  const write = (sessionId: string, record: SessionRecord) => withTimeout(redis.send("SET", [sessionKey(prefix, sessionId), JSON.stringify(record), "PX", ttl]));
  const publish = (sessionId: string, message: BusMessage) => state.publish(sessionChannel(prefix, sessionId), JSON.stringify(message));
  /** An answer's id as its asker numbered it, when the asker is this replica. */
  const ownId = (id: string | number): number | undefined => {
    if (typeof id !== "string" || !id.startsWith(`${tag}~`)) return undefined;
    const n = Number(id.slice(tag.length + 1));
    return Number.isInteger(n) ? n : undefined;
  };

  return {
    async open(sessionId, initialize) {
      await write(sessionId, { initialize, home: state.replicaId });
    },
    async find(sessionId) {
      const raw = await withTimeout(redis.send("GET", [sessionKey(prefix, sessionId)]));
      if (typeof raw !== "string") return undefined;
      const record = JSON.parse(raw) as SessionRecord;
      // The home died: this replica, which the client reached, takes the session over.
      if (!(await replicaAlive(state, record.home))) {
        record.home = state.replicaId;
        await write(sessionId, record);
      }
      return record;
    },
    async touch(sessionId) {
      return Number(await withTimeout(redis.send("PEXPIRE", [sessionKey(prefix, sessionId), ttl]))) === 1;
    },
    async remove(sessionId) {
      await withTimeout(redis.send("DEL", [sessionKey(prefix, sessionId)]));
      await publish(sessionId, { from: tag, end: true }).catch(() => {});
      await removeSessionEvents(state, sessionId).catch(() => {});
    },
    events: (sessionId, live: (streamId: StreamId) => boolean) =>
      new RedisEventStore(state, sessionId, live, { maxBytes: options.eventStoreBytes, ttlMs: options.idleMs }),
    async listen(sessionId, listener: SessionListener) {
      return await state.subscribe(sessionChannel(prefix, sessionId), (raw) => {
        let bus: BusMessage;
        try {
          bus = JSON.parse(raw) as BusMessage;
        } catch {
          return;
        }
        if (bus.from === tag) return;
        if (bus.end) return listener.end();
        for (const message of bus.messages ?? []) {
          if (!isResponse(message)) listener.deliver(message);
          else {
            const id = ownId(message.id);
            if (id !== undefined) listener.deliver({ ...message, id } as JSONRPCMessage);
          }
        }
      });
    },
    async route(sessionId, messages) {
      const local: JSONRPCMessage[] = [];
      const others: JSONRPCMessage[] = [];
      for (const message of messages) {
        if (isResponse(message)) {
          const id = ownId(message.id);
          if (id !== undefined) local.push({ ...message, id } as JSONRPCMessage);
          else others.push(message);
        } else {
          local.push(message);
          // A cancellation is for whichever replica runs the request; only that one knows it.
          if (!isRequest(message) && "method" in message && message.method === "notifications/cancelled") others.push(message);
        }
      }
      if (others.length) await publish(sessionId, { from: tag, messages: others });
      return local;
    },
    tagOutgoing: (message) => (isRequest(message) ? ({ ...message, id: `${tag}~${message.id}` } as JSONRPCMessage) : message),
    async relayToHome(sessionId, request) {
      const raw = await withTimeout(redis.send("GET", [sessionKey(prefix, sessionId)]));
      if (typeof raw !== "string") return undefined;
      const record = JSON.parse(raw) as SessionRecord;
      if (record.home === state.replicaId) return undefined;
      if (await replicaAlive(state, record.home)) {
        const answer = await relayRequest(state, record.home, request);
        if (answer) return answer;
      }
      // The home is gone (or did not answer): this replica takes the session over, and serves it.
      record.home = state.replicaId;
      await write(sessionId, record);
      return undefined;
    },
    serveRelayed: (handle) => serveRelayedRequests(state, handle),
    close: async () => {},
  };
}
