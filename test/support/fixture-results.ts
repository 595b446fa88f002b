// What the fixture's tools answer, shared by the modules that register them (fixture-tools.ts,
// fixture-catalog.ts, fixture-exec.ts).

/** A tool result of one text block. */
export const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });
