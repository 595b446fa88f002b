// The terminal as the place where a server's questions are asked (elicitation forms, URL
// elicitations, sampling requests): one question at a time, however many servers ask at once,
// with the spinner held while a question is on screen.
import type { Context } from "../context.ts";
import { holdSpinner } from "./spinner.ts";
import { type LineReader, sharedLineReader } from "./views/approval-prompt.ts";

/** Writes the question to stderr and reads one line; undefined when stdin ended. */
export type Ask = (question: string) => Promise<string | undefined>;

export interface TerminalQuestions {
  /** Runs `work` after every earlier turn; `ask` is undefined when there is no terminal to ask on. */
  turn<T>(work: (ask: Ask | undefined) => Promise<T>): Promise<T>;
}

export function terminalQuestions(ctx: Context): TerminalQuestions {
  const interactive = ctx.io.stdinIsTTY && ctx.io.stderrIsTTY && ctx.io.stdin !== undefined;
  let lines: LineReader | undefined;
  ctx.atExit(() => lines?.close());
  const ask: Ask = async (question) => {
    ctx.io.stderr.write(question);
    lines ??= sharedLineReader(ctx.io.stdin!);
    return lines.next();
  };
  let queue = Promise.resolve();
  return {
    turn(work) {
      const run = queue.then(async () => {
        const release = holdSpinner(ctx.io);
        try {
          return await work(interactive ? ask : undefined);
        } finally {
          release();
        }
      });
      queue = run.then(
        () => {},
        () => {},
      );
      return run;
    },
  };
}
