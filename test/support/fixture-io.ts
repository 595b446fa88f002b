// `--io-tools`: the tools `mcp call`'s arguments from files and saved outputs are tested with, on
// either SDK's McpServer (issue 22). `inspect` takes one argument of each JSON kind and answers with
// the arguments as it received them (JSON); `media` answers with images and a sound (and `images`
// more PNGs). Behind a flag so the tool lists other tests assert stay as they are.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { McpServer as ModernMcpServer } from "@modelcontextprotocol/server";
import * as z from "zod";
import { text } from "./fixture-results.ts";
import { TINY_PNG_BASE64 } from "./fixture-results.ts";

/** A WAV file with no samples (44 bytes), base64. */
export const EMPTY_WAV_BASE64 = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";

export function registerIoTools(server: McpServer | ModernMcpServer): void {
  // Not v2's instanceof: a legacy fixture does not load the v2 SDK (./fixture-tools-modern.ts).
  const modern = !(server instanceof McpServer);
  // biome-ignore lint: the two SDKs' registerTool share a shape but not their types
  const any = server as any;
  const schema = (shape: z.ZodRawShape) => (modern ? z.object(shape) : shape);
  const inspect = {
    doc: z.record(z.string(), z.unknown()).optional(),
    tags: z.array(z.string()).optional(),
    count: z.number().optional(),
    flag: z.boolean().optional(),
    note: z.string().optional(),
  };
  any.registerTool("inspect", { description: "Answer with the arguments as received, as JSON.", inputSchema: schema(inspect) }, async (args: unknown) =>
    text(JSON.stringify(args)),
  );
  any.registerTool(
    "media",
    { description: "Answer with a PNG, a WAV, an image of an unknown type and a caption (and `images` more PNGs).", inputSchema: schema({ images: z.number().optional() }) },
    async ({ images }: { images?: number }) => ({
      content: [
        { type: "image", data: TINY_PNG_BASE64, mimeType: "image/png" },
        { type: "audio", data: EMPTY_WAV_BASE64, mimeType: "audio/wav" },
        { type: "text", text: "two pictures and a sound" },
        { type: "image", data: Buffer.from("not really an image").toString("base64"), mimeType: "image/x-../../evil" },
        ...Array.from({ length: images ?? 0 }, () => ({ type: "image", data: TINY_PNG_BASE64, mimeType: "image/png" })),
      ],
    }),
  );
}
