// Server-initiated requests (elicitation, sampling, roots) from an upstream, forwarded to the
// downstream client whose request caused them, and the answer carried back.
//
// One mechanism serves every era pairing. A routed call runs inside an Exchange. When the upstream
// asks a question (the upstream client's handler calls ctx.serverRequests, see ../mcp/connect.ts),
// the question is parked on that exchange and the downstream handler answers its client with an
// `input_required` result carrying the question and a sealed `requestState` naming the exchange
// (./client-identity.ts: bound to that client, expiring with the question). The client answers and
// retries with `inputResponses`; the retry finds the exchange, hands the answer to the waiting
// upstream handler and waits again: for the result, or for the next question. Toward a 2025 client
// the server SDK's legacy shim turns that result into push requests (elicitation/create,
// sampling/createMessage, roots/list) and re-invokes the handler itself, so the same code serves it.
//
// Which exchange a question belongs to: the upstream SDK calls its handler inside the call's async
// context when the upstream is 2026-07-28 (input_required is fulfilled by the call) or answers on
// the call's own HTTP stream, so AsyncLocalStorage finds it. A 2025 server on stdio sends its
// request on the shared pipe with nothing naming the call. Then it goes to the one exchange open on
// that upstream connection, or to the oldest when every open one is the same client's (stdio, one
// 2025 session); otherwise tether does not guess: the upstream's request is refused (and the
// operator warned once per server), since asking the wrong client leaks one client's question, or
// roots, to another. `per_session_upstreams` gives each client its own connection instead
// (./session-upstreams.ts), which makes the question unambiguous again.
//
// Exchanges live in the process that opened them (the upstream call waits there). With replicas
// sharing state (`--state`), an exchange id names its replica, and a retry that lands on another one
// is relayed to it (./state/exchange-relay.ts), which answers with the next turn; the replica the
// retry reached seals that turn for its client as its own.
import { AsyncLocalStorage } from "node:async_hooks";
import type {
  ClientCapabilities,
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitRequestURLParams,
  ElicitResult,
  LoggingMessageNotificationParams,
  Root,
} from "@modelcontextprotocol/client";
import { INVALID_PARAMS, INVALID_REQUEST, ProtocolError } from "@modelcontextprotocol/client";
import { type InputRequest, type InputRequiredResult, inputRequired } from "@modelcontextprotocol/server";
import { TetherError } from "../errors.ts";
import type { ServerRequestHandlers } from "../mcp/server-requests.ts";

/** `--question-timeout`'s default: how long a question (and its requestState) waits for the client's retry before the upstream's request is cancelled. */
export const QUESTION_TIMEOUT_MS = 10 * 60_000;

type Question =
  | { method: "elicitation/create"; params: ElicitRequestFormParams | ElicitRequestURLParams }
  | { method: "sampling/createMessage"; params: CreateMessageRequestParams }
  | { method: "roots/list"; params?: Record<string, never> };

interface Parked {
  key: string;
  question: Question;
  answer(response: unknown): void;
  fail(error: Error): void;
}

/** What the downstream request says about its client and its retry. */
export interface DownstreamInput {
  /** The client's declared capabilities (per request on 2026-07-28, from initialize on 2025). */
  capabilities?: ClientCapabilities;
  /** The client's connection (`stdio`, a 2025 session id); absent for stateless HTTP (./client-identity.ts). */
  session?: string;
  /** The exchange id a retry's verified `requestState` names. */
  requestState?: string;
  /**
   * What the request asks for (./client-identity.ts requestIdentity): a state resumes only the
   * request it was issued for. A function: only a retry needs it, so a call pays nothing for it.
   */
  request(): string;
  inputResponses?: Record<string, unknown>;
  /** Seals an exchange id into the requestState handed to this client. */
  seal(exchangeId: string): Promise<string>;
  /** Sends a log line on this request's own stream (all a stateless HTTP client has). */
  log?(params: LoggingMessageNotificationParams): void;
}

/** An `input_required` result, as the server SDK's seam expects it from a handler. */
export type InputRequiredAnswer = InputRequiredResult;

/** The upstream connection a request runs on: its server, and for a per-session connection its scope. */
export function connectionKey(server: string, scope?: string): string {
  return scope === undefined ? server : `${server}\0${scope}`;
}

const INVALID_STATE = "Invalid or expired requestState";
/** Separates the exchange id from the round in a sealed requestState. */
const ROUND = "/";

/** One turn of an exchange: the work's value, or the questions to ask and the (unsealed) state naming this round. */
export type Turn<T> = { done: true; value: T } | { done: false; inputRequests: Record<string, InputRequest>; state: string };

