// `--conformance`: the fixture offers exactly what the official conformance suite's server
// scenarios call, under their fixed names (test_simple_text, test://static-text,
// test_simple_prompt, …), as each scenario's description in @modelcontextprotocol/conformance
// states it. Served through `tether mcp serve --no-prefix`, the suite then checks tether itself.
// One catalog, two registrations: the v1 low-level Server for the 2025 era (a raw JSON Schema
// 2020-12 input schema passes as is), the v2 one for 2026-07-28 (registerModernConformance).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { McpServer as ModernMcpServer } from "@modelcontextprotocol/server";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

// A 1x1 red PNG and a tiny silent WAV.
const RED_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const SILENT_WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";

/**
 * How long test_reconnection runs: served with `--sse-poll 1`, its stream is closed at 1 s and the
 * result comes at 1.5 s, halfway to the next close, so a client that reconnects once (the suite's)
 * receives it on the stream it reconnected with, or from the event store.
 */
export const RECONNECTION_MS = 1_500;

const text = (value: string) => ({ type: "text" as const, text: value });
const noArgs = { type: "object" as const, properties: {} };

const TOOLS = [
  { name: "test_simple_text", description: "Returns simple text.", inputSchema: noArgs },
  { name: "test_image_content", description: "Returns an image.", inputSchema: noArgs },
  { name: "test_audio_content", description: "Returns audio.", inputSchema: noArgs },
  { name: "test_embedded_resource", description: "Returns an embedded resource.", inputSchema: noArgs },
  { name: "test_multiple_content_types", description: "Returns text, an image and a resource.", inputSchema: noArgs },
  { name: "test_tool_with_logging", description: "Sends three log lines while it runs.", inputSchema: noArgs },
  { name: "test_error_handling", description: "Always fails.", inputSchema: noArgs },
  { name: "test_tool_with_progress", description: "Reports progress 0, 50, 100 of 100.", inputSchema: noArgs },
  { name: "test_reconnection", description: `Takes ${RECONNECTION_MS} ms, for SSE polling (SEP-1699).`, inputSchema: noArgs },
  {
    name: "test_sampling",
    description: "Asks the client's model.",
    inputSchema: { type: "object" as const, properties: { prompt: { type: "string" } }, required: ["prompt"] },
  },
  {
    name: "test_elicitation",
    description: "Asks the user.",
    inputSchema: { type: "object" as const, properties: { message: { type: "string" } }, required: ["message"] },
  },
  { name: "test_elicitation_sep1034_defaults", description: "Asks the user, with defaults for every primitive type.", inputSchema: noArgs },
  { name: "test_elicitation_sep1330_enums", description: "Asks the user, with every enum variant.", inputSchema: noArgs },
  {
    name: "json_schema_2020_12_tool",
    description: "Tool with JSON Schema 2020-12 features",
    // As the suite's scenario states it (0.2: composition, conditional and anchor keywords too, SEP-2106).
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object" as const,
      $defs: { address: { $anchor: "addressDef", type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
      properties: {
        name: { type: "string" },
        address: { $ref: "#/$defs/address" },
        contactMethod: { type: "string", enum: ["phone", "email"] },
        phone: { type: "string" },
        email: { type: "string" },
      },
      allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
      if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
      then: { required: ["phone"] },
      else: { required: ["email"] },
      additionalProperties: false,
    },
  },
];

const SEP1034_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", default: "John Doe" },
    age: { type: "integer", default: 30 },
    score: { type: "number", default: 95.5 },
    status: { type: "string", enum: ["active", "inactive", "pending"], default: "active" },
    verified: { type: "boolean", default: true },
  },
};

