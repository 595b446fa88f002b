// One error for every byte bound on what a peer sends (model streams, MCP HTTP bodies and SSE
// events): the reader stops and says which bound it hit; callers turn it into their own message.
// readBoundedBody: a whole small body (a registry answer, an OIDC token) read up to a bound.

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

/** The body as text, or undefined past `maxBytes` (the rest is not read). */
export async function readBoundedBody(response: Response, maxBytes: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
