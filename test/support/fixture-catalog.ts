// `--catalog`: resources, a resource template, a prompt and a `grow` tool that adds a tool at run
// time (sending tools/list_changed), on either SDK's McpServer; what `tether mcp serve` relays.
// Behind a flag so the tool lists other tests assert stay as they are. The prompt's and the
// template's arguments complete. With `--subscriptions`, on the 2025 server, the readme can be
// subscribed to and the `touch` tool sends its notifications/resources/updated.
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import {
  completable as modernCompletable,
  McpServer as ModernMcpServer,
  ResourceTemplate as ModernResourceTemplate,
} from "@modelcontextprotocol/server";
import * as z from "zod";
import { text } from "./fixture-results.ts";

const CATALOG_NAMES = ["Ada", "Alan", "Grace"];
const CATALOG_NOTE_IDS = ["1", "2", "10"];
const startingWith = (options: string[]) => (value: string) => options.filter((o) => o.toLowerCase().startsWith(value.toLowerCase()));

export function registerCatalog(server: McpServer | ModernMcpServer, prefix: string, options: { subscriptions?: boolean } = {}): void {
  const modern = server instanceof ModernMcpServer;
  const any = server as any;
  any.registerResource("readme", `${prefix}://readme`, { description: "The fixture's readme", mimeType: "text/plain" }, async (uri: URL) => ({
    contents: [{ uri: uri.href, mimeType: "text/plain", text: `readme of ${prefix}` }],
  }));
  const template = `${prefix}://notes/{id}`;
  const callbacks = { list: undefined, complete: { id: startingWith(CATALOG_NOTE_IDS) } };
  any.registerResource(
    "note",
    modern ? new ModernResourceTemplate(template, callbacks) : new ResourceTemplate(template, callbacks),
    { description: "A note by id" },
    async (uri: URL, variables: { id: string }) => ({ contents: [{ uri: uri.href, text: `note ${variables.id}` }] }),
  );
  any.registerPrompt(
    "greet",
    {
      description: "Greets someone",
      argsSchema: modern
        ? z.object({ name: modernCompletable(z.string(), startingWith(CATALOG_NAMES)) })
        : { name: completable(z.string(), startingWith(CATALOG_NAMES)) },
    },
    ({ name }: { name: string }) => ({ messages: [{ role: "user", content: { type: "text", text: `Hello, ${name}!` } }] }),
  );
  if (!modern && options.subscriptions) subscriptions(server as McpServer, `${prefix}://readme`);
  let grown = 0;
  any.registerTool("grow", { description: "Adds a tool named grown_N and says the tool list changed." }, async () => {
    grown++;
    any.registerTool(`grown_${grown}`, { description: `Grown tool ${grown}.` }, async () => text(`grown ${grown}`));
    return text(`grown_${grown}`);
  });
}

/** resources/subscribe on the 2025 server, and `touch {uri}`, which sends the update to a subscriber. */
function subscriptions(server: McpServer, readme: string): void {
  const subscribed = new Set<string>();
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  server.registerTool("touch", { description: `Changes the readme (${readme}) and tells a subscriber.` }, async () => {
    if (!subscribed.has(readme)) return text("nobody subscribed");
    await server.server.sendResourceUpdated({ uri: readme });
    return text("touched");
  });
}
