// A 2026-07-28 retry (inputResponses + requestState) that lands on another replica than the one
// that asked the question: relayed to that replica over Redis pub/sub (`--state`).
//
// Why relay and not re-run: the question belongs to an upstream call still open on the replica
// that asked it (a 2025 upstream's elicitation/create waits for its answer inside that call), so
// only that replica can hand the answer over and see what the upstream does next. The replica the
// retry reached (B) verifies the requestState itself (the shared state key), then:
//   - publishes the retry, with a relay id and its own replica id, to the owner's channel (PUBLISH
//     says how many received it: 0 means the owner is gone, and the retry is refused);
//   - the owner (A) resumes the exchange (../forwarding.ts resumeHere) and answers with its next
//     turn, unsealed: the result, or the next questions and the exchange's state, which B seals for
//     its own client. Log lines on the way are relayed too; cancelling the retry on B cancels on A.
// A acknowledges at once and says it is alive while the call runs, so B notices a dead owner.
// One channel per replica, subscribed once at start, carries both what is asked of it and the
// replies it waits for: relaying a retry costs one PUBLISH, no SUBSCRIBE.
//
// Every message is signed (HMAC-SHA256 under a key derived from the state key): whoever can reach
// Redis but does not hold the key cannot answer another client's question or forge a result.
//
// Layout: `<prefix>exchange:<replica>` (retries and cancels for that replica, and replies to it).
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { LoggingMessageNotificationParams } from "@modelcontextprotocol/client";
import { INVALID_PARAMS, ProtocolError } from "@modelcontextprotocol/server";
import { TetherError } from "../../errors.ts";
import type { RemoteExchanges, RemoteRetry, Turn } from "../forwarding.ts";
import type { SharedState, StateKey } from "./types.ts";

/** How long B waits for the owner to take a relayed retry. */
export const RELAY_ACK_TIMEOUT_MS = 5_000;
/** How often the owner says it is still working on a relayed retry. */
export const RELAY_ALIVE_INTERVAL_MS = 5_000;
/** Silence after which B gives the owner up (it died mid-call). */
export const RELAY_SILENCE_MS = 20_000;

type ToOwner = { type: "resume"; relay: string; from: string; retry: RemoteRetry } | { type: "cancel"; relay: string };
type Reply =
  | { type: "ack" }
  | { type: "alive" }
  | { type: "log"; params: LoggingMessageNotificationParams }
  | { type: "turn"; turn: Turn<unknown> }
  | { type: "error"; code?: number; message: string; data?: unknown };
type ToRelay = Reply & { relay: string };

/** Resumes one of this replica's exchanges (../forwarding.ts Forwarding.resumeHere). */
export type ResumeHere = (retry: RemoteRetry, signal: AbortSignal, log: (params: LoggingMessageNotificationParams) => void) => Promise<Turn<unknown>>;

export function exchangeChannel(prefix: string, replica: string): string {
  return `${prefix}exchange:${replica}`;
}

/** Seals and opens relay messages under a key derived from the state key. */
function relaySigner(stateKey: StateKey) {
  const key = Buffer.from(hkdfSync("sha256", stateKey, new Uint8Array(0), "tether serve exchange relay v1", 32));
  const mac = (body: string) => createHmac("sha256", key).update(body).digest();
  return {
    seal: (message: ToOwner | ToRelay): string => {
      const body = JSON.stringify(message);
      return JSON.stringify({ body, mac: mac(body).toString("base64") });
    },
    /** The message, or undefined for anything unsigned, tampered or malformed. */
    open(raw: string): ToOwner | ToRelay | undefined {
      try {
        const { body, mac: given } = JSON.parse(raw) as { body: string; mac: string };
        const expected = mac(body);
        const presented = Buffer.from(given, "base64");
        if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
        return JSON.parse(body) as ToOwner | ToRelay;
      } catch {
        return undefined;
      }
    },
  };
}

export class ExchangeRelay implements RemoteExchanges {
  /** Retries this replica is resuming for others, by relay id: cancelled when their sender cancels. */
  private readonly serving = new Map<string, AbortController>();
  /** Retries this replica relayed and waits on, by relay id. */
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private unsubscribe?: () => Promise<void>;
  private readonly signer: ReturnType<typeof relaySigner>;

