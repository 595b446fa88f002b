// Reads lines from stdin while a login waits, for the headless case: the user pastes the redirect URL
// that failed to load on the machine with the browser.
import { createInterface, type Interface } from "node:readline";

export interface PasteReader {
  close(): void;
}

/** Calls `onLine` for each line of `input` until closed; an input that ends just stops. */
export function readPastedLines(input: NodeJS.ReadableStream | undefined, onLine: (line: string) => void): PasteReader {
  if (!input) return { close: () => {} };
  const lines: Interface = createInterface({ input, terminal: false });
  lines.on("line", onLine);
  return {
    close: () => {
      lines.close();
      // readline resumed stdin; pause it again so it does not keep the process alive.
      (input as NodeJS.ReadableStream & { pause?: () => void }).pause?.();
    },
  };
}