const SEP1330_SCHEMA = {
  type: "object",
  properties: {
    untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
    titledSingle: {
      type: "string",
      oneOf: [
        { const: "value1", title: "First Option" },
        { const: "value2", title: "Second Option" },
        { const: "value3", title: "Third Option" },
      ],
    },
    legacyEnum: { type: "string", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
    untitledMulti: { type: "array", items: { type: "string", enum: ["option1", "option2", "option3"] } },
    titledMulti: {
      type: "array",
      items: {
        anyOf: [
          { const: "value1", title: "First Choice" },
          { const: "value2", title: "Second Choice" },
          { const: "value3", title: "Third Choice" },
        ],
      },
    },
  },
};

export function registerConformance(mcp: McpServer): void {
  const server = mcp.server;
  server.registerCapabilities({ tools: {}, resources: { subscribe: true }, prompts: {}, completions: {}, logging: {} });
  const subscribed = new Set<string>();

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));
  server.setRequestHandler(SetLevelRequestSchema, async () => ({}));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const token = request.params._meta?.progressToken;
    return runConformanceTool(request.params.name, (request.params.arguments ?? {}) as Record<string, unknown>, {
      log: (line) => extra.sendNotification({ method: "notifications/message", params: { level: "info", data: line } }),
      progress: async (progress) => {
        if (token !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, total: 100 } });
      },
      closeStream: () => extra.closeSSEStream?.(),
      sample: async (prompt) => {
        const result = await server.createMessage({ messages: [{ role: "user", content: text(prompt) }], maxTokens: 100 });
        return result.content.type === "text" ? result.content.text : `[${result.content.type}]`;
      },
      elicit: async (message, requestedSchema) => {
        const answer = await server.elicitInput({ message, requestedSchema: requestedSchema as never });
        return { action: answer.action, content: answer.content };
      },
    });
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: RESOURCES }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: RESOURCE_TEMPLATES }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => readConformanceResource(request.params.uri));
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: PROMPTS }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => getConformancePrompt(request.params.name, request.params.arguments ?? {}));
  server.setRequestHandler(CompleteRequestSchema, async (request) => completeConformance(request.params.argument.value));
}

const RESOURCES = [
  { uri: "test://static-text", name: "static-text", description: "A static text resource", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", description: "A static binary resource", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", description: "A resource to subscribe to", mimeType: "text/plain" },
];
const RESOURCE_TEMPLATES = [{ uriTemplate: "test://template/{id}/data", name: "template", description: "Data by id", mimeType: "application/json" }];

const PROMPTS = [
  { name: "test_simple_prompt", description: "A simple prompt" },
  {
    name: "test_prompt_with_arguments",
    description: "A prompt with arguments",
    arguments: [
      { name: "arg1", description: "First test argument", required: true },
      { name: "arg2", description: "Second test argument", required: true },
    ],
  },
  {
    name: "test_prompt_with_embedded_resource",
    description: "A prompt embedding a resource",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
  },
  { name: "test_prompt_with_image", description: "A prompt with an image" },
];

/** What a tool may do besides answering, in whichever SDK serves it. */
interface ToolIo {
  log(line: string): Promise<void>;
  progress(progress: number): Promise<void>;
  closeStream(): void;
  /** Absent in the 2026-07-28 catalog, which has no tool that asks. */
  sample?(prompt: string): Promise<string>;
  elicit?(message: string, requestedSchema: unknown): Promise<{ action: string; content?: unknown }>;
}

/** The tools that ask the client mid-call (2025 requests; the 2026-07-28 catalog leaves them out). */
const ASKING_TOOLS = new Set(["test_sampling", "test_elicitation", "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums"]);

// Results are built loosely typed: each SDK checks them against its own schema.
async function runConformanceTool(name: string, args: Record<string, unknown>, io: ToolIo): Promise<any> {
  switch (name) {
    case "test_simple_text":
      return { content: [text("This is a simple text response for testing.")] };
    case "test_image_content":
      return { content: [{ type: "image", data: RED_PNG, mimeType: "image/png" }] };
    case "test_audio_content":
      return { content: [{ type: "audio", data: SILENT_WAV, mimeType: "audio/wav" }] };
    case "test_embedded_resource":
      return {
        content: [{ type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }],
      };
    case "test_multiple_content_types":
      return {
        content: [
          text("Multiple content types test:"),
          { type: "image", data: RED_PNG, mimeType: "image/png" },
          { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: '{"test":"data","value":123}' } },
        ],
      };
    case "test_tool_with_logging":
      for (const [i, line] of ["Tool execution started", "Tool processing data", "Tool execution completed"].entries()) {
        if (i > 0) await Bun.sleep(50);
        await io.log(line);
      }
      return { content: [text("Tool with logging executed successfully")] };
    case "test_error_handling":
      return { isError: true, content: [text("This tool intentionally returns an error for testing")] };
    case "test_tool_with_progress":
      for (const [i, progress] of [0, 50, 100].entries()) {
        if (i > 0) await Bun.sleep(50);
        await io.progress(progress);
      }
      return { content: [text("Tool with progress executed successfully")] };
    case "test_reconnection":
      // Over HTTP the fixture closes the stream itself (SEP-1699); through serve, serve does.
      io.closeStream();
      await Bun.sleep(RECONNECTION_MS);
      return { content: [text("Reconnection test completed")] };
    case "test_sampling":
      if (io.sample) return { content: [text(`LLM response: ${await io.sample(String(args.prompt))}`)] };
      break;
    case "test_elicitation":
      if (io.elicit) {
        const answer = await io.elicit(String(args.message), {
          type: "object",
          properties: { username: { type: "string", description: "User's response" }, email: { type: "string", description: "User's email address" } },
          required: ["username", "email"],
        });
        return { content: [text(`User response: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`)] };
      }
      break;
    case "test_elicitation_sep1034_defaults":
    case "test_elicitation_sep1330_enums":
      if (io.elicit) {
        const sep1034 = name === "test_elicitation_sep1034_defaults";
        const answer = await io.elicit(sep1034 ? "Please review the defaults" : "Please choose", sep1034 ? SEP1034_SCHEMA : SEP1330_SCHEMA);
        return { content: [text(`Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`)] };
      }
      break;
    case "json_schema_2020_12_tool":
      return { content: [text(`hello ${String(args.name ?? "")}`)] };
  }
  return { isError: true, content: [text(`unknown tool ${name}`)] };
}