  constructor(
    private readonly state: SharedState,
    stateKey: StateKey,
    private readonly resumeHere: ResumeHere,
    /** How long to wait for the owner's ack; a test's short one sees a refusal without waiting 5 s. */
    private readonly ackTimeoutMs: number = RELAY_ACK_TIMEOUT_MS,
  ) {
    this.signer = relaySigner(stateKey);
  }

  /** Listens for retries relayed to this replica. */
  async start(): Promise<void> {
    this.unsubscribe = await this.state.subscribe(exchangeChannel(this.state.prefix, this.state.replicaId), (message) => {
      const parsed = this.signer.open(message);
      if (!parsed) return;
      if (parsed.type === "cancel") this.serving.get(parsed.relay)?.abort(new TetherError("the client cancelled the request"));
      else if (parsed.type === "resume") void this.serve(parsed.relay, parsed.from, parsed.retry);
      else this.waiting.get(parsed.relay)?.(parsed);
    });
  }

  async close(): Promise<void> {
    for (const controller of this.serving.values()) controller.abort(new TetherError("tether mcp serve is shutting down"));
    await this.unsubscribe?.();
  }

  /** The owner's side: resume the exchange, reply with its next turn. */
  private async serve(relay: string, from: string, retry: RemoteRetry): Promise<void> {
    // A message delivered twice (a resubscription race) must not resume the exchange twice.
    if (this.serving.has(relay)) return;
    const channel = exchangeChannel(this.state.prefix, from);
    const send = (reply: Reply) => this.state.publish(channel, this.signer.seal({ ...reply, relay })).catch(() => {});
    const controller = new AbortController();
    this.serving.set(relay, controller);
    void send({ type: "ack" });
    const alive = setInterval(() => void send({ type: "alive" }), RELAY_ALIVE_INTERVAL_MS);
    alive.unref?.();
    try {
      const turn = await this.resumeHere(retry, controller.signal, (params) => void send({ type: "log", params }));
      await send({ type: "turn", turn });
    } catch (error) {
      const { code, data } = error instanceof ProtocolError ? error : { code: undefined, data: undefined };
      await send({ type: "error", code, message: (error as Error).message, data });
    } finally {
      clearInterval(alive);
      this.serving.delete(relay);
    }
  }

  /** The side the retry reached: relay it to `replica`, wait for its next turn. */
  async resume(replica: string, retry: RemoteRetry, signal: AbortSignal, log?: (params: LoggingMessageNotificationParams) => void): Promise<Turn<unknown>> {
    const relay = crypto.randomUUID();
    let settle!: { resolve(turn: Turn<unknown>): void; reject(error: Error): void };
    const outcome = new Promise<Turn<unknown>>((resolve, reject) => (settle = { resolve, reject }));
    outcome.catch(() => {});
    let acked = false;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(silence);
      silence = setTimeout(
        () => settle.reject(new TetherError(acked ? "the tether replica serving this request stopped answering" : "the tether replica that asked the question did not take the answer")),
        acked ? RELAY_SILENCE_MS : this.ackTimeoutMs,
      );
    };
    this.waiting.set(relay, (reply) => {
      acked = true;
      watch();
      if (reply.type === "log") log?.(reply.params);
      else if (reply.type === "turn") settle.resolve(reply.turn);
      else if (reply.type === "error") settle.reject(reply.code === undefined ? new TetherError(reply.message) : new ProtocolError(reply.code, reply.message, reply.data));
    });
    const ownerChannel = exchangeChannel(this.state.prefix, replica);
    const cancel = () => void this.state.publish(ownerChannel, this.signer.seal({ type: "cancel", relay })).catch(() => {});
    try {
      watch();
      const request: ToOwner = { type: "resume", relay, from: this.state.replicaId, retry };
      const heard = Number(
        await this.state.redis.publish(ownerChannel, this.signer.seal(request)).catch(() => {
          throw new TetherError("the shared state (--state) is unreachable: the answer cannot reach the tether replica that asked the question");
        }),
      );
      // The replica that asked is gone, and its question with it: the client must start over.
      if (heard === 0) throw new ProtocolError(INVALID_PARAMS, "Invalid or expired requestState (the tether replica that asked the question is gone)");
      if (signal.aborted) cancel();
      signal.addEventListener("abort", cancel, { once: true });
      return await outcome;
    } finally {
      clearTimeout(silence);
      signal.removeEventListener("abort", cancel);
      this.waiting.delete(relay);
    }
  }
}
