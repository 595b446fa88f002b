// A server prompt's messages (`--mcp-prompt`) as Responses input items: text as text, embedded
// text resources as text, images as input images (user messages only: the API takes images from
// the user, not in the assistant's own turns); anything else the model cannot read is described.
import type { PromptMessage } from "@modelcontextprotocol/client";
import { addContent, imageItem, type ModelParts, RESOURCE_WORDING } from "./model-input.ts";
import type { JsonObject } from "./responses-events.ts";

export function promptInput(messages: readonly PromptMessage[]): JsonObject[] {
  return messages.map((message) => {
    const user = message.role === "user";
    const { parts, images }: ModelParts = { parts: [], images: [] };
    addContent({ parts, images }, message.content, { images: user, wording: RESOURCE_WORDING });
    const textType = user ? "input_text" : "output_text";
    const items: JsonObject[] = [...(parts.length > 0 ? [{ type: textType, text: parts.join("\n") }] : []), ...images.map(imageItem)];
    return { type: "message", role: message.role, content: items };
  });
}
