// The MCP work behind `mcp resources`, `mcp read`, `mcp prompts` and `mcp prompt`: list what a
// server offers, read one resource, render one prompt, with local checks that turn a typo into a
// usage error before anything is sent.
import type { GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplateType as ResourceTemplate } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { ToolError, UsageError } from "../errors.ts";
import { closest } from "../suggest.ts";
import { readArgumentInput } from "./argument-files.ts";
import type { ArgumentPair } from "./coerce.ts";
import type { CallProgress, McpConnection } from "./connect.ts";
import { type ListedNames, rememberNames } from "./name-cache.ts";
import { openServer, type ServerRef } from "./operations.ts";

export interface ResourceListing {
  server: string;
  resources: Resource[];
  templates: ResourceTemplate[];
}

/** The server's resources, or with `templates` its resource templates; a server without the capability offers none. */
export async function listServerResources(ctx: Context, ref: ServerRef, options: { templates: boolean; keepAlive?: boolean }): Promise<ResourceListing> {
  const connection = await openServer(ctx, ref, { rememberTools: false, keepAlive: options.keepAlive });
  const name = connection.server.name;
  return listRemembered(ctx, connection, async (listed) => {
    if (!connection.capabilities()?.resources) return { server: name, resources: [], templates: [] };
    if (options.templates) return { server: name, resources: [], templates: await connection.listResourceTemplates() };
    const resources = await connection.listResources();
    listed.resources = resources.map((r) => r.uri);
    return { server: name, resources, templates: [] };
  });
}

export interface ResourceReadRequest {
  server: ServerRef;
  uri: string;
  /** --keep-alive / --no-keep-alive; undefined follows the server's keep_alive. */
  keepAlive?: boolean;
}

export interface ResourceRead {
  server: string;
  uri: string;
  result: ReadResourceResult;
}

/**
 * Reads one resource. The URI is sent as given: a server may serve URIs it does not list (a
 * template's instances, dynamic ones), so only the server can say "no" — and that is a runtime
 * error (exit 1) with a hint to list what it has.
 */
export async function readServerResource(ctx: Context, request: ResourceReadRequest, onProgress?: (update: CallProgress) => void): Promise<ResourceRead> {
  const name = typeof request.server === "string" ? request.server : request.server.name;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(request.uri)) {
    throw new UsageError(`"${request.uri}" is not a URI (expected scheme:..., e.g. file:///path)`, { hint: `see: tether mcp resources ${name}` });
  }
  const connection = await openServer(ctx, request.server, { keepAlive: request.keepAlive });
  requireCapability(connection, "resources");
  try {
    return { server: name, uri: request.uri, result: await connection.readResource(request.uri, { onProgress }) };
  } catch (error) {
    if (error instanceof ToolError) {
      throw new ToolError(error.message, { cause: error.cause, hint: `list what it has: tether mcp resources ${name} (and --templates)` });
    }
    throw error;
  }
}

export interface PromptListing {
  server: string;
  prompts: Prompt[];
}

export async function listServerPrompts(ctx: Context, ref: ServerRef, options: { keepAlive?: boolean } = {}): Promise<PromptListing> {
  const connection = await openServer(ctx, ref, { rememberTools: false, keepAlive: options.keepAlive });
  const name = connection.server.name;
  return listRemembered(ctx, connection, async (listed) => {
    if (!connection.capabilities()?.prompts) return { server: name, prompts: [] };
    const prompts = await connection.listPrompts();
    listed.prompts = prompts.map((p) => p.name);
    return { server: name, prompts };
  });
}

export interface PromptRequest {
  server: ServerRef;
  prompt: string;
  /** `--arg k=v` pairs, in order (`k=@PATH` / `k=@-` read a file / stdin). */
  args: string[];
  /** --keep-alive / --no-keep-alive; undefined follows the server's keep_alive. */
  keepAlive?: boolean;
}

export interface RenderedPrompt {
  server: string;
  prompt: Prompt;
  arguments: Record<string, string>;
  result: GetPromptResult;
}

/** Renders a prompt: an unknown name, an unknown or a missing required argument is a usage error (exit 2). */
export async function getServerPrompt(ctx: Context, request: PromptRequest, onProgress?: (update: CallProgress) => void): Promise<RenderedPrompt> {
  const { pairs } = await readArgumentInput(ctx, { args: request.args });
  const connection = await openServer(ctx, request.server, { rememberTools: false, keepAlive: request.keepAlive });
  return renderPrompt(ctx, connection, request.prompt, pairs, onProgress);
}

/** The steps of getServerPrompt over an open connection (exec's `--mcp-prompt` shares them). */
export async function renderPrompt(
  ctx: Context,
  connection: McpConnection,
  name: string,
  pairs: ReadonlyArray<ArgumentPair>,
  onProgress?: (update: CallProgress) => void,
): Promise<RenderedPrompt> {
  const prompts = await listRemembered(ctx, connection, async (listed) => {
    requireCapability(connection, "prompts");
    const prompts = await connection.listPrompts();
    listed.prompts = prompts.map((p) => p.name);
    return prompts;
  });
  const prompt = findPrompt(connection.server.name, prompts, name);
  const args = promptArguments(connection.server.name, prompt, pairs);
  return { server: connection.server.name, prompt, arguments: args, result: await connection.getPrompt(prompt.name, args, { onProgress }) };
}

function findPrompt(server: string, prompts: Prompt[], name: string): Prompt {
  const prompt = prompts.find((p) => p.name === name);
  if (prompt) return prompt;
  const names = prompts.map((p) => p.name);
  const near = closest(name, names);
  throw new UsageError(`server "${server}" has no prompt "${name}"`, {
    hint: near ? `did you mean "${near}"?` : `prompts: ${names.join(", ") || "(none)"}`,
  });
}

/** Prompt arguments are strings by the spec: check names and required ones, nothing to coerce. */
function promptArguments(server: string, prompt: Prompt, pairs: ReadonlyArray<ArgumentPair>): Record<string, string> {
  const declared = prompt.arguments ?? [];
  const names = declared.map((a) => a.name);
  const args = new Map<string, string>();
  for (const [key, value] of pairs) {
    if (!names.includes(key)) {
      const near = closest(key, names);
      throw new UsageError(`prompt "${prompt.name}" on server "${server}" has no argument "${key}"`, {
        hint: near ? `did you mean --arg ${near}=...?` : `arguments: ${names.join(", ") || "(none)"}`,
      });
    }
    args.set(key, value);
  }
  const missing = declared.filter((a) => a.required && !args.has(a.name)).map((a) => a.name);
  if (missing.length > 0) {
    throw new UsageError(`prompt "${prompt.name}" needs ${missing.map((m) => `--arg ${m}=...`).join(" ")}`, {
      hint: `see: tether mcp prompts ${server}`,
    });
  }
  return Object.fromEntries(args);
}

/**
 * Runs `list`, then records the names it filled in with the server's tools, in one cache write
 * (the tools alone when it fails). The tools are unchanged for exec, which recorded them already:
 * that write skips them.
 */
async function listRemembered<T>(ctx: Context, connection: McpConnection, list: (listed: ListedNames) => Promise<T>): Promise<T> {
  const listed: ListedNames = { tools: connection.tools.map((t) => t.name) };
  try {
    return await list(listed);
  } finally {
    rememberNames(ctx, connection.server, listed);
  }
}

function requireCapability(connection: McpConnection, kind: "resources" | "prompts"): void {
  if (connection.capabilities()?.[kind]) return;
  throw new UsageError(`server "${connection.server.name}" offers no ${kind}`);
}
