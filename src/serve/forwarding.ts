// Server-initiated requests (elicitation, sampling, roots) from an upstream, forwarded to the
// downstream client whose request caused them, and the answer carried back.
//
// One mechanism serves every era pairing. A routed call runs inside an Exchange. When the upstream
// asks a question (the upstream client's handler calls ctx.serverRequests, see ../mcp/connect.ts),
// the question is parked on that exchange and the downstream handler answers its client with an
// `input_required` result carrying the question and the exchange id as `requestState`. The client
// answers and retries with `inputResponses`; the retry finds the exchange, hands the answer to the
// waiting upstream handler and waits again: for the result, or for the next question. Toward a
// 2025 client the server SDK's legacy shim turns that result into push requests (elicitation/create,
// sampling/createMessage, roots/list) and re-invokes the handler itself, so the same code serves it.
//
// Which exchange a question belongs to: the upstream SDK calls its handler inside the call's async
// context when the upstream is 2026-07-28 (input_required is fulfilled by the call) or answers on
// the call's own HTTP stream, so AsyncLocalStorage finds it. A 2025 server on stdio sends its
// request on the shared pipe with nothing naming the call; then the oldest exchange open on that
// server is taken (with one call in flight, which is the common case, that is exact).
//
// Exchanges live in this process: with several replicas behind a load balancer, a retry that
// carries inputResponses must reach the replica that issued the question (README: sticky routing).
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
import { INVALID_PARAMS, ProtocolError } from "@modelcontextprotocol/client";
import { type InputRequest, type InputRequiredResult, inputRequired } from "@modelcontextprotocol/server";
import { TetherError } from "../errors.ts";
import type { ServerRequestHandlers } from "../mcp/server-requests.ts";

/** How long a question waits for the client's retry before the upstream hears "cancel". */
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
  /** The `requestState` of a retry; an exchange id when tether issued the question. */
  requestState?: string;
  inputResponses?: Record<string, unknown>;
  /** Sends a log line on this request's own stream (all a stateless HTTP client has). */
  log?(params: LoggingMessageNotificationParams): void;
}

/** An `input_required` result, as the server SDK's seam expects it from a handler. */
export type InputRequiredAnswer = InputRequiredResult;

class Exchange<T> {
  readonly id = crypto.randomUUID();
  private readonly waiting: Parked[] = [];
  private readonly asked = new Map<string, Parked>();
  private wake?: () => void;
  private next = 0;
  private expiry?: ReturnType<typeof setTimeout>;
  /** Aborted when the downstream request waiting on this exchange is cancelled. */
  readonly controller = new AbortController();
  /** The log line sender of the downstream request now waiting. */
  log?: (params: LoggingMessageNotificationParams) => void;
  work!: Promise<T>;

  constructor(
    readonly server: string,
    public capabilities: ClientCapabilities | undefined,
  ) {}

  /** Called from the upstream handler: parks the question until the client answers it. */
  ask<R>(question: Question): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const key = `tether-${++this.next}`;
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
  }

  /** Waits for the work to finish or for questions; questions become an input_required answer. */
  async turn(): Promise<{ done: true; value: T } | { done: false; answer: InputRequiredAnswer }> {
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
    this.expiry = setTimeout(() => this.abandon(new TetherError("the client did not answer the forwarded question in time")), QUESTION_TIMEOUT_MS);
    this.expiry.unref?.();
    return { done: false, answer: inputRequired({ inputRequests, requestState: this.id }) };
  }

  abandon(error: Error): void {
    clearTimeout(this.expiry);
    this.controller.abort(error);
    for (const parked of [...this.asked.values(), ...this.waiting.splice(0)]) parked.fail(error);
    this.asked.clear();
  }
}

export class Forwarding {
  private readonly current = new AsyncLocalStorage<Exchange<unknown>>();
  private readonly open = new Map<string, Exchange<unknown>>();

  /**
   * Runs `work` (a call routed to `server`) so the questions the upstream asks meanwhile reach
   * this downstream request; a retry carrying tether's requestState resumes the exchange instead.
   */
  async converse<T>(server: string, input: DownstreamInput, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T | InputRequiredAnswer> {
    let exchange: Exchange<T>;
    const resumed = input.requestState === undefined ? undefined : this.open.get(input.requestState);
    if (resumed) {
      exchange = resumed as Exchange<T>;
      exchange.capabilities = input.capabilities ?? exchange.capabilities;
      exchange.deliver(input.inputResponses);
    } else {
      if (input.requestState !== undefined) throw new ProtocolError(INVALID_PARAMS, "Invalid or expired requestState");
      exchange = new Exchange<T>(server, input.capabilities);
      this.open.set(exchange.id, exchange as Exchange<unknown>);
      exchange.work = this.current.run(exchange as Exchange<unknown>, () => work(exchange.controller.signal));
      exchange.work.catch(() => {});
      void exchange.work.finally(() => this.open.delete(exchange.id)).catch(() => {});
    }
    // Only the downstream request now waiting may cancel the call: a finished round's signal may fire
    // when its HTTP exchange closes, which is no cancel.
    exchange.log = input.log;
    const cancel = () => exchange.controller.abort(signal.reason);
    if (signal.aborted) cancel();
    signal.addEventListener("abort", cancel, { once: true });
    try {
      const turn = await exchange.turn();
      return turn.done ? turn.value : turn.answer;
    } finally {
      signal.removeEventListener("abort", cancel);
      if (exchange.log === input.log) exchange.log = undefined;
    }
  }

  /** The answerer the upstream connections use (ctx.serverRequests while serving). */
  handlers(ownRoots: ServerRequestHandlers["listRoots"]): ServerRequestHandlers {
    return {
      elicit: async (server, params) => {
        const exchange = this.exchangeFor(server.name);
        const url = params.mode === "url";
        const declared = exchange?.capabilities?.elicitation;
        const supported = declared && (url ? declared.url : declared.form ?? !declared.url);
        if (!exchange || !supported) return { action: "decline" } satisfies ElicitResult;
        return exchange.ask<ElicitResult>({ method: "elicitation/create", params });
      },
      listRoots: async (server) => {
        const exchange = this.exchangeFor(server.name);
        if (!exchange?.capabilities?.roots) return ownRoots(server);
        return (await exchange.ask<{ roots: Root[] }>({ method: "roots/list" })).roots ?? [];
      },
      sample: async (server, params) => {
        const exchange = this.exchangeFor(server.name);
        if (!exchange) throw new TetherError(`no client request is in flight to answer a sampling request from "${server.name}"`);
        if (!exchange.capabilities?.sampling) throw new TetherError(`the client connected to tether mcp serve does not support sampling`);
        return exchange.ask<CreateMessageResult>({ method: "sampling/createMessage", params });
      },
    };
  }

  /** A log line from `server` goes to the request it serves; false when none is waiting. */
  relayLog(server: string, params: LoggingMessageNotificationParams): boolean {
    const log = this.exchangeFor(server)?.log;
    log?.(params);
    return log !== undefined;
  }

  /** Refuses every question still waiting (shutdown). */
  close(): void {
    for (const exchange of this.open.values()) exchange.abandon(new TetherError("tether mcp serve is shutting down"));
  }

  private exchangeFor(server: string): Exchange<unknown> | undefined {
    // An exchange is open until its work settles; the async context can outlive that.
    const here = this.current.getStore();
    if (here && here.server === server && this.open.get(here.id) === here) return here;
    // A Map keeps insertion order: the first one found is the oldest.
    for (const exchange of this.open.values()) if (exchange.server === server) return exchange;
    return undefined;
  }
}
