// A spinner on stderr while something slow runs; only on a TTY, so pipes and logs stay clean.
import type { IO } from "../context.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Streams whose spinner is on hold: a question is being asked on that terminal. */
const held = new WeakMap<IO, number>();

/**
 * Stops the spinner drawing on `io` (and clears its line) until the returned function is called:
 * a prompt for an elicitation must not be overdrawn 80 ms later.
 */
export function holdSpinner(io: IO): () => void {
  held.set(io, (held.get(io) ?? 0) + 1);
  if (io.stderrIsTTY) io.stderr.write("\r\u001b[2K");
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.set(io, (held.get(io) ?? 1) - 1);
  };
}

/** `status` replaces the spinner's text (on a terminal only). */
export async function withSpinner<T>(io: IO, text: string, work: (status: (text: string) => void) => Promise<T>): Promise<T> {
  if (!io.stderrIsTTY) return work(() => {});
  let frame = 0;
  const draw = () => {
    if (!held.get(io)) io.stderr.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await work((next) => {
      text = next;
      draw();
    });
  } finally {
    clearInterval(timer);
    io.stderr.write("\r\u001b[2K");
  }
}
