// One error for every byte bound on what a peer sends (model streams, MCP HTTP bodies and SSE
// events): the reader stops and says which bound it hit; callers turn it into their own message.

/** `event`: one SSE event; `stream`: a whole stream; `body`: one response body. */
export type ByteLimitKind = "event" | "stream" | "body";

export class ByteLimitError extends Error {
  constructor(
    readonly kind: ByteLimitKind,
    /** The bound, in bytes. */
    readonly limit: number,
  ) {
    super(`${kind === "event" ? "one event" : kind === "stream" ? "the stream" : "the response body"} is larger than ${limit} bytes`);
    this.name = "ByteLimitError";
  }
}
