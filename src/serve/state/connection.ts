// serve's link to Redis (`--state redis://…`, issue 20): the URL and state key checked at start-up,
// and the SharedState of ./types.ts over Bun's RedisClient: one client for commands, one dedicated
// to pub/sub, a replica heartbeat, and reconnection that does not wait for a request to notice.
import { randomUUID } from "node:crypto";
import { RedisClient } from "bun";
import { ConfigError, UsageError } from "../../errors.ts";
import { heartbeatKey, REPLICA_HEARTBEAT_MS, REPLICA_HEARTBEAT_TTL_MS, STATE_PREFIX } from "./keys.ts";
import type { SharedState, StateKey } from "./types.ts";

/** The smallest state key, in bytes after decoding: it keys HMACs and AES-256. */
export const MIN_STATE_KEY_BYTES = 32;
/** How long one Redis command may take before the request that needs it fails (503), rather than hang. */
export const STATE_COMMAND_TIMEOUT_MS = 5_000;
/** How long connecting may take; Redis down at start-up leaves serve running, not ready. */
const CONNECT_TIMEOUT_MS = 2_000;

const STATE_URL_FORM = "redis[s]://[USER:PASSWORD@]HOST:PORT[/DB]";

/** A checked `--state` URL. `url` holds the password: it is handed to the client and shown nowhere. */
export interface StateUrl {
  url: string;
  tls: boolean;
  host: string;
  port: number;
  db: number;
}

/**
 * `--state`'s value. A mistake is one line that names the part at fault and never the value itself:
 * the value may hold a password.
 */
export function parseStateUrl(value: string, source = "--state"): StateUrl {
  const bad = (why: string) => new UsageError(`${source} wants ${STATE_URL_FORM}: ${why}`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw bad("not a URL (a port that is not a number makes it one)");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw bad(`the scheme is "${url.protocol.slice(0, 16)}", not redis: or rediss:`);
  if (!url.hostname) throw bad("no host");
  const port = url.port === "" ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad("the port is not 1-65535");
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,5}$/.test(path)) throw bad("the path must be a database number (/0, /1, …)");
  if (url.search || url.hash) throw bad("query strings and fragments are not read");
  return { url: url.href, tls: url.protocol === "rediss:", host: url.hostname, port, db: path === "" ? 0 : Number(path) };
}

/**
 * The state key from `--state-key-env-var NAME`: hex (an even number of 0-9a-f), else base64
 * (standard or URL-safe), at least MIN_STATE_KEY_BYTES decoded. Its value is never shown.
 */
export function readStateKey(env: Record<string, string | undefined>, name: string): StateKey {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`--state-key-env-var ${name}: the variable is not set (or empty)`);
  let bytes: Buffer;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) bytes = Buffer.from(value, "hex");
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  else throw new ConfigError(`--state-key-env-var ${name}: the value is neither hex nor base64`);
  if (bytes.length < MIN_STATE_KEY_BYTES) {
    throw new ConfigError(`--state-key-env-var ${name}: the key is ${bytes.length} bytes; at least ${MIN_STATE_KEY_BYTES} are needed`, {
      hint: "make one with: openssl rand -hex 32",
    });
  }
  return new Uint8Array(bytes);
}

export interface StateConnectionOptions {
  prefix?: string;
  /** Called once per change of reachability (for serve's log). */
  onReadyChange?(ready: boolean): void;
  heartbeatMs?: number;
  heartbeatTtlMs?: number;
}

/**
 * Connects to Redis and keeps connected: a heartbeat (this replica's key with a TTL, so others can
 * tell it is alive) doubles as the reachability probe, and reconnects both clients when Bun has
 * given up. Resolves even when Redis is down: serve starts not ready, and becomes ready when Redis is.
 */
