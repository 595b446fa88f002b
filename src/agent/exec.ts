// `tether exec` as a service: resolve the model, read the prompt, connect the servers, run the loop.
import type { Context } from "../context.ts";
import type { ServerConfig, TetherConfig } from "../config/types.ts";
import { ConnectionError, TetherError } from "../errors.ts";
import type { McpConnection } from "../mcp/connect.ts";
import { ApprovalGate, type ApprovalPrompt } from "./approvals.ts";
import type { AgentObserver, RunSummary } from "./events.ts";
import { runAgent } from "./loop.ts";
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
  const prompt = await readPrompt(ctx.io, options.prompt);
  const connections = await connectServers(ctx, config.servers, view, observe);
  const toolset = new Toolset(connections.ok);
  observe({ type: "session.started", info: { model: target.model, provider: target.providerId, tools: toolset.names, failedServers: connections.failed } });
  const gate = new ApprovalGate({
    policy: config.approvalPolicy,
    yes: options.yes,
    approveTools: (name) => config.servers.find((server) => server.name === name)?.approveTools ?? [],
    prompt: view.approvalPrompt,
  });
  return runAgent(ctx, { target, prompt, toolset, gate, maxTurns: options.maxTurns ?? config.maxTurns, observe });
}

interface ConnectedServers {
  ok: McpConnection[];
  failed: { name: string; error: string }[];
}

/** Enabled servers in parallel; a failure is reported and left out, unless the server is required. */
async function connectServers(ctx: Context, servers: ServerConfig[], view: ExecView, observe: AgentObserver): Promise<ConnectedServers> {
  const enabled = servers.filter((server) => server.enabled);
  if (enabled.length === 0) return { ok: [], failed: [] };
  // The MCP SDK loads only when there is a server to talk to.
  const { connectAll } = await import("../mcp/connect-all.ts");
  const results = await view.connecting(enabled.length, () => connectAll(ctx, enabled));
  const connected: ConnectedServers = { ok: [], failed: [] };
  let requiredFailure: TetherError | undefined;
  for (const result of results) {
    if (result.status === "ok") connected.ok.push(result.connection);
    if (result.status !== "error") continue;
    if (result.server.required) {
      requiredFailure ??= requiredServerFailed(result.server, result.error);
      continue;
    }
    observe({ type: "server.failed", name: result.server.name, error: result.error });
    connected.failed.push({ name: result.server.name, error: result.error.message });
  }
  if (requiredFailure) throw requiredFailure;
  return connected;
}

/** Says why exec stops; other errors (a config error, exit 2) keep their own class and code. */
function requiredServerFailed(server: ServerConfig, error: TetherError): TetherError {
  if (!(error instanceof ConnectionError)) return error;
  return new ConnectionError(`${error.message} (server "${server.name}" is required, so exec stops)`, {
    hint: error.hint ?? `fix the server, or set required = false under [mcp_servers.${server.name}]`,
    cause: error,
    stderrTail: error.stderrTail,
  });
}
