// The rest of what servers send a run, beside elicitation (./elicitation.ts): roots (`--root`,
// else config), sampling (config's `sampling` policy: off, ask on a terminal, auto) and log lines
// at or above `--log-level`. Registered on ctx.serverRequests before any connection opens.
import type { CreateMessageRequestParams, CreateMessageResult, LoggingLevel, LoggingMessageNotificationParams } from "@modelcontextprotocol/client";
import type { ArgsDef, ParsedArgs } from "citty";
import type { ServerConfig } from "../config/types.ts";
import type { Context, IO } from "../context.ts";
import { TetherError, UsageError } from "../errors.ts";
import { rootsFor } from "../mcp/roots.ts";
import { LOG_LEVELS } from "../mcp/server-requests.ts";
import type { SamplingRecord, SamplingTelemetry } from "../telemetry/sampling-events.ts";
import { terminalBlock, terminalLine, terminalText } from "../text/sanitize.ts";
import { repeatedFlag } from "./args.ts";
import { note, paint } from "./render.ts";
import { answerElicitations, type Elicitor, elicitationArgs } from "./elicitation.ts";
import { type Ask, type TerminalQuestions, terminalQuestions } from "./terminal-questions.ts";

export const serverRequestArgs = {
  ...elicitationArgs,
  root: { type: "string", description: "Offer this directory to servers as a root (repeatable; wins over config's roots)", valueHint: "DIR" },
  "log-level": { type: "string", description: `Show server log messages at or above this level on stderr (${LOG_LEVELS.join("|")}; default warning)`, valueHint: "LEVEL" },
} as const satisfies ArgsDef;

const DEFAULT_LOG_LEVEL: LoggingLevel = "warning";
/** The most characters of one server log line shown. */
const MAX_LOG_LINE = 500;
/** The most characters of each sampling message shown when asking. */
const MAX_SHOWN_MESSAGE = 2_000;

/**
 * Registers how the run answers what servers send it: elicitation (--input, --input-defaults, or
 * the terminal), roots (--root, else config), sampling (config's policy) and log lines at or above
 * --log-level; elicitation and sampling questions share the terminal, one at a time. Call before
 * opening connections; call the returned `check()` after the work (an invalid --input fails then).
 * `args` are the command's parsed arguments (it spreads serverRequestArgs into its own); the
 * repeatable --input and --root are read from `rawArgs`.
 */
export function answerServerRequests(ctx: Context, args: ServerRequestFlags, rawArgs: readonly string[]): ServerRequestsRun {
  const level = parseLogLevel(args["log-level"]);
  const flagRoots = repeatedFlag(rawArgs, "root");
  const questions = terminalQuestions(ctx);
  const elicitor = answerElicitations(ctx, questions, rawArgs, args["input-defaults"]);
  // Sampling records go to the command's telemetry when it has one (exec), else to a sink of their own.
  let telemetry: Promise<SamplingTelemetry> | undefined;
  const record = async (r: SamplingRecord) => {
    const { config } = await ctx.config();
    telemetry ??= import("../telemetry/sampling-events.ts").then(({ startSamplingTelemetry }) =>
      startSamplingTelemetry(ctx, config, (message) => note(ctx.io, `${paint(ctx.io, "yellow", "warning:")} ${message}`)),
    );
    (await telemetry)(r);
  };
  ctx.serverRequests = {
    elicit: elicitor.elicit,
    async listRoots(server) {
      return rootsFor(ctx, server, (await ctx.config()).config, flagRoots);
    },
    sample: (server, params) => answerSampling(ctx, server, params, record, questions),
    log: { level, write: (server, params) => writeServerLog(ctx.io, server, params) },
  };
  return {
    check: () => elicitor.check(),
    recordSamplingWith(sampling) {
      telemetry = Promise.resolve(sampling);
    },
  };
}

/** The single-valued flags of serverRequestArgs, as citty parses them. */
type ServerRequestFlags = Partial<Pick<ParsedArgs<typeof serverRequestArgs>, "input-defaults" | "log-level">>;

/** What a command does with the run's answerers after the work. */
export interface ServerRequestsRun extends Elicitor {
  /** Sampling records go to this (the command's own telemetry) instead of a sink of their own. */
  recordSamplingWith(sampling: SamplingTelemetry): void;
}

