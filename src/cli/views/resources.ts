// How resource lists, templates and resource contents look; binary contents go to a file.
import { writeFileSync } from "node:fs";
import type { ReadResourceResult } from "@modelcontextprotocol/client";
import type { IO } from "../../context.ts";
import { UsageError } from "../../errors.ts";
import { base64Bytes } from "../../mcp/content.ts";
import type { ResourceListing, ResourceRead } from "../../mcp/resources.ts";
import { terminalBlock, terminalText } from "../../text/sanitize.ts";
import { firstLine, note, printJson, printTable } from "../render.ts";

type Content = ReadResourceResult["contents"][number];

export function renderResources(io: IO, listing: ResourceListing, options: { json: boolean; templates: boolean }): void {
  if (options.json) {
    if (options.templates) {
      return printJson(io, {
        server: listing.server,
        resource_templates: listing.templates.map((t) => ({
          uri_template: t.uriTemplate,
          name: t.name,
          title: t.title ?? null,
          mime_type: t.mimeType ?? null,
          description: t.description ?? "",
        })),
      });
    }
    return printJson(io, {
      server: listing.server,
      resources: listing.resources.map((r) => ({
        uri: r.uri,
        name: r.name,
        title: r.title ?? null,
        mime_type: r.mimeType ?? null,
        size: r.size ?? null,
        description: r.description ?? "",
      })),
    });
  }
  const short = (text: string | undefined) => firstLine(text, io.stdoutIsTTY ? 60 : Infinity);
  if (options.templates) {
    if (listing.templates.length === 0) return note(io, `Server "${terminalText(listing.server)}" offers no resource templates.`);
    return printTable(
      io,
      [
        { header: "URI TEMPLATE", value: (t) => t.uriTemplate, style: () => "bold" },
        { header: "NAME", value: (t) => t.name },
        { header: "MIME", value: (t) => t.mimeType ?? "-" },
        { header: "DESCRIPTION", value: (t) => short(t.description) || "-" },
      ],
      listing.templates,
    );
  }
  if (listing.resources.length === 0) return note(io, `Server "${terminalText(listing.server)}" offers no resources.`);
  printTable(
    io,
    [
      { header: "URI", value: (r) => r.uri, style: () => "bold" },
      { header: "NAME", value: (r) => r.name },
      { header: "MIME", value: (r) => r.mimeType ?? "-" },
      { header: "SIZE", value: (r) => (r.size === undefined ? "-" : String(r.size)) },
      { header: "DESCRIPTION", value: (r) => short(r.description) || "-" },
    ],
    listing.resources,
  );
}

/**
 * Text contents to stdout; with --out, the contents (text or decoded blob) to that file instead.
 * A blob never goes to stdout: on a terminal it would be garbage, and stdout carries text only.
 */
export function renderResourceRead(io: IO, read: ResourceRead, options: { json: boolean; out?: string }): void {
  const contents = read.result.contents;
  if (options.out !== undefined) {
    if (contents.length !== 1) {
      throw new UsageError(`resource "${read.uri}" has ${contents.length} parts; --out writes exactly one`, { hint: "use --json to see every part" });
    }
    const bytes = contentBytes(contents[0]!);
    writeFileSync(options.out, bytes);
    if (options.json) return printJson(io, { server: read.server, uri: read.uri, out: options.out, bytes: bytes.length, mime_type: contents[0]!.mimeType ?? null });
    return note(io, `wrote ${bytes.length} bytes (${terminalText(contents[0]!.mimeType ?? "unknown type")}) to ${options.out}`);
  }
  if (options.json) return printJson(io, { server: read.server, uri: read.uri, contents });
  const binary = contents.find((c) => "blob" in c);
  if (binary) {
    const size = base64Bytes((binary as { blob: string }).blob);
    throw new UsageError(`resource "${read.uri}" is binary (${binary.mimeType ?? "unknown type"}, ${size} bytes); tether does not write it to ${io.stdoutIsTTY ? "a terminal" : "stdout"}`, {
      hint: `save it with --out FILE, or see it base64-encoded with --json`,
    });
  }
  for (const item of contents) {
    const text = terminalBlock((item as { text: string }).text);
    io.stdout.write(text.endsWith("\n") || text === "" ? text : text + "\n");
  }
}

function contentBytes(content: Content): Buffer {
  return "blob" in content ? Buffer.from(content.blob, "base64") : Buffer.from(content.text, "utf8");
}
