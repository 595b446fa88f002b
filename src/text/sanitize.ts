// Turns untrusted text (from servers, authorization servers, models) into terminal text: control
// characters and escape sequences become visible, so a server cannot clear the screen, set the
// title, write the clipboard (OSC 52) or hide a link (OSC 8). `--json` output never goes through here.

export interface TerminalTextOptions {
  /** Keep line feeds and tabs (tool results, model text, stderr blocks); else they become `^J`/`^I`. */
  multiline?: boolean;
}

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the bidi
// overrides/isolates that reorder what is shown ("Trojan Source").
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The text with every control character made visible: C0 in caret notation (`ESC` → `^[`, so
 * `ESC[2J` prints as the harmless `^[[2J`), DEL as `^?`, C1 and bidi controls as `<U+009B>`.
 * With `multiline`, `\n` and `\t` stay and `\r` is dropped (a CR alone would let a line overwrite
 * itself; CRLF becomes LF).
 */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  if (!UNSAFE.test(text)) return text;
  const multiline = options.multiline === true;
  return text.replace(UNSAFE_ALL, (c) => {
    const code = c.charCodeAt(0);
    if (multiline && (c === "\n" || c === "\t")) return c;
    if (multiline && c === "\r") return "";
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return "^?";
    return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
  });
}

/** Multi-line untrusted text (tool results, model answers, stderr). */
export function terminalBlock(text: string): string {
  return terminalText(text, { multiline: true });
}

/**
 * Untrusted text as one short terminal line (a server's message, log line or progress note):
 * whitespace runs, line breaks included, become one space, and it is cut at `max` characters.
 */
export function terminalLine(text: string, max: number): string {
  const flat = terminalText(text.replace(/\s+/g, " ").trim());
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