/** A retry resumed on the replica that holds its exchange, as the replica it reached relays it (./state/exchange-relay.ts). */
export interface RemoteRetry {
  /** The verified requestState payload (an exchange id and round). */
  requestState: string;
  /** requestIdentity of the retry. */
  request: string;
  capabilities?: ClientCapabilities;
  inputResponses?: Record<string, unknown>;
}

/** Resumes an exchange another replica holds (./state/exchange-relay.ts). */
export interface RemoteExchanges {
  resume(replica: string, retry: RemoteRetry, signal: AbortSignal, log?: (params: LoggingMessageNotificationParams) => void): Promise<Turn<unknown>>;
}

/** Separates the replica from the rest of an exchange id (`<replica>.<uuid>`). */
const REPLICA = ".";

/** The replica named by a requestState payload; undefined for one minted without --state. */
export function replicaOfState(state: string): string | undefined {
  const id = state.split(ROUND)[0]!;
  const at = id.indexOf(REPLICA);
  return at > 0 ? id.slice(0, at) : undefined;
}

class Exchange<T> {
  private round = 0;
  private readonly waiting: Parked[] = [];
  private readonly asked = new Map<string, Parked>();
  private wake?: () => void;
  private next = 0;
  private expiry?: ReturnType<typeof setTimeout>;
  /** Why it was abandoned (timeout, session end, shutdown); it asks nothing more. */
  private ended?: Error;
  /** Its work has settled; it stays open only for a round the client has yet to answer. */
  settled = false;
  /** Aborted when the downstream request waiting on this exchange is cancelled. */
  readonly controller = new AbortController();
  /** The log line sender of the downstream request now waiting. */
  log?: (params: LoggingMessageNotificationParams) => void;
  work!: Promise<T>;

  constructor(
    readonly id: string,
    /** The upstream connection (connectionKey) the work runs on. */
    readonly connection: string,
    readonly session: string | undefined,
    /** The identity of the request that opened it (DownstreamInput.request). */
    readonly request: () => string,
    public capabilities: ClientCapabilities | undefined,
    private readonly timeoutMs: number,
    /** Takes it out of Forwarding's open exchanges. */
    private readonly release: () => void,
  ) {}

  /** Whether `state` (a verified requestState) names this exchange's latest round. */
  isLatest(state: string): boolean {
    return state === `${this.id}${ROUND}${this.round}`;
  }

  /**
   * Called from the upstream handler: parks the question until the client answers it, under the
   * upstream's own key when it gave one that is free in this exchange (the client sees the
   * question as it would directly), else under one of tether's.
   */
  ask<R>(question: Question, wanted?: string): Promise<R> {
    // Abandoned, its work is being cancelled: a question that arrives meanwhile is still its own.
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<R>((resolve, reject) => {
      const taken = wanted === undefined || this.asked.has(wanted) || this.waiting.some((p) => p.key === wanted);
      const key = taken ? `tether-${++this.next}` : wanted;
      this.waiting.push({ key, question, answer: (r) => resolve(r as R), fail: reject });
      this.wake?.();
    });
  }

  /** The client's retry: answers go to the questions asked in the last round. */
  deliver(responses: Record<string, unknown> | undefined): void {
    clearTimeout(this.expiry);
    for (const [key, parked] of this.asked) {
      const response = responses?.[key];
      if (response === undefined) parked.fail(new TetherError("the client retried without answering the question tether forwarded"));
      else parked.answer(response);
    }
    this.asked.clear();
    this.releaseIfDone();
  }

  /**
   * The work settled. An upstream may ask something that turns out not to matter (a roots/list while
   * a read is in flight): the client already got that round's input_required and will retry with its
   * requestState, so the exchange stays open until that retry (which gets the result) or its expiry.
   */
  settle(): void {
    this.settled = true;
    this.releaseIfDone();
  }

  /**
   * Out of the open exchanges once its work has settled and no question is out or about to go out:
   * a question still waiting (asked by the upstream while the work settled, not yet handed to the
   * client) becomes a round whose retry must find the exchange.
   */
  private releaseIfDone(): void {
    if (this.settled && this.asked.size === 0 && this.waiting.length === 0) this.release();
  }

  /** Waits for the work to finish or for questions; questions become an input_required answer. */
  async turn(): Promise<Turn<T>> {
    if (this.waiting.length === 0) {
      const asked = new Promise<"asked">((resolve) => (this.wake = () => resolve("asked")));
      const outcome = await Promise.race([this.work.then(() => "done" as const, () => "done" as const), asked]);
      this.wake = undefined;
      if (outcome === "done") return { done: true, value: await this.work };
      // Questions a 2026-07-28 upstream asks together arrive a moment apart: one round for all.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const inputRequests: Record<string, InputRequest> = {};
    for (const parked of this.waiting.splice(0)) {
      this.asked.set(parked.key, parked);
      inputRequests[parked.key] = parked.question as InputRequest;
    }
    this.expiry = setTimeout(() => this.abandon(new TetherError("the client did not answer the forwarded question in time")), this.timeoutMs);
    this.expiry.unref?.();
    // Each round its own state (SEP-2322): a retry must carry the latest, an older one is refused.
    return { done: false, inputRequests, state: `${this.id}${ROUND}${++this.round}` };
  }

  abandon(error: Error): void {
    this.ended ??= error;
    clearTimeout(this.expiry);
    this.controller.abort(error);
    for (const parked of [...this.asked.values(), ...this.waiting.splice(0)]) parked.fail(error);
    this.asked.clear();
    this.releaseIfDone();
  }
}

export interface ForwardingOptions {
  /** How long a question waits for the client's retry (and how long its requestState is valid). */
  questionTimeoutMs?: number;
  /** With --state: this replica's id, named in its exchange ids, and the way to resume other replicas' exchanges. */
  replica?: { id: string; remote: RemoteExchanges };
  /** The operator hears, once per server, that a question was refused rather than guessed. */
  warn(message: string): void;
}

/** The exchanges a question from one connection could belong to: none, the one, or several clients'. */
type Owner = { exchange: Exchange<unknown> } | { exchange?: undefined; ambiguous: boolean };

export class Forwarding {
  private readonly current = new AsyncLocalStorage<Exchange<unknown>>();
  private readonly open = new Map<string, Exchange<unknown>>();
  private readonly warned = new Set<string>();
  private readonly timeoutMs: number;

  constructor(private readonly options: ForwardingOptions) {
    this.timeoutMs = options.questionTimeoutMs ?? QUESTION_TIMEOUT_MS;
  }

