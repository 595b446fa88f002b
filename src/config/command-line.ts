// `--stdio "CMD ARGS"` → argv, split the way a POSIX shell splits words, without a shell: quotes and
// backslashes group and escape, and nothing is expanded ($VAR, ~, globs, `…`), so the text cannot
// run anything but the one program it names.
import { UsageError } from "../errors.ts";

/** Inside double quotes a backslash escapes only these (as in sh); elsewhere it stays a backslash. */
const DOUBLE_QUOTE_ESCAPES = new Set(['"', "\\", "$", "`", "\n"]);

/**
 * Words of `text`: whitespace separates; '…' is literal; "…" is literal but for \" \\ \$ \`; a
 * backslash outside quotes takes the next character as it is (a backslash-newline joins lines).
 * `flag` names the option in errors.
 */
export function splitCommandLine(text: string, flag = "--stdio"): string[] {
  const words: string[] = [];
  let word = "";
  // A word exists once anything was written to it, even '' (an empty argument).
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length && DOUBLE_QUOTE_ESCAPES.has(text[i + 1]!)) {
        const next = text[++i]!;
        if (next !== "\n") word += next;
      } else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= text.length) throw new UsageError(`${flag}: the command ends in a lone backslash`, { hint: "write \\\\ for a backslash" });
      const next = text[++i]!;
      if (next !== "\n") {
        word += next;
        inWord = true;
      }
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) {
    throw new UsageError(`${flag}: unterminated ${quote === "'" ? "single" : "double"} quote in the command`, {
      hint: `close the ${quote} (the command is split like a shell would, but never run through one)`,
    });
  }
  if (inWord) words.push(word);
  return words;
}

/** The inverse for messages and hints: a word quoted only when a shell would need it (`…`, a hint's placeholder, is plain text to sh). */
export function quoteWord(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./…-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