function readConformanceResource(uri: string): any {
  if (uri === "test://static-text") return { contents: [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }] };
  if (uri === "test://static-binary") return { contents: [{ uri, mimeType: "image/png", blob: RED_PNG }] };
  if (uri === "test://watched-resource") return { contents: [{ uri, mimeType: "text/plain", text: "watched" }] };
  const match = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
  if (match) {
    const id = match[1]!;
    return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] };
  }
  throw new Error(`no resource ${uri}`);
}

function getConformancePrompt(name: string, args: Record<string, string>): any {
  switch (name) {
    case "test_simple_prompt":
      return { messages: [{ role: "user", content: text("This is a simple prompt for testing.") }] };
    case "test_prompt_with_arguments":
      return { messages: [{ role: "user", content: text(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`) }] };
    case "test_prompt_with_embedded_resource":
      return {
        messages: [
          { role: "user", content: { type: "resource", resource: { uri: String(args.resourceUri), mimeType: "text/plain", text: "Embedded resource content for testing." } } },
          { role: "user", content: text("Please process the embedded resource above.") },
        ],
      };
    case "test_prompt_with_image":
      return {
        messages: [
          { role: "user", content: { type: "image", data: RED_PNG, mimeType: "image/png" } },
          { role: "user", content: text("Please analyze the image above.") },
        ],
      };
    default:
      throw new Error(`no prompt ${name}`);
  }
}

function completeConformance(value: string) {
  const values = ["paris", "park", "party", "test", "testing"].filter((v) => v.startsWith(value));
  return { completion: { values, total: values.length, hasMore: false } };
}

/**
 * The same catalog on the v2 low-level Server (`--era modern|dual --conformance`), which serves
 * 2026-07-28: every tool but those that ask the client mid-call (that era asks with
 * `input_required` results, a different set of the suite's scenarios), no subscriptions.
 */
export function registerModernConformance(mcp: ModernMcpServer): void {
  const server = mcp.server;
  server.registerCapabilities({ tools: {}, resources: {}, prompts: {}, completions: {}, logging: {} });
  server.setRequestHandler("tools/list", async () => ({ tools: TOOLS.filter((t) => !ASKING_TOOLS.has(t.name)) as never }));
  server.setRequestHandler("tools/call", async (request, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    return runConformanceTool(request.params.name, request.params.arguments ?? {}, {
      log: (line) => ctx.mcpReq.log("info", line),
      progress: async (progress) => {
        if (token !== undefined) await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress, total: 100 } });
      },
      closeStream: () => ctx.http?.closeSSE?.(),
    });
  });
  server.setRequestHandler("resources/list", async () => ({ resources: RESOURCES }));
  server.setRequestHandler("resources/templates/list", async () => ({ resourceTemplates: RESOURCE_TEMPLATES }));
  server.setRequestHandler("resources/read", async (request) => readConformanceResource(request.params.uri));
  server.setRequestHandler("prompts/list", async () => ({ prompts: PROMPTS }));
  server.setRequestHandler("prompts/get", async (request) => getConformancePrompt(request.params.name, request.params.arguments ?? {}));
  server.setRequestHandler("completion/complete", async (request) => completeConformance(request.params.argument.value));
}
