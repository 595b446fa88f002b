// Typed Responses-API shapes: the stream events read from SSE, and the function tools a request offers (pure; no I/O).

import { ModelError } from "../errors.ts";
import type { SseEventRecord, TokenUsage } from "./events.ts";
import type { SseEvent } from "./sse.ts";

export type JsonObject = Record<string, unknown>;

/** A Responses-API function tool. `strict: false`: MCP schemas rarely meet strict mode's rules. */
export interface FunctionTool {
  type: "function";
  name: string;
  description?: string;
  parameters: JsonObject;
  strict: false;
}

export interface MessageItem {
  type: "message";
  id: string;
  /** The message's `output_text` parts, joined. */
  text: string;
  raw: JsonObject;
}

export interface FunctionCallItem {
  type: "function_call";
  id?: string;
  callId: string;
  name: string;
  /** The arguments as the model wrote them: a JSON string, not yet parsed or validated. */
  arguments: string;
  raw: JsonObject;
}

/** Reasoning, web search and other items tether passes over (kept for `--json` and replay). */
export interface OtherItem {
  type: "other";
  itemType: string;
  raw: JsonObject;
}

export type OutputItem = MessageItem | FunctionCallItem | OtherItem;

/** Each event keeps its `raw` JSON, so `--json` can print exactly what the API sent. */
export type ResponsesEvent =
  | { type: "response.created"; responseId: string; raw: JsonObject }
  | { type: "response.output_text.delta"; delta: string; itemId?: string; raw: JsonObject }
  | { type: "response.output_item.done"; item: OutputItem; raw: JsonObject }
  | { type: "response.completed"; responseId: string; usage?: TokenUsage; raw: JsonObject }
  | { type: "response.failed"; responseId?: string; message: string; code?: string; raw: JsonObject }
  | { type: "response.incomplete"; responseId?: string; reason: string; raw: JsonObject }
  | { type: "error"; message: string; code?: string; raw: JsonObject }
  | { type: "other"; kind: string; raw: JsonObject };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

function unreadable(kind: string, why: string): ModelError {
  return new ModelError(`the model API sent an unreadable ${kind} event: ${why}`);
}

/** Reads one SSE event as a Responses event; throws ModelError for malformed JSON or fields. */
export function toResponsesEvent(sse: SseEvent): ResponsesEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(sse.data);
  } catch {
    throw unreadable(sse.event, "its data is not JSON");
  }
  if (!isObject(raw)) throw unreadable(sse.event, "its data is not a JSON object");
  const kind = str(raw.type) ?? sse.event;
  const response = isObject(raw.response) ? raw.response : undefined;
  switch (kind) {
    case "response.created":
      return { type: kind, responseId: str(response?.id) ?? "", raw };
    case "response.output_text.delta": {
      const delta = str(raw.delta);
      if (delta === undefined) throw unreadable(kind, "no delta");
      return { type: kind, delta, itemId: str(raw.item_id), raw };
    }
    case "response.output_item.done":
      if (!isObject(raw.item)) throw unreadable(kind, "no item");
      return { type: kind, item: toOutputItem(raw.item, kind), raw };
    case "response.completed":
      return { type: kind, responseId: str(response?.id) ?? "", usage: toUsage(response?.usage), raw };
    case "response.failed": {
      const error = isObject(response?.error) ? response.error : undefined;
      const message = str(error?.message) ?? "the response failed without a message";
      return { type: kind, responseId: str(response?.id), message, code: str(error?.code), raw };
    }
    case "response.incomplete": {
      const details = isObject(response?.incomplete_details) ? response.incomplete_details : undefined;
      return { type: kind, responseId: str(response?.id), reason: str(details?.reason) ?? "unknown", raw };
    }
    case "error":
      return { type: kind, message: str(raw.message) ?? "unknown error", code: str(raw.code), raw };
    default:
      return { type: "other", kind, raw };
  }
}

function toOutputItem(item: JsonObject, kind: string): OutputItem {
  switch (item.type) {
    case "message": {
      const parts = Array.isArray(item.content) ? item.content : [];
      let text = "";
      for (const part of parts) {
        if (isObject(part) && part.type === "output_text") text += str(part.text) ?? "";
      }
      return { type: "message", id: str(item.id) ?? "", text, raw: item };
    }
    case "function_call": {
      const callId = str(item.call_id);
      const name = str(item.name);
      if (callId === undefined || name === undefined) throw unreadable(kind, "a function_call without call_id or name");
      return { type: "function_call", id: str(item.id), callId, name, arguments: str(item.arguments) ?? "", raw: item };
    }
    default:
      return { type: "other", itemType: str(item.type) ?? "unknown", raw: item };
  }
}

function toUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const inputTokens = num(usage.input_tokens) ?? 0;
  const outputTokens = num(usage.output_tokens) ?? 0;
  const input = isObject(usage.input_tokens_details) ? usage.input_tokens_details : undefined;
  const output = isObject(usage.output_tokens_details) ? usage.output_tokens_details : undefined;
  return {
    inputTokens,
    outputTokens,
    cachedTokens: num(input?.cached_tokens),
    reasoningTokens: num(output?.reasoning_tokens),
    totalTokens: num(usage.total_tokens) ?? inputTokens + outputTokens,
  };
}

/** The telemetry record for one event, `durationMs` after the previous one. */
export function sseEventRecord(event: ResponsesEvent, durationMs: number): SseEventRecord {
  switch (event.type) {
    case "other":
      return { kind: event.kind, durationMs };
    case "response.completed":
      return { kind: event.type, durationMs, usage: event.usage };
    case "response.failed":
    case "error":
      return { kind: event.type, durationMs, errorMessage: event.message };
    case "response.incomplete":
      return { kind: event.type, durationMs, errorMessage: `incomplete: ${event.reason}` };
    default:
      return { kind: event.type, durationMs };
  }
}
