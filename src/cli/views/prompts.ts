// How prompt lists and rendered prompts look.
import type { PromptMessage } from "@modelcontextprotocol/client";
import type { IO } from "../../context.ts";
import { base64Bytes } from "../../mcp/content.ts";
import type { PromptListing, RenderedPrompt } from "../../mcp/resources.ts";
import { terminalBlock, terminalText } from "../../text/sanitize.ts";
import { firstLine, note, paint, printJson, printTable } from "../render.ts";

export function renderPrompts(io: IO, listing: PromptListing, options: { json: boolean }): void {
  if (options.json) {
    return printJson(io, {
      server: listing.server,
      prompts: listing.prompts.map((p) => ({
        name: p.name,
        title: p.title ?? null,
        description: p.description ?? "",
        arguments: (p.arguments ?? []).map((a) => ({ name: a.name, description: a.description ?? "", required: a.required === true })),
      })),
    });
  }
  if (listing.prompts.length === 0) return note(io, `Server "${terminalText(listing.server)}" offers no prompts.`);
  printTable(
    io,
    [
      { header: "PROMPT", value: (p) => p.name, style: () => "bold" },
      { header: "DESCRIPTION", value: (p) => firstLine(p.description) || "-" },
      // Required arguments carry a `*`: `code*, style`.
      { header: "ARGUMENTS", value: (p) => (p.arguments ?? []).map((a) => `${a.name}${a.required ? "*" : ""}`).join(", ") || "-" },
    ],
    listing.prompts,
  );
}

/** Each message as a `[role]` header and its content; non-text content is described in one line. */
export function renderPrompt(io: IO, rendered: RenderedPrompt, options: { json: boolean }): void {
  if (options.json) {
    return printJson(io, {
      server: rendered.server,
      prompt: rendered.prompt.name,
      arguments: rendered.arguments,
      description: rendered.result.description ?? null,
      messages: rendered.result.messages,
    });
  }
  for (const message of rendered.result.messages) {
    io.stdout.write(paint(io, "bold", `[${terminalText(message.role)}]`) + "\n");
    const text = describeMessage(message);
    io.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }
}

/** A message's content as terminal text. */
function describeMessage(message: PromptMessage): string {
  const content = message.content;
  switch (content.type) {
    case "text":
      return terminalBlock(content.text);
    case "resource": {
      const resource = content.resource;
      const head = `(resource ${terminalText(resource.uri)}${resource.mimeType ? `, ${terminalText(resource.mimeType)}` : ""})`;
      return "text" in resource ? `${head}\n${terminalBlock(resource.text)}` : `${head} [binary, ${base64Bytes(resource.blob)} bytes]`;
    }
    case "resource_link":
      return `(resource link ${terminalText(content.uri)})`;
    case "image":
    case "audio":
      return `(${content.type} ${terminalText(content.mimeType)}, ${base64Bytes(content.data)} bytes)`;
    default:
      return `(${terminalText(String((content as { type: unknown }).type))} content)`;
  }
}
