// What the fixture's tools answer, shared by the modules that register them (fixture-tools.ts,
// fixture-catalog.ts, fixture-exec.ts).

/** A tool result of one text block. */
export const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

/** A 1x1 transparent PNG, base64. */
export const TINY_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
