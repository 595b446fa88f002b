// `tether exec`: run the agent loop on a prompt, with the configured MCP servers' tools.
import type { ParsedArgs } from "citty";
import type { ExecOptions } from "../../agent/exec.ts";
import { checkServerSelection, type ServerSelection } from "../../config/adhoc.ts";
import type { Context } from "../../context.ts";
import { UsageError } from "../../errors.ts";
import { jsonArg, repeatedFlag } from "../args.ts";
import { answerServerRequests, serverRequestArgs } from "../server-requests.ts";
import { tetherCommand } from "../command.ts";
import { note, paint } from "../render.ts";
import { createExecView } from "../views/exec.ts";
import { fanOut } from "../../agent/events.ts";

export const execArgs = {
  prompt: { type: "positional", required: false, description: "The prompt; '-' or none reads it from stdin", valueHint: "PROMPT" },
  model: { type: "string", alias: "m", description: "Use this model instead of config's model", valueHint: "MODEL" },
  yes: { type: "boolean", alias: "y", description: "Approve every tool call without asking" },
  "max-turns": { type: "string", description: "Stop after this many model requests (default: max_turns, else 20)", valueHint: "N" },
  "mcp-prompt": { type: "string", description: "Start with a server's prompt; PROMPT is then optional", valueHint: "SERVER/PROMPT" },
  arg: { type: "string", description: "An argument of the --mcp-prompt prompt: k=v; k=@FILE reads a file, k=@- stdin, @@ escapes @ (repeatable)", valueHint: "k=v" },
  // Ad-hoc servers (src/config/adhoc.ts): with --mcp, --url or --stdio only the servers named are used.
  mcp: { type: "string", description: "Use this server: a configured NAME or a URL (repeatable; then only the servers named)", valueHint: "NAME|URL" },
  stdio: { type: "string", description: "Also start this server, not configured (repeatable; split like a shell, never run by one)", valueHint: "'CMD ARGS'" },
  url: { type: "string", description: "Also use this streamable HTTP server, not configured (repeatable)", valueHint: "URL" },
  header: { type: "string", description: "HTTP header 'K: V' for the one ad-hoc URL server (repeatable)", valueHint: "'K: V'" },
  "bearer-token-env-var": { type: "string", description: "Env var holding the bearer token for the one ad-hoc URL server", valueHint: "VAR" },
  env: { type: "string", description: "Environment variable K=V for the --stdio servers (repeatable)", valueHint: "K=V" },
  ...serverRequestArgs,
  ...jsonArg,
} as const;

export default (ctx: Context) =>
  tetherCommand({
    path: "tether exec",
    description: "Ask a model, letting it call your MCP tools (approval per call)",
    // The prompt may come unquoted: `tether exec add two numbers`.
    variadic: true,
    args: execArgs,
    async run(args, rawArgs) {
      const options = toExecOptions(args, rawArgs);
      // --yes approves tool calls only; forms a server sends are answered by the user or --input.
      const requests = answerServerRequests(ctx, args, rawArgs);
      const { config } = await ctx.config();
      // Loaded here, not at the top: `tether --help` should not pay for the agent's modules.
      const [{ runExec }, { startAgentTelemetry }] = await Promise.all([
        import("../../agent/exec.ts"),
        import("../../telemetry/agent-telemetry.ts"),
      ]);
      const warn = (message: string) => note(ctx.io, `${paint(ctx.io, "yellow", "warning:")} ${message}`);
      const telemetry = await startAgentTelemetry(ctx, config, { model: options.model, warn });
      if (telemetry) requests.recordSamplingWith(telemetry.sampling);
      const { knownSecrets } = await import("../../config/secrets.ts");
      const view = createExecView(ctx, { json: Boolean(args.json), secrets: knownSecrets(ctx.env, config) });
      await runExec(ctx, config, options, view, fanOut(view.observe, telemetry?.observer));
      requests.check();
    },
  });

/** The ad-hoc and chosen servers, or undefined (every enabled configured server) when no flag names one. */
function serverSelection(args: ParsedArgs<typeof execArgs>, rawArgs: readonly string[]): ServerSelection | undefined {
  const selection: ServerSelection = {
    mcp: repeatedFlag(rawArgs, "mcp"),
    urls: repeatedFlag(rawArgs, "url"),
    stdio: repeatedFlag(rawArgs, "stdio"),
    headers: repeatedFlag(rawArgs, "header"),
    bearerTokenEnvVar: args["bearer-token-env-var"],
    env: repeatedFlag(rawArgs, "env"),
  };
  const given = Object.values(selection).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));
  if (given) checkServerSelection(selection);
  return given ? selection : undefined;
}

/** argv → options, with the flag checks citty leaves to us; `rawArgs` for the repeatable --arg. */
export function toExecOptions(args: ParsedArgs<typeof execArgs>, rawArgs: readonly string[] = []): ExecOptions {
  const options: ExecOptions = { prompt: args._.map(String), model: args.model, yes: Boolean(args.yes) };
  const promptArgs = repeatedFlag(rawArgs, "arg");
  const mcpPrompt = args["mcp-prompt"];
  if (mcpPrompt !== undefined) {
    const slash = mcpPrompt.indexOf("/");
    if (slash <= 0 || slash === mcpPrompt.length - 1) {
      throw new UsageError(`--mcp-prompt wants SERVER/PROMPT, got ${JSON.stringify(mcpPrompt)}`, { hint: "see a server's prompts: tether mcp prompts SERVER" });
    }
    options.mcpPrompt = { server: mcpPrompt.slice(0, slash), prompt: mcpPrompt.slice(slash + 1), args: promptArgs };
  } else if (promptArgs.length > 0) {
    throw new UsageError("--arg is for the prompt of --mcp-prompt SERVER/PROMPT");
  }
  options.servers = serverSelection(args, rawArgs);
  const maxTurns = args["max-turns"];
  if (maxTurns !== undefined) {
    const n = Number(maxTurns);
    if (!/^\d+$/.test(maxTurns.trim()) || n < 1) {
      throw new UsageError(`--max-turns wants a whole number of at least 1, got ${JSON.stringify(maxTurns)}`);
    }
    options.maxTurns = n;
  }
  if (options.model !== undefined && options.model.trim() === "") throw new UsageError("--model needs a model name");
  return options;
}
