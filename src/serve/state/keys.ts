// The Redis layout of serve's shared state (issue 20), the core part: every key, TTL and channel
// of replicas, 2025 sessions and their event stores, in one place. (Other stores in this folder
// keep theirs beside them.) Every name starts with the run's prefix (`tether:` by default).

export const STATE_PREFIX = "tether:";

/** A replica beats this often… */
export const REPLICA_HEARTBEAT_MS = 3_000;
/** …and is dead once its heartbeat key has been missing this long (its sessions re-home on their next request). */
export const REPLICA_HEARTBEAT_TTL_MS = 10_000;

/** `replica:<id>` (string, PX heartbeat TTL): the replica is alive. */
export const heartbeatKey = (prefix: string, replicaId: string): string => `${prefix}replica:${replicaId}`;

/** `session:<id>` (string, JSON SessionRecord, PX the idle close, refreshed on use). */
export const sessionKey = (prefix: string, sessionId: string): string => `${prefix}session:${sessionId}`;
/**
 * `session:<id>:bus` (channel): what every replica holding the session must hear — answers to the
 * questions it sent the client, cancellations, and its end (DELETE).
 */
export const sessionChannel = (prefix: string, sessionId: string): string => `${prefix}session:${sessionId}:bus`;

/** `events:<session>:<stream>` (Redis stream): one SSE stream's events; PX the idle close, refreshed on write. */
export const eventStreamKey = (prefix: string, sessionId: string, streamId: string): string => `${prefix}events:${sessionId}:${streamId}`;
/** `events:<session>:streams` (set): the session's stream keys, so its end deletes them all. */
export const sessionStreamsKey = (prefix: string, sessionId: string): string => `${prefix}events:${sessionId}:streams`;
/** `events:<session>:bytes` (integer): what the session holds of the shared budget. */
export const sessionBytesKey = (prefix: string, sessionId: string): string => `${prefix}events:${sessionId}:bytes`;
/** `events:bytes` (integer): what every session's events hold together, against `--event-store-bytes`. */
export const eventBytesKey = (prefix: string): string => `${prefix}events:bytes`;
/**
 * Eviction queues (lists of `<stream key>|<entry id>|<bytes>|<session>`, oldest first): delivered
 * events go first, then undelivered notifications; undelivered responses are only queued in
 * `events:kept`, whose entries are dropped once their session is gone.
 */
export const evictionKeys = (prefix: string): { delivered: string; pending: string; kept: string } => ({
  delivered: `${prefix}events:evict:delivered`,
  pending: `${prefix}events:evict:pending`,
  kept: `${prefix}events:kept`,
});

/** `replica:<id>:relay` (channel): requests other replicas relay to this one, the home of their sessions. */
export const relayChannel = (prefix: string, replicaId: string): string => `${prefix}replica:${replicaId}:relay`;
/** `reply:<uuid>` (channel): one relayed request's response (head, body chunks, end), subscribed before the request is sent. */
export const replyChannel = (prefix: string, requestId: string): string => `${prefix}reply:${requestId}`;
