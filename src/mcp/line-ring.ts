// Keeps the last N lines of a server's stderr in memory, so failures can show them
// without the server spraying over tether's own output. Both bounds hold whatever the server
// writes: a line without an end is cut at MAX_STDERR_LINE_CHARS and the rest skipped until its
// newline, so 100 MB of stderr without a newline costs 64 KiB, not a string of 100 MB.

export const DEFAULT_STDERR_LINES = 200;
/** The longest stderr line kept (characters); the rest of the line is dropped and marked. */
export const MAX_STDERR_LINE_CHARS = 64 * 1024;
export const TRUNCATED_MARK = " [line truncated]";

export class LineRing {
  private readonly lines: string[] = [];
  private partial = "";
  /** The current line went past the cap: skip to its end. */
  private truncated = false;

  constructor(
    private readonly capacity = DEFAULT_STDERR_LINES,
    private readonly maxLine = MAX_STDERR_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf("\n"); newline >= 0; newline = chunk.indexOf("\n", start)) {
      this.append(chunk.slice(start, newline));
      this.add(this.partial.endsWith("\r") ? this.partial.slice(0, -1) : this.partial, this.truncated);
      this.partial = "";
      this.truncated = false;
      start = newline + 1;
    }
    this.append(chunk.slice(start));
  }

  /** The kept lines, oldest first, including an unterminated last line. */
  snapshot(): string[] {
    if (!this.partial) return [...this.lines];
    return [...this.lines, this.truncated ? this.partial + TRUNCATED_MARK : this.partial];
  }

  private append(piece: string): void {
    if (this.truncated) return;
    const room = this.maxLine - this.partial.length;
    if (piece.length > room) {
      this.partial += piece.slice(0, room);
      this.truncated = true;
    } else {
      this.partial += piece;
    }
  }

  private add(line: string, truncated: boolean): void {
    this.lines.push(truncated ? line + TRUNCATED_MARK : line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }
}
