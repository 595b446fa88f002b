// An incremental Server-Sent Events parser (WHATWG "parse an event stream") over byte chunks.
import { ByteLimitError } from "../net/byte-limit.ts";

/** One dispatched event. `id` is the stream's last event ID, when one has been set. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;
const STREAMING: TextDecodeOptions = { stream: true };


export interface SseParserOptions {
  /**
   * The most text one event may buffer (its data lines plus an unterminated line), counted in
   * decoded characters, which never exceed the bytes they came from. Default: unbounded.
   */
  maxEventBytes?: number;
}

/**
 * Feed byte chunks split anywhere; get back the events they complete.
 *
 * Bytes are decoded a whole chunk at a time by a streaming TextDecoder (which keeps a split
 * multi-byte sequence for the next chunk and drops the leading BOM), then lines are found with
 * `indexOf` on the decoded text. A line left open at the end of a chunk is carried as a list of
 * fragments, joined once its terminator arrives, so a huge line costs linear time.
 */
export class SseParser {
  /** The last `retry:` value in milliseconds; tether never reconnects, it is kept for callers. */
  retry: number | undefined = undefined;

  private decoder = new TextDecoder("utf-8");
  private carry: string[] = [];
  private carryLength = 0;
  private readonly maxEventBytes: number;
  /** The previous chunk ended in `\r`: a `\n` at the start of the next one belongs to it. */
  private skipLf = false;
  private data = "";
  private hasData = false;
  private eventType = "";
  private lastId: string | undefined = undefined;
  private out: SseEvent[] = [];

  constructor(options: SseParserOptions = {}) {
    this.maxEventBytes = options.maxEventBytes ?? Infinity;
  }

  /** Parses one chunk and returns the events it completed (often none, sometimes many). */
  push(chunk: Uint8Array): SseEvent[] {
    const text = this.decoder.decode(chunk, STREAMING);
    if (text.length > 0) this.feed(text);
    // Checked per chunk, after the complete lines were consumed: what is left is the open event.
    if (this.data.length + this.carryLength > this.maxEventBytes) throw new ByteLimitError("event", this.maxEventBytes);
    return this.take();
  }

  /**
   * Ends the stream. Per WHATWG, an event not terminated by a blank line is discarded, so this
   * returns no events; it resets the parser for reuse.
   */
  end(): SseEvent[] {
    const rest = this.decoder.decode();
    if (rest.length > 0) this.feed(rest);
    const events = this.take();
    this.carry = [];
    this.carryLength = 0;
    this.skipLf = false;
    this.data = "";
    this.hasData = false;
    this.eventType = "";
    this.lastId = undefined;
    return events;
  }

  private take(): SseEvent[] {
    const events = this.out;
    if (events.length > 0) this.out = [];
    return events;
  }

  private feed(text: string): void {
    let pos = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    if (this.carry.length > 0) {
      const end = nextLineEnd(text, pos);
      if (end === -1) {
        this.pushCarry(pos === 0 ? text : text.slice(pos));
        return;
      }
      this.carry.push(text.slice(pos, end));
      const line = this.carry.join("");
      this.carry = [];
      this.carryLength = 0;
      this.line(line, 0, line.length);
      pos = this.afterTerminator(text, end);
    }
    pos = text.indexOf("\r", pos) === -1 ? this.feedLf(text, pos) : this.feedAny(text, pos);
    if (pos < text.length) this.pushCarry(text.slice(pos));
  }

  private pushCarry(fragment: string): void {
    this.carry.push(fragment);
    this.carryLength += fragment.length;
  }

