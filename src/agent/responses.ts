// The streaming Responses-API client: one POST per attempt, typed events out, retries inside.

import type { Context } from "../context.ts";
import { CancelledError, ModelError, TetherError } from "../errors.ts";
import type { AgentObserver, TokenUsage } from "./events.ts";
import {
  sseEventRecord,
  toResponsesEvent,
  type FunctionCallItem,
  type JsonObject,
  type OutputItem,
  type ResponsesEvent,
} from "./responses-events.ts";
import { DEFAULT_RETRY_OPTIONS, isRetryableStatus, parseRetryAfter, retryDelay, type RetryOptions } from "./retry.ts";
import { ByteLimitError } from "../net/byte-limit.ts";
import { readSse, type SseEvent } from "./sse.ts";
import { startIdleTimer, startTimer } from "../timers.ts";

export type { FunctionCallItem, MessageItem, OtherItem, OutputItem, ResponsesEvent } from "./responses-events.ts";

/**
 * A `[model_providers.*]` entry as the client needs it; config's `ProviderConfig` fits as is.
 * Headers taken from env vars must already be resolved into `httpHeaders` by the caller.
 */
export interface ModelProvider {
  /** The key under `[model_providers]`, for hints. */
  id?: string;
  baseUrl: string;
  /** The env var the API key came from; named in hints, never read here. */
  envKey?: string;
  queryParams?: Record<string, string>;
  httpHeaders?: Record<string, string>;
  /** Bounds on each response stream; unbounded where undefined. */
  stream?: StreamLimits;
}

/** What one model response may cost: a stream that breaks one of these is cut. */
export interface StreamLimits {
  /** Nothing received (headers or bytes) for this long: the attempt is cut and retried. */
  idleTimeoutMs?: number;
  /** One attempt in all, headers to response.completed: cut, not retried. */
  totalTimeoutMs?: number;
  /** Bytes of one response body: cut, not retried. */
  maxBytes?: number;
  /** Bytes of one SSE event: cut, not retried. */
  maxEventBytes?: number;
}

/** Why an attempt's own controller cut it: which timeout, after how long. */
class StreamTimeout extends Error {
  constructor(
    readonly kind: "idle" | "total",
    readonly ms: number,
  ) {
    super(kind === "idle" ? `the model stream sent nothing for ${seconds(ms)}` : `the model response took longer than ${seconds(ms)}`);
  }
}

export interface StreamResponseOptions {
  provider: ModelProvider;
  /** Sent as `Authorization: Bearer`; omitted when undefined (local servers). */
  apiKey?: string;
  /** The request body (model, instructions, input, tools...); `stream: true` is always set. */
  body: JsonObject;
  /** Aborts this request only; `ctx.signal` (Ctrl-C) always applies too. */
  signal?: AbortSignal;
  retry?: Partial<RetryOptions>;
  /** Receives `api.request` for every attempt and `sse.event` for every stream event. */
  observe?: AgentObserver;
  /** Before every attempt, numbered from 1: above 1, events already delivered are void. */
  onAttemptStart?(attempt: number): void;
  /** Every event of the current attempt, in order, unknown types included. */
  onEvent?(event: ResponsesEvent): void;
  /** Before each wait between attempts, so a user sees why nothing arrives. */
  onRetry?(retry: RetryInfo): void;
}

export interface RetryInfo {
  /** The attempt that follows the wait (2 = first retry). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  /** Why the previous attempt failed. */
  reason: string;
}

export interface ResponseResult {
  responseId: string;
  /** Items from `response.output_item.done`, in arrival order. */
  items: OutputItem[];
  functionCalls: FunctionCallItem[];
  /** The text of the message items, joined. */
  text: string;
  usage?: TokenUsage;
  /** The attempt that succeeded (1 = no retry). */
  attempts: number;
}

export type ResponsesContext = Pick<Context, "fetch" | "now" | "signal">;

/** A failure worth another attempt; never escapes this module. */
class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Posts to `{base_url}/responses` and streams the answer, retrying 429, 5xx and broken streams. */
export async function streamResponse(ctx: ResponsesContext, options: StreamResponseOptions): Promise<ResponseResult> {
  const retry: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
  const signal = options.signal ? AbortSignal.any([ctx.signal, options.signal]) : ctx.signal;
  const request = buildRequest(options);
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw cancelled(signal);
    options.onAttemptStart?.(attempt);
    let failure: RetryableFailure;
    try {
      return { ...(await runAttempt(ctx, options, request, signal, attempt)), attempts: attempt };
    } catch (error) {
      if (!(error instanceof RetryableFailure)) throw error;
      failure = error;
    }
    if (attempt >= retry.maxAttempts) throw exhausted(failure, attempt);
    const delayMs = retryDelay(attempt, failure.retryAfterMs, retry);
    options.onRetry?.({ attempt: attempt + 1, maxAttempts: retry.maxAttempts, delayMs, reason: failure.message });
    try {
      await retry.sleep(delayMs, signal);
    } catch (error) {
      throw signal.aborted ? cancelled(signal) : error;
    }
  }
}

