// Where exec's prompt comes from: the argument, or stdin when it is `-` or absent and piped.
import type { IO } from "../context.ts";
import { UsageError } from "../errors.ts";

/** `words` are the positional arguments: several unquoted words make one prompt. */
export async function readPrompt(io: Pick<IO, "stdin" | "stdinIsTTY">, words: readonly string[]): Promise<string> {
  const fromStdin = words.length === 0 ? !io.stdinIsTTY && io.stdin !== undefined : words.length === 1 && words[0] === "-";
  if (!fromStdin) {
    if (words.length === 0) {
      throw new UsageError("exec needs a prompt", { hint: 'tether exec "PROMPT", or pipe it in: echo "PROMPT" | tether exec' });
    }
    const prompt = words.join(" ");
    if (prompt.trim() === "") throw new UsageError("the prompt is empty");
    return prompt;
  }
  if (!io.stdin) throw new UsageError("exec was asked to read the prompt from stdin, but there is none");
  const prompt = await readAll(io.stdin);
  if (prompt.trim() === "") throw new UsageError("the prompt on stdin is empty", { hint: 'tether exec "PROMPT"' });
  return prompt.replace(/\r?\n$/, "");
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
  }
  return text + decoder.decode();
}
