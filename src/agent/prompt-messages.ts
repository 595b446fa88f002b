// A server prompt's messages (`--mcp-prompt`) as Responses input items: text as text, embedded
// text resources as text, images as input images (user messages only: the API takes images from
// the user, not in the assistant's own turns); anything else the model cannot read is described.
import type { PromptMessage } from "@modelcontextprotocol/client";
import type { JsonObject } from "./responses-events.ts";
import { base64Bytes } from "../mcp/content.ts";
import { addImage, type ImageInput } from "./tools.ts";

export function promptInput(messages: readonly PromptMessage[]): JsonObject[] {
  return messages.map((message) => {
    const parts: string[] = [];
    const images: ImageInput[] = [];
    const user = message.role === "user";
    const image = (mimeType: string, data: string, uri?: string) => {
      if (user) addImage(parts, images, mimeType, data, uri);
      else parts.push(`[image${uri ? ` ${uri}` : ""}: ${mimeType}, not shown]`);
    };
    const content = message.content;
    switch (content.type) {
      case "text":
        parts.push(content.text);
        break;
      case "image":
        image(content.mimeType, content.data);
        break;
      case "audio":
        parts.push(`[audio: ${content.mimeType}, not shown]`);
        break;
      case "resource": {
        const resource = content.resource;
        if ("text" in resource) parts.push(resource.text);
        else if (resource.mimeType?.startsWith("image/")) image(resource.mimeType, resource.blob, resource.uri);
        else parts.push(`[binary resource ${resource.uri}${resource.mimeType ? ` (${resource.mimeType})` : ""}, ${base64Bytes(resource.blob)} bytes, not shown]`);
        break;
      }
      case "resource_link":
        parts.push(`[resource link: ${content.uri}${content.name ? ` (${content.name})` : ""}]`);
        break;
    }
    const textType = user ? "input_text" : "output_text";
    const items: JsonObject[] = [
      ...(parts.length > 0 ? [{ type: textType, text: parts.join("\n") }] : []),
      ...images.map((i) => ({ type: "input_image", image_url: `data:${i.mimeType};base64,${i.data}` })),
    ];
    return { type: "message", role: message.role, content: items };
  });
}
