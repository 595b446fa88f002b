// `--catalog`: resources, a resource template, a prompt and a `grow` tool that adds a tool at run
// time (sending tools/list_changed), on either SDK's McpServer; what `tether mcp serve` relays.
// Behind a flag so the tool lists other tests assert stay as they are.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { McpServer as ModernMcpServer, ResourceTemplate as ModernResourceTemplate } from "@modelcontextprotocol/server";
import * as z from "zod";

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

export function registerCatalog(server: McpServer | ModernMcpServer, prefix: string): void {
  const modern = server instanceof ModernMcpServer;
  const any = server as any;
  any.registerResource("readme", `${prefix}://readme`, { description: "The fixture's readme", mimeType: "text/plain" }, async (uri: URL) => ({
    contents: [{ uri: uri.href, mimeType: "text/plain", text: `readme of ${prefix}` }],
  }));
  const template = `${prefix}://notes/{id}`;
  any.registerResource(
    "note",
    modern ? new ModernResourceTemplate(template, { list: undefined }) : new ResourceTemplate(template, { list: undefined }),
    { description: "A note by id" },
    async (uri: URL, variables: { id: string }) => ({ contents: [{ uri: uri.href, text: `note ${variables.id}` }] }),
  );
  any.registerPrompt(
    "greet",
    { description: "Greets someone", argsSchema: modern ? z.object({ name: z.string() }) : { name: z.string() } },
    ({ name }: { name: string }) => ({ messages: [{ role: "user", content: { type: "text", text: `Hello, ${name}!` } }] }),
  );
  let grown = 0;
  any.registerTool("grow", { description: "Adds a tool named grown_N and says the tool list changed." }, async () => {
    grown++;
    any.registerTool(`grown_${grown}`, { description: `Grown tool ${grown}.` }, async () => text(`grown ${grown}`));
    return text(`grown_${grown}`);
  });
}
