// `--features`: the fixture's one catalog of resources and prompts, on either SDK's McpServer:
// a text readme, a binary logo, a note template whose id completes, the prompts `greet` (its
// optional `name` completes), `review` (arguments) and `with_resource` (an embedded resource), and
// `grow`, a tool that adds a tool at run time (sending tools/list_changed). URIs use the server's
// `--name` as their scheme (`fixture://docs/readme` by default), so upstreams of `tether mcp serve`
// never share one. With `--subscriptions`, on the 2025 server, the readme can be subscribed to
// and the `touch` tool sends its notifications/resources/updated. The tools that ask the client
// things (elicitation, sampling, roots, logging) come with the catalog (./fixture-tools.ts).
// Behind a flag so the tool lists other tests assert stay as they are.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { McpServer as ModernMcpServer } from "@modelcontextprotocol/server";
import * as z from "zod";
import { text, TINY_PNG_BASE64 } from "./fixture-results.ts";

const GREET_NAMES = ["Ada", "Alan", "Grace"];
const NOTE_IDS = ["1", "2", "10"];
const startingWith = (options: string[]) => (value: string | undefined) => options.filter((o) => o.toLowerCase().startsWith((value ?? "").toLowerCase()));

/** The catalog's URIs for a server of this `--name`. */
export function catalogUris(name: string): { readme: string; logo: string; notes: string; asked: string } {
  return { readme: `${name}://docs/readme`, logo: `${name}://logo.png`, notes: `${name}://notes/{id}`, asked: `${name}://asked` };
}

/**
 * What the catalog needs of the SDK that `server` comes from, given by the caller (./fixture-tools.ts
 * for v1, ./fixture-tools-modern.ts for v2), so a fixture loads only its own era's SDK.
 */
export interface CatalogSdk {
  /** v2 wants z.object around a prompt's arguments, v1 a raw shape. */
  modern: boolean;
  template(uri: string, callbacks: { list: undefined; complete: Record<string, (value: string | undefined) => string[]> }): unknown;
  /** An optional string argument whose values complete: v2 looks for the completer inside the optional, v1 on it. */
  optionalCompletable(description: string, complete: (value: string | undefined) => string[]): z.ZodTypeAny;
}

export function registerCatalog(server: McpServer | ModernMcpServer, sdk: CatalogSdk, options: { name: string; subscriptions?: boolean }): void {
  const modern = sdk.modern;
  // biome-ignore lint: the two SDKs' McpServer share these method shapes but not their types
  const any = server as any;
  const args = (shape: z.ZodRawShape) => (modern ? z.object(shape) : shape);
  const uris = catalogUris(options.name);
  any.registerResource("readme", uris.readme, { description: "The fixture's readme.", mimeType: "text/plain" }, async (uri: URL) => ({
    contents: [{ uri: uri.href, mimeType: "text/plain", text: "# Fixture\nhello from a resource\n" }],
  }));
  any.registerResource("logo", uris.logo, { description: "A tiny PNG.", mimeType: "image/png" }, async (uri: URL) => ({
    contents: [{ uri: uri.href, mimeType: "image/png", blob: TINY_PNG_BASE64 }],
  }));
  const callbacks = { list: undefined, complete: { id: startingWith(NOTE_IDS) } };
  any.registerResource(
    "note",
    sdk.template(uris.notes, callbacks),
    { description: "A note by id.", mimeType: "text/plain" },
    async (uri: URL, variables: Record<string, string>) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: `note ${variables.id}` }] }),
  );
  const name = sdk.optionalCompletable("Whom to greet", startingWith(GREET_NAMES));
  any.registerPrompt("greet", { description: "Say hello.", argsSchema: args({ name }) }, async ({ name }: { name?: string }) => ({
    messages: [{ role: "user", content: { type: "text", text: name ? `Hello, ${name}!` : "Say hello to the fixture." } }],
  }));
  any.registerPrompt(
    "review",
    { description: "Review some code.", argsSchema: args({ code: z.string().describe("The code"), style: z.string().optional().describe("Review style") }) },
    async ({ code, style }: { code: string; style?: string }) => ({
      description: "A code review",
      messages: [{ role: "user", content: { type: "text", text: `Review this code${style ? ` (${style})` : ""}:\n${code}` } }],
    }),
  );
  any.registerPrompt("with_resource", { description: "A prompt that embeds the readme." }, async () => ({
    messages: [
      { role: "user", content: { type: "resource", resource: { uri: uris.readme, mimeType: "text/plain", text: "hello from a resource" } } },
      { role: "assistant", content: { type: "text", text: "I read it." } },
    ],
  }));
  if (!modern && options.subscriptions) subscriptions(server as McpServer, uris.readme);
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