export async function connectState(stateUrl: StateUrl, options: StateConnectionOptions = {}): Promise<SharedState> {
  const prefix = options.prefix ?? STATE_PREFIX;
  const replicaId = randomUUID();
  // No offline queue: a command while Redis is away fails at once, and the request that needed it
  // answers 503 instead of waiting for a reconnect that may never come.
  const clientOptions = { enableOfflineQueue: false, connectionTimeout: CONNECT_TIMEOUT_MS, tls: stateUrl.tls };
  const redis = new RedisClient(stateUrl.url, clientOptions);
  const sub = new RedisClient(stateUrl.url, clientOptions);
  const listeners = new Map<string, Set<(message: string) => void>>();
  // Bun keeps a subscription's handler across a reconnect but not the subscription itself, and
  // subscribing again with the same handler delivers each message twice. So each (re)subscription
  // gets its own handler, the channel's current one; a superseded handler stays silent even if
  // Bun still calls it. Listeners live in our map, not in Bun's.
  const current = new Map<string, (message: string, channel: string) => void>();
  const handlerFor = (channel: string) => {
    const handler = (message: string) => {
      if (current.get(channel) !== handler) return;
      for (const listener of listeners.get(channel) ?? []) {
        try {
          listener(message);
        } catch {
          // One listener's failure is its own; the others still hear the message.
        }
      }
    };
    const old = current.get(channel);
    current.set(channel, handler);
    if (old) void sub.unsubscribe(channel, old).catch(() => {});
    return handler;
  };
  const subscribeChannel = (channel: string) => sub.subscribe(channel, handlerFor(channel));
  sub.onconnect = () => {
    for (const channel of listeners.keys()) void subscribeChannel(channel).catch(() => {});
  };
  redis.onclose = () => setReady(false);

  let ready = false;
  let closed = false;
  let started = false;
  // Reported on change; at start only when Redis is not there (reachable is the expected case).
  const setReady = (value: boolean) => {
    // Serve closing its own connection is no outage to warn about.
    if (closed || (ready === value && started)) return;
    const report = started ? ready !== value : !value;
    ready = value;
    if (report) options.onReadyChange?.(value);
  };
  const ttl = options.heartbeatTtlMs ?? REPLICA_HEARTBEAT_TTL_MS;
  // Bun's connect() retries a refused connection for about 30 s before it rejects: serve must not
  // wait that long to start (or a heartbeat to report), so each wait is bounded, and one attempt
  // per client runs at a time (a beat joins the attempt still under way).
  const attempts = new Map<RedisClient, Promise<void>>();
  const connect = (client: RedisClient) => {
    let attempt = attempts.get(client);
    if (!attempt) {
      attempt = client.connect().finally(() => attempts.delete(client));
      attempt.catch(() => {});
      attempts.set(client, attempt);
    }
    return withTimeout(attempt, CONNECT_TIMEOUT_MS);
  };
  const beat = async () => {
    if (closed) return;
    try {
      if (!redis.connected) await connect(redis);
      if (!sub.connected) await connect(sub);
      await withTimeout(redis.set(heartbeatKey(prefix, replicaId), String(Date.now()), "PX", ttl), STATE_COMMAND_TIMEOUT_MS);
      setReady(redis.connected && sub.connected);
    } catch {
      setReady(false);
    }
  };
  await beat();
  started = true;
  const heartbeat = setInterval(() => void beat(), options.heartbeatMs ?? REPLICA_HEARTBEAT_MS);
  heartbeat.unref?.();

  return {
    replicaId,
    redis,
    prefix,
    async subscribe(channel, onMessage) {
      let set = listeners.get(channel);
      const first = !set;
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(onMessage);
      const own = set;
      // While Redis is away the map is enough: onconnect subscribes when it is back. A failure
      // still rejects (the caller's request needed the channel), but the listener stays for then.
      if (first && sub.connected) await withTimeout(subscribeChannel(channel));
      return async () => {
        own.delete(onMessage);
        if (own.size === 0 && listeners.get(channel) === own) {
          listeners.delete(channel);
          current.delete(channel);
          if (sub.connected) await sub.unsubscribe(channel).catch(() => {});
        }
      };
    },
    async publish(channel, message) {
      await withTimeout(redis.publish(channel, message), STATE_COMMAND_TIMEOUT_MS);
    },
    ready: () => ready && redis.connected,
    async close() {
      closed = true;
      clearInterval(heartbeat);
      if (redis.connected) await withTimeout(redis.del(heartbeatKey(prefix, replicaId)), 500).catch(() => {});
      redis.close();
      sub.close();
    },
  };
}

/** Whether `replicaId`'s heartbeat is current: a replica that stopped beating is dead (its sessions move). */
export async function replicaAlive(state: SharedState, replicaId: string): Promise<boolean> {
  if (replicaId === state.replicaId) return true;
  return Number(await withTimeout(state.redis.send("EXISTS", [heartbeatKey(state.prefix, replicaId)]))) === 1;
}

/** Redis did not answer: the request that needed it fails (503) rather than waits. */
export class StateUnavailableError extends Error {
  override name = "StateUnavailableError";
  constructor(cause?: unknown) {
    super("the shared state (Redis) is unreachable; try again shortly", { cause });
  }
}

/** `promise`, or StateUnavailableError after `ms`; a rejection from Redis becomes StateUnavailableError too. */
export async function withTimeout<T>(promise: Promise<T>, ms: number = STATE_COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StateUnavailableError()), ms);
      }),
    ]);
  } catch (error) {
    throw error instanceof StateUnavailableError ? error : new StateUnavailableError(error);
  } finally {
    clearTimeout(timer);
  }
}

/** A run's shared-state settings, read and checked: the URL (from the flag, config or environment) and the key. */
export interface StateSettings {
  url: StateUrl;
  key: StateKey;
}

/**
 * Reads `--state` / `--state-env-var` and `--state-key-env-var` (resolved by ../options.ts) from
 * `env`; undefined without shared state.
 */
export function readStateSettings(
  env: Record<string, string | undefined>,
  options: { state?: string; stateEnvVar?: string; stateKeyEnvVar?: string },
): StateSettings | undefined {
  const { state, stateEnvVar, stateKeyEnvVar } = options;
  if (state === undefined && stateEnvVar === undefined) return undefined;
  let url: StateUrl;
  if (state !== undefined) url = parseStateUrl(state);
  else {
    const value = env[stateEnvVar!];
    if (!value) throw new ConfigError(`--state-env-var ${stateEnvVar}: the variable is not set (or empty)`);
    url = parseStateUrl(value, `--state-env-var ${stateEnvVar}`);
  }
  return { url, key: readStateKey(env, stateKeyEnvVar!) };
}
