// MCP content as the model reads it: tool results, prompt messages, resource contents and sampling
// messages all go through addContent, so an image is checked (type, size) the same way on every
// path. What each path says about content the model does not get keeps its own wording (Wording).
import type { BlobResourceContents, CallToolResult, ContentBlock, TextResourceContents } from "@modelcontextprotocol/client";
import { base64Bytes } from "../mcp/content.ts";
import type { JsonObject } from "./responses-events.ts";

export interface ImageInput {
  mimeType: string;
  /** Base64, as MCP sends it. */
  data: string;
}

/** What the model gets from some MCP content: text, and the images it can see. */
export interface ToolOutput {
  text: string;
  images: ImageInput[];
}

/** Text parts (joined or kept apart by the caller) and images, collected from content blocks. */
export interface ModelParts {
  parts: string[];
  images: ImageInput[];
}

/** The image types the Responses API reads; others are described instead. */
const MODEL_IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** Base64 characters of one image sent to the model (about 15 MiB decoded); larger ones are described. */
export const MAX_IMAGE_BASE64_CHARS = 20 * 1024 * 1024;

/** How a path names content the model does not get. */
export interface Wording {
  /** Audio, or an image where images cannot go. */
  hidden(type: string, mimeType: string, uri?: string): string;
  /** An embedded binary resource that is not an image. */
  blob(resource: BlobResourceContents): string;
  /** A block of a kind MCP content does not have (sampling's tool_use, …); left out when absent. */
  other?(type: string, mimeType: string | undefined): string;
}

const hidden = (type: string, mimeType: string, uri?: string) => `[${type}${uri ? ` ${uri}` : ""}: ${mimeType}, not shown]`;

/** Tool results name a binary resource by its URI. */
export const TOOL_WORDING: Wording = { hidden, blob: (resource) => `[resource: ${resource.uri}]` };

/** Prompt messages and resource reads also give a binary resource's type and size. */
export const RESOURCE_WORDING: Wording = {
  hidden,
  blob: (resource) => `[binary resource ${resource.uri}${resource.mimeType ? ` (${resource.mimeType})` : ""}, ${base64Bytes(resource.blob)} bytes, not shown]`,
};

export interface ContentOptions {
  /** Whether images go to the model as images: the API takes them from the user and in tool outputs, not in the assistant's turns. */
  images: boolean;
  wording: Wording;
}

/** One content block into `into`: text as text, images as images when they may go, the rest named. */
export function addContent(into: ModelParts, block: ContentBlock, options: ContentOptions): void {
  switch (block.type) {
    case "text":
      into.parts.push(block.text);
      return;
    case "image":
      if (options.images) addImage(into, block.mimeType, block.data);
      else into.parts.push(options.wording.hidden("image", block.mimeType));
      return;
    case "resource":
      addResource(into, block.resource, options);
      return;
    case "audio":
      into.parts.push(options.wording.hidden("audio", block.mimeType));
      return;
    case "resource_link":
      into.parts.push(`[resource link: ${block.uri}${block.name ? ` (${block.name})` : ""}]`);
      return;
    default: {
      const other = block as { type: string; mimeType?: string };
      if (options.wording.other) into.parts.push(options.wording.other(other.type, other.mimeType));
    }
  }
}

/** One resource's contents (embedded, or read): text as text, an image as an image when it may go, other blobs named. */
export function addResource(into: ModelParts, resource: TextResourceContents | BlobResourceContents, options: ContentOptions): void {
  if ("text" in resource) into.parts.push(resource.text);
  else if (!resource.mimeType?.startsWith("image/")) into.parts.push(options.wording.blob(resource));
  else if (options.images) addImage(into, resource.mimeType, resource.blob, resource.uri);
  else into.parts.push(options.wording.hidden("image", resource.mimeType, resource.uri));
}

/** An image the model can read goes to it as one; any other is named in the text. */
function addImage(into: ModelParts, mimeType: string, data: string, uri?: string): void {
  const what = uri ? `image ${uri}` : "image";
  if (!MODEL_IMAGE_TYPES.has(mimeType.toLowerCase())) into.parts.push(`[${what}: ${mimeType}, not shown: the model reads png, jpeg, gif and webp]`);
  else if (data.length > MAX_IMAGE_BASE64_CHARS) into.parts.push(`[${what}: ${mimeType}, ${base64Bytes(data)} bytes, too large to show the model]`);
  else into.images.push({ mimeType, data });
}

/** An image as a Responses input part. */
export function imageItem(image: ImageInput): JsonObject {
  return { type: "input_image", image_url: `data:${image.mimeType};base64,${image.data}` };
}

/**
 * A tool result as the model reads it: text parts joined, images as images, other parts (audio,
 * blobs) described, since the model cannot take them; structured content when there is nothing else.
 */
export function toolResultContent(result: CallToolResult): ToolOutput {
  const into: ModelParts = { parts: [], images: [] };
  for (const block of result.content ?? []) addContent(into, block, { images: true, wording: TOOL_WORDING });
  const { parts, images } = into;
  if (parts.length === 0 && images.length === 0 && result.structuredContent !== undefined) return { text: JSON.stringify(result.structuredContent), images };
  if (parts.length === 0 && images.length === 0) return { text: "(the tool returned no output)", images };
  return { text: parts.join("\n"), images };
}
