// The y/a/n/q approval prompt of `tether exec` on a terminal.
import { parseApprovalAnswer, type ApprovalAnswer, type ApprovalPrompt, type ApprovalRequest, type ToolHint } from "../../agent/approvals.ts";
import type { IO } from "../../context.ts";
import { terminalText } from "../../text/sanitize.ts";
import { paint } from "../render.ts";

/**
 * Asks on stderr, reads a line from the terminal. Line mode, not raw keys: the terminal stays
 * cooked, so Ctrl-C still raises SIGINT (exit 130) while tether waits for an answer.
 */
export class TerminalApprovalPrompt implements ApprovalPrompt {
  private lines?: LineReader;

  constructor(
    private readonly io: IO,
    private readonly input: NodeJS.ReadableStream,
    private readonly beforeAsk: () => void,
  ) {}

  async ask(request: ApprovalRequest): Promise<ApprovalAnswer> {
    this.beforeAsk();
    this.lines ??= sharedLineReader(this.input);
    const where = request.server === "" ? "every server" : `server "${terminalText(request.server)}"`;
    const hints = request.hints.length > 0 ? ` ${hintLabels(this.io, request.hints)}` : "";
    const question = `  allow ${terminalText(request.tool)} on ${where}${hints}? ${paint(this.io, "bold", "y")}es / ${paint(this.io, "bold", "a")}lways this session / ${paint(this.io, "bold", "n")}o / ${paint(this.io, "bold", "q")}uit: `;
    for (;;) {
      this.io.stderr.write(question);
      const line = await this.lines.next();
      if (line === undefined) {
        // End of input (Ctrl-D): nobody is left to answer.
        this.io.stderr.write("\n");
        return "quit";
      }
      const answer = parseApprovalAnswer(line);
      if (answer) return answer;
      this.io.stderr.write("  please answer y, a, n or q\n");
    }
  }

  close(): void {
    this.lines?.close();
  }
}

/** `[read-only, open-world]`, destructive in red: what the server says the tool does. */
function hintLabels(io: IO, hints: readonly ToolHint[]): string {
  return `[${hints.map((hint) => (hint === "destructive" ? paint(io, "red", hint) : hint)).join(", ")}]`;
}

const readers = new WeakMap<NodeJS.ReadableStream, LineReader>();

/**
 * The one line reader of a stream: the approval prompt and the elicitation form both read the
 * terminal, and two readline interfaces on one stream would each receive every line.
 */
export function sharedLineReader(input: NodeJS.ReadableStream): LineReader {
  let reader = readers.get(input);
  if (!reader) readers.set(input, (reader = new LineReader(input)));
  return reader;
}

/** Lines from a stream, one per next(); undefined at end of input. */
export class LineReader {
  private readonly queued: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private ended = false;
  private readonly reader;

  constructor(input: NodeJS.ReadableStream) {
    // Required on first use, not imported: node:readline costs milliseconds at start-up, and most
    // commands that could ask never do.
    const { createInterface } = require("node:readline") as typeof import("node:readline");
    this.reader = createInterface({ input, terminal: false, crlfDelay: Infinity });
    this.reader.on("line", (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.queued.push(line);
    });
    this.reader.on("close", () => {
      this.ended = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
  }

  next(): Promise<string | undefined> {
    if (this.queued.length > 0) return Promise.resolve(this.queued.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.reader.close();
  }
}

