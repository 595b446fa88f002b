// How tether answers a server's elicitation: on a terminal it asks (each field with its title,
// type, default and choices); otherwise `--input k=v` / `--input-defaults` answer, and a form they
// cannot complete is declined with a note on stderr saying what was asked and how to answer it.
// `--yes` never answers an elicitation: it approves tool calls, it does not invent user data.
import type { ElicitRequestFormParams, ElicitRequestURLParams, ElicitResult } from "@modelcontextprotocol/client";
import type { ArgsDef } from "citty";
import type { ServerConfig } from "../config/types.ts";
import type { Context, IO } from "../context.ts";
import { UsageError } from "../errors.ts";
import {
  coerceFieldValue,
  describeField,
  type ElicitField,
  elicitFields,
  FieldValueError,
  parseInputPairs,
  type PresetAnswers,
  presetAnswers,
} from "../mcp/elicitation.ts";
import type { ServerRequestHandlers } from "../mcp/server-requests.ts";
import { terminalBlock, terminalLine, terminalText } from "../text/sanitize.ts";
import { repeatedFlag } from "./args.ts";
import { isOpenableUrl } from "./open-url.ts";
import { paint } from "./render.ts";
import type { Ask, TerminalQuestions } from "./terminal-questions.ts";

export const elicitationArgs = {
  input: { type: "string", description: "Answer a server's form field: key=value, coerced by its schema (repeatable)", valueHint: "k=v" },
  "input-defaults": { type: "boolean", description: "Answer a server's form fields with the defaults it gives" },
} as const satisfies ArgsDef;

/** What an answerer met that must fail the command after the call (an --input that fits no schema). */
export interface Elicitor {
  /** Throws the first invalid answer as a usage error (exit 2), if there was one. */
  check(): void;
}

/**
 * The run's answerer (asking through `questions`), for ctx.serverRequests. Call `check()` after
 * the work, before rendering, so an invalid `--input` is one usage error rather than a declined
 * form's result.
 */
export function answerElicitations(
  ctx: Context,
  questions: TerminalQuestions,
  rawArgs: readonly string[],
  inputDefaults: boolean | undefined,
): Elicitor & Pick<ServerRequestHandlers, "elicit"> {
  const preset: PresetAnswers = { inputs: parseInputPairs(repeatedFlag(rawArgs, "input")), useDefaults: inputDefaults === true };
  let failure: UsageError | undefined;
  return {
    elicit: (server, params) =>
      questions.turn(async (ask) => {
        try {
          if (params.mode === "url") return await answerUrl(ctx, server, params, ask);
          return await answerForm(ctx.io, server, params, preset, ask);
        } catch (error) {
          if (!(error instanceof FieldValueError)) throw error;
          failure ??= new UsageError(`--input ${error.message}`, { hint: "fix the value, or answer on a terminal" });
          return { action: "decline" } as const;
        }
      }),
    check() {
      if (failure) throw failure;
    },
  };
}


async function answerForm(io: IO, server: ServerConfig, params: ElicitRequestFormParams, preset: PresetAnswers, ask: Ask | undefined): Promise<ElicitResult> {
  const fields = elicitFields(params.requestedSchema);
  const { content, missing } = presetAnswers(fields, preset);
  const who = `server "${terminalText(server.name)}"`;
  if (!ask) {
    if (missing.length === 0 && (preset.inputs.size > 0 || preset.useDefaults)) {
      io.stderr.write(`${who} asked: ${terminalLine(params.message, 300)} — answered from ${answeredFrom(preset)}\n`);
      return { action: "accept", content: content as ElicitResult["content"] };
    }
    io.stderr.write(`${who} asked for input, and there is no terminal to ask on; declined:\n  ${terminalLine(params.message, 300)}\n`);
    for (const field of fields) io.stderr.write(`  - ${terminalText(describeField(field))}${field.description ? `: ${terminalLine(field.description, 300)}` : ""}\n`);
    const example = (missing.length > 0 ? missing : fields).map((f) => `--input ${f.name}=…`).join(" ");
    io.stderr.write(`  answer with: ${terminalText(example)}${fields.some((f) => f.default !== undefined) ? " (or --input-defaults)" : ""}\n`);
    return { action: "decline" };
  }
  io.stderr.write(`\n${paint(io, "bold", `${who} asks:`)} ${terminalBlock(params.message)}\n`);
  const start = await askChoice(ask, `  fill in the form (${paint(io, "bold", "y")}) / ${paint(io, "bold", "d")}ecline / ${paint(io, "bold", "c")}ancel: `, ["y", "d", "c"]);
  if (start !== "y") return { action: start === "d" ? "decline" : "cancel" };
  for (const field of fields) {
    if (field.name in content) continue;
    const answer = await askField(io, field, ask);
    if (answer === CANCELLED) return { action: "cancel" };
    if (answer !== undefined) content[field.name] = answer;
  }
  return { action: "accept", content: content as ElicitResult["content"] };
}

