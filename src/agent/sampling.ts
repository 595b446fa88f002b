// A server's sampling/createMessage answered by the configured model: the MCP messages become a
// Responses request (text and images; other content is described), the answer becomes a
// CreateMessageResult. Deciding whether to answer at all is the caller's (cli/server-requests.ts).
import type { ContentBlock, CreateMessageRequestParams, CreateMessageResult } from "@modelcontextprotocol/client";
import type { TetherConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import type { TokenUsage } from "./events.ts";
import { addContent, imageItem, type ModelParts, type Wording } from "./model-input.ts";
import { resolveModelTarget } from "./provider.ts";
import type { JsonObject } from "./responses-events.ts";
import { streamResponse } from "./responses.ts";

/** The most output tokens one sampling request may ask for, whatever the server's maxTokens. */
export const SAMPLING_MAX_TOKENS = 4096;

export interface SampledMessage {
  result: CreateMessageResult;
  usage?: TokenUsage;
}

/** `maxTokens`: samplingMaxTokens(params), which the caller has already shown and recorded. */
export async function sampleModel(
  ctx: Pick<Context, "env" | "fetch" | "now" | "signal">,
  config: TetherConfig,
  params: CreateMessageRequestParams,
  maxTokens: number,
): Promise<SampledMessage> {
  const target = resolveModelTarget(ctx.env, config);
  const response = await streamResponse(ctx, { provider: target.provider, apiKey: target.apiKey, body: samplingRequestBody(params, target.model, maxTokens) });
  const stopped = response.usage !== undefined && response.usage.outputTokens >= maxTokens;
  return {
    result: { role: "assistant", content: { type: "text", text: response.text }, model: target.model, stopReason: stopped ? "maxTokens" : "endTurn" },
    usage: response.usage,
  };
}

export function samplingMaxTokens(params: Pick<CreateMessageRequestParams, "maxTokens">): number {
  const asked = Number.isFinite(params.maxTokens) && params.maxTokens > 0 ? Math.floor(params.maxTokens) : SAMPLING_MAX_TOKENS;
  return Math.min(asked, SAMPLING_MAX_TOKENS);
}

/** The Responses request body for a sampling request: system prompt as instructions, bounded output. */
export function samplingRequestBody(params: CreateMessageRequestParams, model: string, maxTokens = samplingMaxTokens(params)): JsonObject {
  return {
    model,
    ...(params.systemPrompt ? { instructions: params.systemPrompt } : {}),
    input: params.messages.map((message) => ({ type: "message", role: message.role, content: contentBlocks(message.content).flatMap((block) => toParts(message.role, block)) })),
    max_output_tokens: maxTokens,
    ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
  };
}

type Block = { type: string; text?: string; data?: string; mimeType?: string };

const omitted = (type: string, mimeType: string | undefined) => `[${type} content${mimeType ? ` (${mimeType})` : ""} omitted]`;

/** Sampling has said `[… content omitted]` for what the model does not get; blobs cannot occur (sampling content has no resources). */
const SAMPLING_WORDING: Wording = { hidden: omitted, blob: (resource) => omitted("resource", resource.mimeType), other: omitted };

export function contentBlocks(content: unknown): Block[] {
  return (Array.isArray(content) ? content : [content]).filter((block): block is Block => typeof block === "object" && block !== null);
}

/**
 * One block as Responses parts, checked like any MCP content (an image the model cannot read is
 * described). Assistant turns carry output text; images are only an input (user) part.
 */
function toParts(role: string, block: Block): JsonObject[] {
  const assistant = role === "assistant";
  const into: ModelParts = { parts: [], images: [] };
  // The SDK has validated the request: a block is a well-formed sampling content block.
  addContent(into, block as ContentBlock, { images: !assistant, wording: SAMPLING_WORDING });
  const textType = assistant ? "output_text" : "input_text";
  return [...into.parts.map((text) => ({ type: textType, text })), ...into.images.map(imageItem)];
}