  /**
   * Runs `work` (a request routed to the upstream connection `connection`, see connectionKey) so the
   * questions the upstream asks meanwhile reach this downstream request; a retry carrying tether's
   * requestState resumes its exchange instead.
   */
  async converse<T>(connection: string, input: DownstreamInput, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T | InputRequiredAnswer> {
    let exchange: Exchange<T>;
    if (input.requestState !== undefined) {
      const owner = replicaOfState(input.requestState);
      const { replica } = this.options;
      if (replica && owner !== undefined && owner !== replica.id) {
        const retry = { requestState: input.requestState, request: input.request(), capabilities: input.capabilities, inputResponses: input.inputResponses };
        return this.answer((await replica.remote.resume(owner, retry, signal, input.log)) as Turn<T>, input);
      }
      exchange = this.resumable<T>(input.requestState, input.request, input.capabilities, input.inputResponses);
    } else {
      const id = this.options.replica ? `${this.options.replica.id}${REPLICA}${crypto.randomUUID()}` : crypto.randomUUID();
      exchange = new Exchange<T>(id, connection, input.session, input.request, input.capabilities, this.timeoutMs, () => this.open.delete(id));
      this.open.set(exchange.id, exchange as Exchange<unknown>);
      exchange.work = this.current.run(exchange as Exchange<unknown>, () => work(exchange.controller.signal));
      exchange.work.catch(() => {});
      void exchange.work.finally(() => exchange.settle()).catch(() => {});
    }
    return this.answer(await this.wait(exchange, signal, input.log), input);
  }

  /** A retry relayed from another replica (./state/exchange-relay.ts): this replica's exchange resumed, its next turn unsealed. */
  resumeHere(retry: RemoteRetry, signal: AbortSignal, log?: (params: LoggingMessageNotificationParams) => void): Promise<Turn<unknown>> {
    const exchange = this.resumable(retry.requestState, () => retry.request, retry.capabilities, retry.inputResponses);
    return this.wait(exchange, signal, log);
  }

  /** The open exchange `state` names, given the client's answers; -32602 unless the retry is its latest round's, of the same request. */
  private resumable<T>(state: string, request: () => string, capabilities: ClientCapabilities | undefined, responses: Record<string, unknown> | undefined): Exchange<T> {
    const resumed = this.open.get(state.split(ROUND)[0]!);
    // The seal proved the client and the age; this proves it is the same request, repeated, answering the latest round.
    if (!resumed || !resumed.isLatest(state) || resumed.request() !== request()) throw new ProtocolError(INVALID_PARAMS, INVALID_STATE);
    resumed.capabilities = capabilities ?? resumed.capabilities;
    resumed.deliver(responses);
    return resumed as Exchange<T>;
  }

  /** Waits for the exchange's next turn on behalf of the downstream request of `signal`. */
  private async wait<T>(exchange: Exchange<T>, signal: AbortSignal, log?: (params: LoggingMessageNotificationParams) => void): Promise<Turn<T>> {
    // Only the downstream request now waiting may cancel the call: a finished round's signal may fire
    // when its HTTP exchange closes, which is no cancel.
    exchange.log = log;
    const cancel = () => exchange.controller.abort(signal.reason);
    if (signal.aborted) cancel();
    signal.addEventListener("abort", cancel, { once: true });
    try {
      return await exchange.turn();
    } finally {
      signal.removeEventListener("abort", cancel);
      if (exchange.log === log) exchange.log = undefined;
    }
  }

  /** A turn as the downstream client gets it: the value, or the questions with a state sealed for that client. */
  private async answer<T>(turn: Turn<T>, input: DownstreamInput): Promise<T | InputRequiredAnswer> {
    if (turn.done) return turn.value;
    // Each round its own state (SEP-2322): a retry must carry the latest, an older one is refused.
    return inputRequired({ inputRequests: turn.inputRequests, requestState: await input.seal(turn.state) });
  }

  /**
   * The answerer one upstream connection uses (ctx.serverRequests while serving): `scope` names a
   * per-session connection, absent for the shared one.
   */
  handlers(ownRoots: ServerRequestHandlers["listRoots"], scope?: string): ServerRequestHandlers {
    return {
      elicit: async (server, params, key) => {
        const exchange = this.ownerOrRefuse(server.name, scope, "elicitation/create");
        const url = params.mode === "url";
        const declared = exchange?.capabilities?.elicitation;
        const supported = declared && (url ? declared.url : declared.form ?? !declared.url);
        if (!exchange || !supported) return { action: "decline" } satisfies ElicitResult;
        return exchange.ask<ElicitResult>({ method: "elicitation/create", params }, key);
      },
      listRoots: async (server, key) => {
        const exchange = this.ownerOrRefuse(server.name, scope, "roots/list");
        if (!exchange?.capabilities?.roots) return ownRoots(server);
        return (await exchange.ask<{ roots: Root[] }>({ method: "roots/list" }, key)).roots ?? [];
      },
      sample: async (server, params, key) => {
        const exchange = this.ownerOrRefuse(server.name, scope, "sampling/createMessage");
        if (!exchange) throw new TetherError(`no client request is in flight to answer a sampling request from "${server.name}"`);
        if (!exchange.capabilities?.sampling) throw new TetherError(`the client connected to tether mcp serve does not support sampling`);
        return exchange.ask<CreateMessageResult>({ method: "sampling/createMessage", params }, key);
      },
    };
  }

  /**
   * A log line from an upstream connection goes to the request it serves; false when none is open
   * (a line between requests). A line several clients' requests could own reaches none of them.
   */
  relayLog(server: string, scope: string | undefined, params: LoggingMessageNotificationParams): boolean {
    const owner = this.ownerOf(connectionKey(server, scope));
    owner.exchange?.log?.(params);
    return owner.exchange !== undefined || owner.ambiguous;
  }

  /** A client's 2025 session ended (DELETE, idle close): its open requests are cancelled upstream. */
  endSession(session: string): void {
    for (const exchange of this.open.values()) {
      if (exchange.session === session) exchange.abandon(new TetherError("the client's session ended"));
    }
  }

  /** Refuses every question still waiting (shutdown). */
  close(): void {
    for (const exchange of this.open.values()) exchange.abandon(new TetherError("tether mcp serve is shutting down"));
  }

  private ownerOrRefuse(server: string, scope: string | undefined, method: string): Exchange<unknown> | undefined {
    const owner = this.ownerOf(connectionKey(server, scope));
    if (owner.exchange || !owner.ambiguous) return owner.exchange;
    if (!this.warned.has(server)) {
      this.warned.add(server);
      this.options.warn(
        `server "${server}" sent ${method} while requests of several clients were open on its connection, with nothing saying whose; ` +
          `tether refused it rather than ask the wrong client. Give each client its own connection: --per-session ${server} ` +
          `(config: [serve] per_session_upstreams = ["${server}"])`,
      );
    }
    throw new ProtocolError(
      INVALID_REQUEST,
      `tether mcp serve cannot tell which of its clients this ${method} is for (requests of several clients are open on this connection); refused`,
    );
  }

  private ownerOf(connection: string): Owner {
    // An exchange is open until its work settles; the async context can outlive that.
    const here = this.current.getStore();
    if (here && here.connection === connection && this.open.get(here.id) === here && !here.settled) return { exchange: here };
    // A Map keeps insertion order: the first one found is the oldest.
    let oldest: Exchange<unknown> | undefined;
    for (const exchange of this.open.values()) {
      // A settled one only waits for its client's retry: it asks nothing more.
      if (exchange.connection !== connection || exchange.settled) continue;
      if (!oldest) oldest = exchange;
      // Two requests of one client (stdio, one 2025 session) share its questions; anyone else's do not.
      else if (oldest.session === undefined || exchange.session !== oldest.session) return { ambiguous: true };
    }
    return oldest ? { exchange: oldest } : { ambiguous: false };
  }
}