const CANCELLED = Symbol("cancelled");

/** Asks until the answer fits; empty takes the default, or skips an optional field. */
async function askField(io: IO, field: ElicitField, ask: Ask): Promise<unknown> {
  if (field.choices) {
    field.choices.forEach((c, i) => io.stderr.write(`    ${i + 1}. ${terminalText(c.title)}${c.title !== c.value ? ` (${terminalText(c.value)})` : ""}\n`));
  }
  const title = `${terminalText(field.title)}${field.description ? ` — ${terminalLine(field.description, 300)}` : ""}`;
  const hints = describeField(field).replace(/^[^(]*\(/, "(");
  for (;;) {
    const line = await ask(`  ${paint(io, "bold", title)} ${terminalText(hints)}: `);
    if (line === undefined) {
      io.stderr.write("\n");
      return CANCELLED;
    }
    if (line.trim() === "") {
      if (field.default !== undefined) return field.default;
      if (!field.required) return undefined;
      io.stderr.write("    required\n");
      continue;
    }
    try {
      return coerceFieldValue(field, numbered(field, line));
    } catch (error) {
      if (!(error instanceof FieldValueError)) throw error;
      io.stderr.write(`    ${terminalText(error.message)}\n`);
    }
  }
}

/** Choices may be answered by their number in the list (`2`, or `1,3` for several). */
function numbered(field: ElicitField, line: string): string {
  const choices = field.choices;
  if (!choices) return line;
  return line
    .split(",")
    .map((part) => {
      const n = Number(part.trim());
      return Number.isInteger(n) && n >= 1 && n <= choices.length ? choices[n - 1]!.value : part.trim();
    })
    .join(",");
}

async function askChoice<T extends string>(ask: Ask, question: string, answers: T[]): Promise<T | "c"> {
  for (;;) {
    const line = await ask(question);
    if (line === undefined) return "c";
    const answer = line.trim().toLowerCase().slice(0, 1) as T;
    if (answers.includes(answer)) return answer;
  }
}

/**
 * URL mode: show where and why, ask before opening a browser. The URL is opened as the server sent
 * it (https, or http to a loopback host), with nothing of ours added: no token or credential ever goes into it.
 */
async function answerUrl(ctx: Context, server: ServerConfig, params: ElicitRequestURLParams, ask: Ask | undefined): Promise<ElicitResult> {
  const io = ctx.io;
  const who = `server "${terminalText(server.name)}"`;
  io.stderr.write(`${who} asks you to open a page: ${terminalLine(params.message, 300)}\n  ${terminalText(params.url)}\n`);
  // The opener's own rule: asking about a URL it would not open, then answering "accept", would
  // tell the server the user went there.
  if (!isOpenableUrl(params.url)) {
    io.stderr.write("  declined: only https URLs (or http to this machine) are opened\n");
    return { action: "decline" };
  }
  if (!ask) {
    io.stderr.write("  declined: there is no terminal to ask on; open the URL yourself if you trust it, then run the command again\n");
    return { action: "decline" };
  }
  const answer = await askChoice(ask, `  open it in your browser? ${paint(io, "bold", "y")}es / ${paint(io, "bold", "n")}o / ${paint(io, "bold", "c")}ancel: `, ["y", "n", "c"]);
  if (answer !== "y") return { action: answer === "n" ? "decline" : "cancel" };
  await ctx.openUrl(params.url).catch(() => io.stderr.write("  could not open a browser; open the URL above yourself\n"));
  return { action: "accept" };
}

function answeredFrom(preset: PresetAnswers): string {
  return [preset.inputs.size > 0 ? "--input" : "", preset.useDefaults ? "--input-defaults" : ""].filter(Boolean).join(" and ");
}