function parseLogLevel(value: string | undefined): LoggingLevel {
  if (value === undefined) return DEFAULT_LOG_LEVEL;
  const level = value.trim().toLowerCase() as LoggingLevel;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level wants one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(value)}`);
  return level;
}

/** One line per log message, naming the server: `server "fx" [warning] logger: text`. */
function writeServerLog(io: IO, server: ServerConfig, params: LoggingMessageNotificationParams): void {
  const data = typeof params.data === "string" ? params.data : JSON.stringify(params.data) ?? "";
  const logger = params.logger ? ` ${terminalLine(params.logger, 80)}` : "";
  // On a terminal, clear the spinner's line first; it redraws on its next frame.
  io.stderr.write(`${io.stderrIsTTY ? "\r\u001b[2K" : ""}server "${terminalText(server.name)}" [${terminalLine(params.level, 20)}]${logger}: ${terminalLine(data, MAX_LOG_LINE)}\n`);
}


const NO_TERMINAL = Symbol("no terminal");

async function answerSampling(
  ctx: Context,
  server: ServerConfig,
  params: CreateMessageRequestParams,
  record: (r: SamplingRecord) => Promise<void>,
  questions: TerminalQuestions,
): Promise<CreateMessageResult> {
  const { config } = await ctx.config();
  const { samplingMaxTokens, sampleModel, contentBlocks } = await import("../agent/sampling.ts");
  const policy = server.sampling ?? config.sampling;
  const who = `server "${terminalText(server.name)}"`;
  const maxTokens = samplingMaxTokens(params);
  const prompt = params.messages.map((m) => `${m.role}: ${contentBlocks(m.content).map((b) => b.text ?? `[${b.type}]`).join(" ")}`).join("\n");
  const base = { server: server.name, maxTokens, prompt };
  const refuse = async (decision: SamplingRecord["decision"], why: string, hint?: string): Promise<never> => {
    ctx.io.stderr.write(`${who} asked to use the model (sampling); declined: ${why}\n${hint ? `  ${hint}\n` : ""}`);
    await record({ ...base, decision });
    throw new TetherError(`tether declined the sampling request: ${why}`);
  };
  if (policy === "off") {
    return refuse("off", "sampling is off", `allow it with sampling = "ask" (or "auto") under [mcp_servers.${server.name}] or at the top of config.toml`);
  }
  let decision: SamplingRecord["decision"] = "auto";
  if (policy === "ask") {
    const answer = await questions.turn(async (ask) => (ask ? askToSample(ctx.io, who, params, maxTokens, ask, contentBlocks) : NO_TERMINAL));
    if (answer === NO_TERMINAL) {
      return refuse("no_terminal", "there is no terminal to ask on", `to allow it without asking, set sampling = "auto" under [mcp_servers.${server.name}]`);
    }
    if (answer !== true) return refuse("denied", answer === false ? "the user said no" : "no answer");
    decision = "approved";
  }
  const started = ctx.now();
  try {
    const sampled = await sampleModel(ctx, config, params, maxTokens);
    await record({ ...base, decision, inputTokens: sampled.usage?.inputTokens, outputTokens: sampled.usage?.outputTokens, durationMs: ctx.now() - started });
    return sampled.result;
  } catch (error) {
    await record({ ...base, decision, durationMs: ctx.now() - started, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** Shows the request and asks y/N (empty is no); undefined when stdin ended. */
async function askToSample(
  io: IO,
  who: string,
  params: CreateMessageRequestParams,
  maxTokens: number,
  ask: Ask,
  contentBlocks: (content: unknown) => { type: string; text?: string; mimeType?: string }[],
): Promise<boolean | undefined> {
  const shown: string[] = [`\n${paint(io, "bold", `${who} asks to use the model (sampling):`)}`];
  if (params.systemPrompt) shown.push(`  system: ${clip(terminalBlock(params.systemPrompt))}`);
  for (const message of params.messages) {
    const text = contentBlocks(message.content)
      .map((block) => (block.type === "text" ? (block.text ?? "") : `[${block.type}${block.mimeType ? ` ${block.mimeType}` : ""}]`))
      .join(" ");
    shown.push(`  ${terminalText(message.role)}: ${clip(terminalBlock(text))}`);
  }
  const capped = params.maxTokens > maxTokens ? ` (the server asked for ${params.maxTokens})` : "";
  shown.push(`  max tokens: ${maxTokens}${capped}`);
  io.stderr.write(`${shown.join("\n")}\n`);
  for (;;) {
    const line = await ask(`  send it to the model? ${paint(io, "bold", "y")}es / ${paint(io, "bold", "N")}o: `);
    if (line === undefined) return undefined;
    const answer = line.trim().toLowerCase();
    if (answer === "" || answer.startsWith("n")) return false;
    if (answer.startsWith("y")) return true;
  }
}

function clip(text: string): string {
  return text.length > MAX_SHOWN_MESSAGE ? `${text.slice(0, MAX_SHOWN_MESSAGE)}… (${text.length - MAX_SHOWN_MESSAGE} more characters)` : text;
}
