// The streaming Responses-API client: one POST per attempt, typed events out, retries inside.

import type { Context } from "../context.ts";
import { CancelledError, ModelError, TetherError } from "../errors.ts";
import { NOOP_EVENT_SINK, type ResponsesObserver, type TokenUsage } from "./events.ts";
import {
  sseEventRecord,
  toResponsesEvent,
  type FunctionCallItem,
  type JsonObject,
  type OutputItem,
  type ResponsesEvent,
} from "./responses-events.ts";
import { DEFAULT_RETRY_OPTIONS, isRetryableStatus, parseRetryAfter, retryDelay, type RetryOptions } from "./retry.ts";
import { readSse, type SseEvent } from "./sse.ts";

export type { FunctionCallItem, MessageItem, OtherItem, OutputItem, ResponsesEvent } from "./responses-events.ts";

/**
 * A `[model_providers.*]` entry as the client needs it; config's `ProviderConfig` fits as is.
 * Headers taken from env vars must already be resolved into `httpHeaders` by the caller.
 */
export interface ModelProvider {
  baseUrl: string;
  /** The env var the API key came from; named in hints, never read here. */
  envKey?: string;
  queryParams?: Record<string, string>;
  httpHeaders?: Record<string, string>;
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
  observer?: ResponsesObserver;
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
  const observer = options.observer ?? NOOP_EVENT_SINK;
  const started = ctx.now();
  let statusCode: number | undefined;
  let requestId: string | undefined;
  let errorMessage: string | undefined;
  try {
    let response: Response;
    try {
      response = await ctx.fetch(request.url, { ...request.init, signal });
    } catch (error) {
      if (signal.aborted) throw cancelled(signal);
      throw new RetryableFailure(`could not reach the model API at ${new URL(request.url).origin}: ${describe(error)}`);
    }
    statusCode = response.status;
    requestId = response.headers.get("x-request-id") ?? undefined;
    if (!response.ok) throw await httpFailure(response, options.provider, ctx.now());
    if (!response.body) throw new RetryableFailure("the model API sent an empty body");
    return await readStream(ctx, options, response.body, signal, started);
  } catch (error) {
    errorMessage = error instanceof Error ? error.message : String(error);
    throw error;
  } finally {
    observer.apiRequest({ attempt, durationMs: ctx.now() - started, statusCode, errorMessage, requestId });
  }
}

/** Reads events until `response.completed`; a stream that stops short is retryable. */
async function readStream(
  ctx: ResponsesContext,
  options: StreamResponseOptions,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  started: number,
): Promise<Omit<ResponseResult, "attempts">> {
  const observer = options.observer ?? NOOP_EVENT_SINK;
  const items: OutputItem[] = [];
  let responseId = "";
  let last = started;
  const events = readSse(body, signal);
  try {
    for (;;) {
      let next: IteratorResult<SseEvent>;
      try {
        next = await events.next();
      } catch (error) {
        if (signal.aborted) throw cancelled(signal);
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
        observer.sseEvent({ kind: next.value.event, durationMs, errorMessage: describe(error) });
        throw error;
      }
      observer.sseEvent(sseEventRecord(event, durationMs));
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
    text = await response.text();
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