interface PreparedRequest {
  url: string;
  init: { method: "POST"; headers: Record<string, string>; body: string };
}

/** The URL, headers and body of every attempt. */
export function buildRequest(options: Pick<StreamResponseOptions, "provider" | "apiKey" | "body">): PreparedRequest {
  const { provider } = options;
  const url = new URL(provider.baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/responses`;
  for (const [key, value] of Object.entries(provider.queryParams ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = {
    ...provider.httpHeaders,
    "Content-Type": "application/json",
    Accept: "text/event-stream",
  };
  if (options.apiKey !== undefined) headers.Authorization = `Bearer ${options.apiKey}`;
  return { url: url.toString(), init: { method: "POST", headers, body: JSON.stringify({ ...options.body, stream: true }) } };
}

/** One attempt, always reported to the observer when it ends, however it ends. */
async function runAttempt(
  ctx: ResponsesContext,
  options: StreamResponseOptions,
  request: PreparedRequest,
  signal: AbortSignal,
  attempt: number,
): Promise<Omit<ResponseResult, "attempts">> {
  const observe = options.observe ?? (() => {});
  const started = ctx.now();
  let statusCode: number | undefined;
  let requestId: string | undefined;
  let errorMessage: string | undefined;
  // The attempt's own cut-off: no byte for idleTimeoutMs (waiting for headers included), or
  // totalTimeoutMs in all. Timers past the timer limit never fire (timers.ts).
  const limits = options.provider.stream ?? {};
  const cut = new AbortController();
  const attemptSignal = AbortSignal.any([signal, cut.signal]);
  const idle = startIdleTimer(limits.idleTimeoutMs, () => cut.abort(new StreamTimeout("idle", limits.idleTimeoutMs!)));
  const total = startTimer(limits.totalTimeoutMs, () => cut.abort(new StreamTimeout("total", limits.totalTimeoutMs!)));
  try {
    let response: Response;
    try {
      response = await ctx.fetch(request.url, { ...request.init, signal: attemptSignal });
    } catch (error) {
      if (signal.aborted) throw cancelled(signal);
      if (cut.signal.aborted) throw timedOut(cut.signal.reason, options.provider);
      throw new RetryableFailure(`could not reach the model API at ${new URL(request.url).origin}: ${describe(error)}`);
    }
    idle.touch();
    statusCode = response.status;
    requestId = response.headers.get("x-request-id") ?? undefined;
    if (!response.ok) throw await httpFailure(response, options.provider, ctx.now());
    if (!response.body) throw new RetryableFailure("the model API sent an empty body");
    return await readStream(ctx, options, response.body, { user: signal, cut: cut.signal, attempt: attemptSignal, idle }, started);
  } catch (error) {
    errorMessage = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    idle.clear();
    total.clear();
    observe({ type: "api.request", record: { attempt, durationMs: ctx.now() - started, statusCode, errorMessage, requestId } });
  }
}

interface AttemptSignals {
  /** Ctrl-C and the caller's signal. */
  user: AbortSignal;
  /** The attempt's timeouts. */
  cut: AbortSignal;
  /** Either. */
  attempt: AbortSignal;
  idle: { touch(): void };
}

/** Reads events until `response.completed`; a stream that stops short is retryable, one past a bound is not. */
async function readStream(
  ctx: ResponsesContext,
  options: StreamResponseOptions,
  body: ReadableStream<Uint8Array>,
  signals: AttemptSignals,
  started: number,
): Promise<Omit<ResponseResult, "attempts">> {
  const observe = options.observe ?? (() => {});
  const limits = options.provider.stream ?? {};
  const items: OutputItem[] = [];
  let responseId = "";
  let last = started;
  const events = readSse(body, signals.attempt, {
    maxStreamBytes: limits.maxBytes,
    maxEventBytes: limits.maxEventBytes,
    onChunk: () => signals.idle.touch(),
  });
  try {
    for (;;) {
      let next: IteratorResult<SseEvent>;
      try {
        next = await events.next();
      } catch (error) {
        if (signals.user.aborted) throw cancelled(signals.user);
        if (signals.cut.aborted) throw timedOut(signals.cut.reason, options.provider);
        if (error instanceof ByteLimitError) throw tooLarge(error, options.provider);
        throw new RetryableFailure(`the model stream broke off: ${describe(error)}`);
      }
      if (next.done) throw new RetryableFailure("the model stream ended before response.completed");
      const now = ctx.now();
      const durationMs = now - last;
      last = now;
      let event: ResponsesEvent;
      try {
        event = toResponsesEvent(next.value);
      } catch (error) {
        observe({ type: "sse.event", record: { kind: next.value.event, durationMs, errorMessage: describe(error) } });
        throw error;
      }
      observe({ type: "sse.event", record: sseEventRecord(event, durationMs) });
      options.onEvent?.(event);
      switch (event.type) {
        case "response.created":
          responseId = event.responseId;
          break;
        case "response.output_item.done":
          items.push(event.item);
          break;
        case "response.completed":
          return collect(event.responseId || responseId, items, event.usage);
        case "response.failed":
          throw new ModelError(`the model response failed: ${event.message}`);
        case "response.incomplete":
          throw new ModelError(`the model response is incomplete: ${event.reason}`, {
            hint: event.reason === "max_output_tokens" ? "raise the output token limit or shorten the task" : undefined,
          });
        case "error":
          throw new ModelError(`the model API reported an error: ${event.message}`);
      }
    }
  } finally {
    await events.return(undefined).catch(() => {});
  }
}

function collect(responseId: string, items: OutputItem[], usage: TokenUsage | undefined): Omit<ResponseResult, "attempts"> {
  const functionCalls = items.filter((item): item is FunctionCallItem => item.type === "function_call");
  let text = "";
  for (const item of items) if (item.type === "message") text += item.text;
  return { responseId, items, functionCalls, text, usage };
}

/** A non-2xx answer: retryable for 429/5xx, otherwise a ModelError naming status and message. */
async function httpFailure(response: Response, provider: ModelProvider, nowMs: number): Promise<Error> {
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const detail = await serverMessage(response);
  const message = `the model API returned ${status}${detail ? `: ${detail}` : ""}`;
  if (isRetryableStatus(response.status)) {
    return new RetryableFailure(message, response.status, parseRetryAfter(response.headers, nowMs));
  }
  return new ModelError(message, { hint: statusHint(response.status, provider) });
}

function statusHint(status: number, provider: ModelProvider): string | undefined {
  const key = provider.envKey ? `$${provider.envKey}` : "the provider's API key";
  if (status === 401) return `check that ${key} holds a valid API key`;
  if (status === 403) return `check that ${key} has access to this model`;
  if (status === 404) return `check base_url (${provider.baseUrl}) and the model name`;
  return undefined;
}

/** The server's own words: `error.message` of a JSON body, else the first line of text. */
async function serverMessage(response: Response): Promise<string> {
  let text: string;
  try {
    text = await readPrefix(response, MAX_ERROR_BODY_BYTES);
  } catch {
    return "";
  }
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === "object" && json !== null) {
      const { error, message } = json as { error?: unknown; message?: unknown };
      if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
        return (error as { message: string }).message;
      }
      if (typeof error === "string") return error;
      if (typeof message === "string") return message;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const line = text.trim().split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** A timeout of the attempt: idle is worth another try (a stalled connection), total is not. */
function timedOut(reason: unknown, provider: ModelProvider): Error {
  if (!(reason instanceof StreamTimeout)) return new RetryableFailure(`the model stream was cut: ${describe(reason)}`);
  if (reason.kind === "idle") return new RetryableFailure(reason.message);
  return new ModelError(reason.message, { hint: `raise stream_total_timeout_sec under [model_providers.${providerKey(provider)}] in config.toml` });
}

/** A size bound: the same request would stream as much again, so this ends the run. */
function tooLarge(error: ByteLimitError, provider: ModelProvider): ModelError {
  const key = error.kind === "event" ? "stream_max_event_bytes" : "stream_max_bytes";
  const what = error.kind === "event" ? "an event of the model stream" : "the model stream";
  return new ModelError(`${what} went past ${error.limit} bytes (${key}); it was cut`, {
    hint: `raise ${key} under [model_providers.${providerKey(provider)}] in config.toml if the model really sends that much`,
  });
}

/** The provider's table name for hints; ModelProvider does not carry it, so name the setting generically. */
function providerKey(provider: ModelProvider): string {
  return provider.id ?? "NAME";
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}s`;
}

/** An error body is read only this far: a hostile server could send one without end. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

async function readPrefix(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

function exhausted(failure: RetryableFailure, attempts: number): ModelError {
  const hint =
    failure.status === 429
      ? "the API is rate limiting this key; wait a little, or check the account's limits"
      : "the model API may be down or overloaded; try again later";
  return new ModelError(`${failure.message} (gave up after ${attempts} attempts)`, { hint, cause: failure });
}

function cancelled(signal: AbortSignal): TetherError {
  return signal.reason instanceof TetherError ? signal.reason : new CancelledError("cancelled");
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
