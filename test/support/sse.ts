// Builders for Responses-API stream events and the SSE body that carries them (SPEC §9).

/** One Responses stream event as the API sends it, before `sse()` numbers it. */
export interface StreamEvent {
  type: string;
  [key: string]: unknown;
}

/** Token counts for `completed()`; omitted fields default to small plausible numbers. */
export interface UsageSpec {
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
}

export const DEFAULT_USAGE: Required<UsageSpec> = {
  inputTokens: 12,
  outputTokens: 7,
  cachedTokens: 0,
  reasoningTokens: 0,
};

const DEFAULT_MESSAGE_ID = "msg_1";

function response(id: string, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, object: "response", created_at: 1_700_000_000, status, model: "gpt-test", output: [], ...extra };
}

export function responseCreated(id: string): StreamEvent {
  return { type: "response.created", response: response(id, "in_progress") };
}

export function outputTextDelta(text: string, itemId = DEFAULT_MESSAGE_ID): StreamEvent {
  return { type: "response.output_text.delta", item_id: itemId, output_index: 0, content_index: 0, delta: text };
}

/** An `output_item.done` carrying a function call; an object `args` is sent as its JSON string. */
export function functionCall(callId: string, name: string, args: Record<string, unknown> | string = {}): StreamEvent {
  return {
    type: "response.output_item.done",
    output_index: 0,
    item: {
      id: `fc_${callId}`,
      type: "function_call",
      status: "completed",
      call_id: callId,
      name,
      arguments: typeof args === "string" ? args : JSON.stringify(args),
    },
  };
}

/** An `output_item.done` carrying a finished assistant message with one `output_text` part. */
export function assistantMessage(id: string, text: string): StreamEvent {
  return {
    type: "response.output_item.done",
    output_index: 0,
    item: {
      id,
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text, annotations: [] }],
    },
  };
}

export function completed(id: string, usage: UsageSpec = {}): StreamEvent {
  const u = { ...DEFAULT_USAGE, ...usage };
  return {
    type: "response.completed",
    response: response(id, "completed", {
      usage: {
        input_tokens: u.inputTokens,
        input_tokens_details: { cached_tokens: u.cachedTokens },
        output_tokens: u.outputTokens,
        output_tokens_details: { reasoning_tokens: u.reasoningTokens },
        total_tokens: u.inputTokens + u.outputTokens,
      },
    }),
  };
}

export function failed(id: string, message: string, code = "server_error"): StreamEvent {
  return { type: "response.failed", response: response(id, "failed", { error: { code, message } }) };
}

export function errorEvent(message: string, code: string | null = null): StreamEvent {
  return { type: "error", code, message, param: null };
}

/** An event type tether does not handle, to show it is passed over. */
export function unknownEvent(type: string, fields: Record<string, unknown> = {}): StreamEvent {
  return { type, ...fields };
}

/** Renders events as an SSE body (`event:` + `data:` + blank line), numbering them in order. */
export function sse(events: StreamEvent[]): string {
  let body = "";
  events.forEach((event, index) => {
    body += `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`;
  });
  return body;
}

/** A typical text-only turn: created, the text as deltas, the message, completed. */
export function textTurn(id: string, parts: string[], usage?: UsageSpec): StreamEvent[] {
  return [
    responseCreated(id),
    ...parts.map((part) => outputTextDelta(part)),
    assistantMessage(DEFAULT_MESSAGE_ID, parts.join("")),
    completed(id, usage),
  ];
}
