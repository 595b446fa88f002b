// Keeps the last N lines of a server's stderr in memory, so failures can show them
// without the server spraying over tether's own output.

export const DEFAULT_STDERR_LINES = 200;

export class LineRing {
  private readonly lines: string[] = [];
  private partial = "";

  constructor(private readonly capacity = DEFAULT_STDERR_LINES) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.add(line);
  }

  /** The kept lines, oldest first, including an unterminated last line. */
  snapshot(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }

  private add(line: string): void {
    this.lines.push(line.length > 2000 ? line.slice(0, 2000) + "…" : line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }
}
