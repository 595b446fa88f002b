// `tether exec` as a service: resolve the model, read the prompt, connect the servers, run the loop.
import { join } from "node:path";
import type { Context } from "../context.ts";
import type { ServerConfig, TetherConfig } from "../config/types.ts";
import { autoApprovesReadOnly, disabledServer } from "../config/servers.ts";
import { type ServerSelection, selectServers } from "../config/adhoc.ts";
import { ConnectionError, TetherError, UsageError } from "../errors.ts";
import type { McpConnection } from "../mcp/connect.ts";
import { readArgumentInput } from "../mcp/argument-files.ts";
import type { ArgumentPair } from "../mcp/coerce.ts";
import type { JsonObject } from "./responses-events.ts";
import { ApprovalGate, type ApprovalPrompt } from "./approvals.ts";
import type { AgentObserver, FailedServer, RunSummary, SessionInfo } from "./events.ts";
import { runAgent } from "./loop.ts";
import { runAttributes } from "./span-attributes.ts";
import { readPrompt } from "./prompt.ts";
import { resolveModelTarget } from "./provider.ts";
import { Toolset } from "./tools.ts";

export interface ExecOptions {
  /** Positional words; none or `-` reads stdin. */
  prompt: string[];
  model?: string;
  yes: boolean;
  /** Overrides config's `max_turns`. */
  maxTurns?: number;
  /** `--mcp-prompt SERVER/PROMPT` with its `--arg k=v` pairs: the conversation starts with that prompt. */
  mcpPrompt?: { server: string; prompt: string; args: string[] };
  /** `--mcp`, `--url`, `--stdio`: only these servers (configured or ad hoc); undefined: every enabled one. */
  servers?: ServerSelection;
}

/** How the run meets its user beyond the events it observes: how it waits, whom it asks. */
export interface ExecView {
  /** Wraps connecting to the servers (a spinner on a terminal). */
  connecting<T>(servers: number, work: () => Promise<T>): Promise<T>;
  /** Undefined when there is no terminal to ask on. */
  approvalPrompt?: ApprovalPrompt;
}

export async function runExec(
  ctx: Context,
  config: TetherConfig,
  options: ExecOptions,
  view: ExecView,
  observe: AgentObserver,
): Promise<RunSummary> {
  const target = resolveModelTarget(ctx.env, config, options.model);
  // Traces (issue 23): a bad trace_exporter is a config error before anything connects.
  const tracer = await ctx.tracing.tracer();
  const servers = options.servers ? await selectServers(ctx, options.servers) : config.servers;
  const mcpPrompt = options.mcpPrompt && (await checkPromptRequest(ctx, servers, options.mcpPrompt, options.prompt));
  // With --mcp-prompt the user's own words are optional: the server's prompt may be the whole task.
  const prompt = mcpPrompt && options.prompt.length === 0 ? undefined : await readPrompt(ctx.io, options.prompt);
  tracer.annotate(runAttributes(target, prompt, config.otel.logUserPrompt));
  reportElicitations(ctx, observe);
  const changedTools = new Set<string>();
  const onListChanged = (server: string) => void changedTools.add(server);
  const connections = await connectServers(ctx, servers, view, observe, { mustConnect: mcpPrompt?.server, onListChanged });
  const conversation = mcpPrompt ? await loadPrompt(ctx, connections.ok, mcpPrompt, observe) : undefined;
  const toolset = new Toolset(connections.ok, changedTools);
  const serverConfig = (name: string) => servers.find((server) => server.name === name);
  const gate = new ApprovalGate({
    policy: config.approvalPolicy,
    yes: options.yes,
    approveTools: (name) => serverConfig(name)?.approveTools ?? [],
    autoApproveReadOnly: (name) => autoApprovesReadOnly(serverConfig(name), config),
    prompt: view.approvalPrompt,
  });
  observe({
    type: "session.started",
    info: {
      model: target.model,
      provider: target.providerId,
      tools: toolset.names,
      failedServers: connections.failed,
      readOnlyUnasked: readOnlyUnasked(toolset, gate),
    },
  });
  return runAgent(ctx, {
    target,
    prompt,
    conversation,
    toolset,
    gate,
    maxTurns: options.maxTurns ?? config.maxTurns,
    toolOutput: { maxBytes: config.toolOutputMaxBytes, dir: join(ctx.paths.home, "outputs") },
    observe,
    tracer,
  });
}

/** The servers whose tools run unasked because the server marks them read-only (said once, before the run). */
function readOnlyUnasked(toolset: Toolset, gate: ApprovalGate): SessionInfo["readOnlyUnasked"] {
  const byServer = new Map<string, string[]>();
  for (const name of toolset.names) {
    const binding = toolset.resolve(name);
    if (binding?.kind !== "mcp" || !gate.runsUnaskedAsReadOnly({ server: binding.server, tool: binding.tool.name, hints: binding.hints })) continue;
    byServer.set(binding.server, [...(byServer.get(binding.server) ?? []), binding.tool.name]);
  }
  return [...byServer].map(([server, tools]) => ({ server, tools }));
}

