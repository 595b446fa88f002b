// Where a JSON text goes wrong: Bun's JSON.parse errors carry no position, and a user typing
// --args-json on a command line needs the column.

/** `invalid JSON at column 8: expected ',' or '}'`. Bun's JSON.parse messages carry no position. */
export function describeJsonError(text: string, error: unknown): string {
  const located = locateJsonError(text);
  if (!located) return `invalid JSON (${error instanceof Error ? error.message : String(error)})`;
  const before = text.slice(0, located.offset);
  const line = before.split("\n").length;
  const column = located.offset - before.lastIndexOf("\n");
  return `invalid JSON at ${text.includes("\n") ? `line ${line}, column ${column}` : `column ${column}`}: ${located.reason}`;
}

const JSON_LITERAL = /true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class JsonStop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** The offset and reason of the first JSON syntax error in `text`, or undefined if there is none. */
export function locateJsonError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const stop = (reason: string): never => {
    throw new JsonStop(i, i >= text.length ? "unexpected end of input" : reason);
  };
  const skipSpace = (): void => {
    while (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r") i++;
  };
  const scanString = (): void => {
    for (i++; text[i] !== '"'; ) {
      const c = text[i];
      if (c === undefined) throw new JsonStop(i, "unterminated string");
      if (c < " ") stop("control character in a string");
      if (c !== "\\") i++;
      else if (text[i + 1] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
      else if (text[i + 1] !== undefined && '"\\/bfnrt'.includes(text[i + 1]!)) i += 2;
      else {
        i++;
        stop("invalid escape in a string");
      }
    }
    i++;
  };
  const scanList = (close: "]" | "}", scanItem: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) return void i++;
    for (;;) {
      scanItem();
      skipSpace();
      if (text[i] === close) return void i++;
      if (text[i] !== ",") stop(`expected ',' or '${close}'`);
      i++;
      skipSpace();
    }
  };
  const scanValue = (): void => {
    skipSpace();
    if (text[i] === "{") return scanList("}", scanMember);
    if (text[i] === "[") return scanList("]", scanValue);
    if (text[i] === '"') return scanString();
    JSON_LITERAL.lastIndex = i;
    if (!JSON_LITERAL.test(text)) stop("expected a value");
    i = JSON_LITERAL.lastIndex;
  };
  const scanMember = (): void => {
    if (text[i] !== '"') stop("expected a property name in double quotes");
    scanString();
    skipSpace();
    if (text[i] !== ":") stop("expected ':'");
    i++;
    scanValue();
  };
  try {
    scanValue();
    skipSpace();
    if (i < text.length) stop("unexpected text after the JSON value");
    return undefined;
  } catch (error) {
    if (error instanceof JsonStop) return { offset: error.offset, reason: error.reason };
    return undefined; // too deeply nested to scan: the caller falls back to the engine's message
  }
}