  /** Hot path: no `\r` in the rest of this text. Returns where the unterminated tail starts. */
  private feedLf(text: string, pos: number): number {
    let end = text.indexOf("\n", pos);
    while (end !== -1) {
      if (end === pos) {
        this.dispatch();
      } else {
        const c = text.charCodeAt(pos);
        if (
          c === 100 &&
          text.charCodeAt(pos + 4) === COLON &&
          text.charCodeAt(pos + 1) === 97 &&
          text.charCodeAt(pos + 2) === 116 &&
          text.charCodeAt(pos + 3) === 97
        ) {
          const value = text.slice(text.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5, end);
          if (this.hasData) {
            this.data = this.data + "\n" + value;
          } else {
            this.data = value;
            this.hasData = true;
          }
        } else if (
          c === 101 &&
          text.charCodeAt(pos + 5) === COLON &&
          text.charCodeAt(pos + 1) === 118 &&
          text.charCodeAt(pos + 2) === 101 &&
          text.charCodeAt(pos + 3) === 110 &&
          text.charCodeAt(pos + 4) === 116
        ) {
          this.eventType = text.slice(text.charCodeAt(pos + 6) === SPACE ? pos + 7 : pos + 6, end);
        } else {
          this.line(text, pos, end);
        }
      }
      pos = end + 1;
      end = text.indexOf("\n", pos);
    }
    return pos;
  }

  /** Any mix of `\r\n`, `\n` and `\r`. Returns where the unterminated tail starts. */
  private feedAny(text: string, pos: number): number {
    const length = text.length;
    while (pos < length) {
      const end = nextLineEnd(text, pos);
      if (end === -1) break;
      this.line(text, pos, end);
      pos = this.afterTerminator(text, end);
    }
    return pos;
  }

  /** Position after the terminator at `end`; a `\r` ending the text may pair with a later `\n`. */
  private afterTerminator(text: string, end: number): number {
    if (text.charCodeAt(end) === CR) {
      if (end + 1 === text.length) {
        this.skipLf = true;
        return end + 1;
      }
      if (text.charCodeAt(end + 1) === LF) return end + 2;
    }
    return end + 1;
  }

  /** Processes the line `text[start, end)` per the WHATWG field rules. */
  private line(text: string, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    if (text.charCodeAt(start) === COLON) return; // a comment, e.g. a keep-alive
    let colon = text.indexOf(":", start);
    if (colon === -1 || colon > end) colon = end;
    const field = text.slice(start, colon);
    let valueStart = colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++;
    const value = valueStart < end ? text.slice(valueStart, end) : "";
    switch (field) {
      case "data":
        if (this.hasData) {
          this.data = this.data + "\n" + value;
        } else {
          this.data = value;
          this.hasData = true;
        }
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value === "" ? undefined : value;
        break;
      case "retry":
        if (isAsciiDigits(value)) this.retry = Number.parseInt(value, 10);
        break;
      // Any other field is ignored.
    }
  }

  /** A blank line: dispatch if any `data` line was seen, then reset the event buffers. */
  private dispatch(): void {
    if (this.hasData) {
      this.out.push({ event: this.eventType || "message", data: this.data, id: this.lastId });
      this.data = "";
      this.hasData = false;
    }
    this.eventType = "";
  }
}

/** Index of the next `\r` or `\n` at or after `from`, or -1. */
function nextLineEnd(text: string, from: number): number {
  const lf = text.indexOf("\n", from);
  const cr = text.indexOf("\r", from);
  if (cr === -1) return lf;
  if (lf === -1) return cr;
  return cr < lf ? cr : lf;
}

function isAsciiDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export interface ReadSseOptions extends SseParserOptions {
  /** The most bytes the whole body may have; past it the read throws ByteLimitError. Default: unbounded. */
  maxStreamBytes?: number;
  /** Called with each chunk's size as it arrives (idle timers reset on it). */
  onChunk?(bytes: number): void;
}

/**
 * Reads a response body as SSE events. Stops early (cancelling the body) when the consumer
 * breaks out of the loop or `signal` aborts; an aborted read rethrows the signal's reason.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  options: ReadSseOptions = {},
): AsyncGenerator<SseEvent, void, undefined> {
  const maxStreamBytes = options.maxStreamBytes ?? Infinity;
  let streamBytes = 0;
  const reader = body.getReader();
  const onAbort = (): void => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const parser = new SseParser(options);
  let done = false;
  try {
    signal?.throwIfAborted();
    for (;;) {
      const result = await reader.read();
      signal?.throwIfAborted();
      if (result.done) break;
      streamBytes += result.value.byteLength;
      options.onChunk?.(result.value.byteLength);
      if (streamBytes > maxStreamBytes) throw new ByteLimitError("stream", maxStreamBytes);
      for (const event of parser.push(result.value)) yield event;
    }
    done = true;
    for (const event of parser.end()) yield event;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