interface PromptRequest {
  server: string;
  prompt: string;
  pairs: ArgumentPair[];
}

/**
 * What can be checked before connecting: the server exists and is on, the --arg pairs are k=v and
 * their files (`k=@PATH`, `k=@-`) are read; stdin is the prompt's or one argument's, not both.
 */
async function checkPromptRequest(ctx: Context, servers: ServerConfig[], request: NonNullable<ExecOptions["mcpPrompt"]>, words: readonly string[]): Promise<PromptRequest> {
  const server = servers.find((s) => s.name === request.server);
  if (!server) {
    throw new UsageError(`--mcp-prompt: no server named "${request.server}"`, {
      hint: `servers: ${servers.map((s) => s.name).join(", ") || "(none; add one with tether mcp add)"}`,
    });
  }
  if (!server.enabled) throw disabledServer(server.name, "--mcp-prompt");
  const fromStdin = request.args.find((pair) => pair.slice(pair.indexOf("=") + 1) === "@-");
  if (fromStdin && words.length === 1 && words[0] === "-") {
    throw new UsageError(`only one can read stdin, got the prompt (-) and --arg ${fromStdin}`, { hint: "put the argument in a file: --arg k=@PATH" });
  }
  const { pairs } = await readArgumentInput(ctx, { args: request.args });
  return { server: request.server, prompt: request.prompt, pairs };
}

/** The server prompt's messages as the run's first input items; an unknown prompt or a missing argument is a usage error. */
async function loadPrompt(ctx: Context, connections: McpConnection[], request: PromptRequest, observe: AgentObserver): Promise<JsonObject[]> {
  const connection = connections.find((c) => c.server.name === request.server)!;
  const [{ renderPrompt }, { promptInput }] = await Promise.all([import("../mcp/resources.ts"), import("./prompt-messages.ts")]);
  const rendered = await renderPrompt(ctx, connection, request.prompt, request.pairs);
  observe({ type: "prompt.loaded", server: request.server, prompt: rendered.prompt.name, messages: rendered.result.messages.length });
  return promptInput(rendered.result.messages);
}

/** Elicitations as events (server, mode, the action taken; never the answers), around whoever answers them. */
function reportElicitations(ctx: Context, observe: AgentObserver): void {
  const answerer = ctx.serverRequests;
  ctx.serverRequests = {
    ...answerer,
    async elicit(server, params) {
      const info = { server: server.name, mode: params.mode === "url" ? ("url" as const) : ("form" as const) };
      observe({ type: "elicitation", phase: "requested", info });
      const result = await answerer.elicit(server, params);
      observe({ type: "elicitation", phase: "answered", info: { ...info, action: result.action } });
      return result;
    },
  };
}

interface ConnectedServers {
  ok: McpConnection[];
  failed: FailedServer[];
}

interface ConnectPlan {
  /** The --mcp-prompt server: exec cannot start without it. */
  mustConnect?: string;
  onListChanged(server: string): void;
}

/** Enabled servers in parallel; a failure is reported and left out, unless the server is required. */
async function connectServers(ctx: Context, servers: ServerConfig[], view: ExecView, observe: AgentObserver, plan: ConnectPlan): Promise<ConnectedServers> {
  const enabled = servers.filter((server) => server.enabled);
  if (enabled.length === 0) return { ok: [], failed: [] };
  // The MCP SDK loads only when there is a server to talk to.
  const { connectAll } = await import("../mcp/connect-all.ts");
  const results = await view.connecting(enabled.length, () =>
    connectAll(ctx, enabled, (server) => ({ onListChanged: (kind) => kind === "tools" && plan.onListChanged(server.name) }), { keepAlive: true }),
  );
  const connected: ConnectedServers = { ok: [], failed: [] };
  let requiredFailure: TetherError | undefined;
  for (const result of results) {
    if (result.status === "ok") connected.ok.push(result.connection);
    if (result.status !== "error") continue;
    if (result.server.name === plan.mustConnect) {
      requiredFailure ??= stopsExec(result.error, `--mcp-prompt needs server "${result.server.name}"`);
      continue;
    }
    if (result.server.required) {
      requiredFailure ??= stopsExec(result.error, `server "${result.server.name}" is required`, `fix the server, or set required = false under [mcp_servers.${result.server.name}]`);
      continue;
    }
    observe({ type: "server.failed", name: result.server.name, error: result.error });
    connected.failed.push({ name: result.server.name, error: result.error.message, ...(result.error.hint ? { hint: result.error.hint } : {}) });
  }
  if (requiredFailure) throw requiredFailure;
  return connected;
}

/**
 * A server exec cannot run without did not connect: the error says why it was needed. Other
 * errors (a config error, exit 2) keep their own class and code.
 */
function stopsExec(error: TetherError, why: string, hint?: string): TetherError {
  if (!(error instanceof ConnectionError)) return error;
  return new ConnectionError(`${error.message} (${why}, so exec stops)`, { hint: error.hint ?? hint, cause: error, stderrTail: error.stderrTail });
}
