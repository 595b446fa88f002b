// A spinner on stderr while something slow runs; only on a TTY, so pipes and logs stay clean.
import type { IO } from "../context.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** `status` replaces the spinner's text (on a terminal only). */
export async function withSpinner<T>(io: IO, text: string, work: (status: (text: string) => void) => Promise<T>): Promise<T> {
  if (!io.stderrIsTTY) return work(() => {});
  let frame = 0;
  const draw = () => io.stderr.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
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
