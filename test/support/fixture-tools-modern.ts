// The fixture's tools on the v2 SDK, which serves 2026-07-28 (`--era modern|dual`): the table and
// answers of ./fixture-tools.ts, with 2026-07-28's way of asking the client (input_required).
import { completable, inputRequired, inputResponse, McpServer as ModernMcpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import * as z from "zod";
import { type CatalogSdk, registerCatalog } from "./fixture-catalog.ts";
import { registerModernConformance } from "./fixture-conformance.ts";
import { registerExecTools } from "./fixture-exec.ts";
import { registerIoTools } from "./fixture-io.ts";
import { text } from "./fixture-results.ts";
import {
  ASK_DESCRIPTION,
  ASK_FORM,
  ASK_PROMPT_DESCRIPTION,
  ASK_RESOURCE_DESCRIPTION,
  ASK_URL,
  ASK_URL_DESCRIPTION,
  askedPrompt,
  askedResource,
  askedUri,
  CHATTY_DESCRIPTION,
  chatty,
  elicitOutcome,
  type FixtureToolOptions,
  fixtureTools,
  progressOf,
  ROOTS_DESCRIPTION,
  rootsOutcome,
  SAMPLE_DESCRIPTION,
  SAMPLE_SHAPE,
  type SampledAnswer,
  sampledOutcome,
  sampleRequest,
  serverName,
} from "./fixture-tools.ts";

const V2_CATALOG: CatalogSdk = {
  modern: true,
  template: (uri, callbacks) => new ResourceTemplate(uri, callbacks),
  optionalCompletable: (description, complete) => completable(z.string().describe(description), complete).optional(),
};

/** The same tools on the v2 SDK, which serves 2026-07-28 (and 2025, unless the caller rejects it). */
export function createModernFixtureServer(options: FixtureToolOptions): ModernMcpServer {
  const hint = options.cacheHint;
  const cacheHints = hint && { "tools/list": hint, "prompts/list": hint, "resources/list": hint, "resources/templates/list": hint };
  const server = new ModernMcpServer(
    { name: serverName(options), version: options.version },
    { ...(options.features ? { capabilities: { logging: {} } } : {}), ...(cacheHints && { cacheHints }) },
  );
  if (options.conformance) {
    registerModernConformance(server);
    return server;
  }
  for (const tool of fixtureTools(options)) {
    server.registerTool(tool.name, { description: tool.description, inputSchema: z.object(tool.shape) }, (args: unknown, ctx) =>
      tool.run(args, progressOf({ token: ctx.mcpReq._meta?.progressToken, notify: (n) => ctx.mcpReq.notify(n as never) })),
    );
  }
  if (options.features) {
    registerCatalog(server, V2_CATALOG, { name: options.name });
    // 2026-07-28: the tool returns input_required; the client answers and calls again.
    const asking = (key: string, request: () => unknown) => async (_args: unknown, ctx: { mcpReq: { inputResponses?: unknown } }) => {
      const view = inputResponse(ctx.mcpReq.inputResponses as never, key);
      if (view.kind !== "elicit") return inputRequired({ inputRequests: { [key]: request() as never } });
      return text(elicitOutcome(view));
    };
    server.registerTool("ask", { description: ASK_DESCRIPTION, inputSchema: z.object({}) }, asking("form", () => inputRequired.elicit(ASK_FORM as never)) as never);
    server.registerTool("ask_url", { description: ASK_URL_DESCRIPTION, inputSchema: z.object({}) }, asking("url", () => inputRequired.elicitUrl(ASK_URL)) as never);
    if (options.askInReads) {
      // The same input_required round as the tools', for prompts/get and resources/read.
      const answered = (ctx: { mcpReq: { inputResponses?: unknown } }) => inputResponse(ctx.mcpReq.inputResponses as never, "form");
      const askFirst = () => inputRequired({ inputRequests: { form: inputRequired.elicit(ASK_FORM as never) } });
      server.registerPrompt("ask_prompt", { description: ASK_PROMPT_DESCRIPTION }, (async (ctx: { mcpReq: { inputResponses?: unknown } }) => {
        const view = answered(ctx);
        return view.kind === "elicit" ? askedPrompt(elicitOutcome(view)) : askFirst();
      }) as never);
      server.registerResource("asked", askedUri(options), { description: ASK_RESOURCE_DESCRIPTION, mimeType: "text/plain" }, (async (
        uri: URL,
        ctx: { mcpReq: { inputResponses?: unknown } },
      ) => {
        const view = answered(ctx);
        return view.kind === "elicit" ? askedResource(uri, elicitOutcome(view)) : askFirst();
      }) as never);
    }
    server.registerTool("sample", { description: SAMPLE_DESCRIPTION, inputSchema: z.object(SAMPLE_SHAPE) }, (async ({ prompt }: { prompt?: string }, ctx: { mcpReq: { inputResponses?: unknown } }) => {
      const view = inputResponse(ctx.mcpReq.inputResponses as never, "sample");
      if (view.kind !== "sampling") return inputRequired({ inputRequests: { sample: inputRequired.createMessage(sampleRequest(prompt) as never) } });
      return text(sampledOutcome(view.result as SampledAnswer));
    }) as never);
    server.registerTool("roots", { description: ROOTS_DESCRIPTION, inputSchema: z.object({}) }, (async (_args: unknown, ctx: { mcpReq: { inputResponses?: unknown } }) => {
      const view = inputResponse(ctx.mcpReq.inputResponses as never, "roots");
      if (view.kind !== "roots") return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
      return text(rootsOutcome(view.roots));
    }) as never);
    server.registerTool("chatty", { description: CHATTY_DESCRIPTION, inputSchema: z.object({}) }, async (_args: unknown, ctx) =>
      chatty(
        (level, data) => ctx.mcpReq.log(level as never, data, "fixture"),
        progressOf({ token: ctx.mcpReq._meta?.progressToken, notify: (n) => ctx.mcpReq.notify(n as never) }),
      ),
    );
  }
  if (options.execTools) registerExecTools(server);
  if (options.ioTools) registerIoTools(server);
  return server;
}
