import { describe, expect, test } from "bun:test";
import { readSse, SseParser, type SseEvent } from "../../src/agent/sse.ts";
import { assistantMessage, completed, functionCall, outputTextDelta, responseCreated, sse } from "../support/sse.ts";

const encoder = new TextEncoder();

function parseChunks(chunks: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

const parseText = (text: string): SseEvent[] => parseChunks([encoder.encode(text)]);

/** A realistic turn, with multi-byte UTF-8 in deltas, arguments and the final message. */
const recorded = encoder.encode(
  ": keep-alive\n\n" +
    sse([
      responseCreated("resp_1"),
      outputTextDelta("hé"),
      outputTextDelta("llo → 世界 🎉"),
      functionCall("call_1", "docs__search", { query: "naïve café ☕" }),
      assistantMessage("msg_1", "héllo → 世界 🎉"),
      completed("resp_1", { inputTokens: 40, outputTokens: 9 }),
    ]),
);

describe("SseParser on a recorded stream", () => {
  const whole = parseChunks([recorded]);

  test("parses every event with its type and JSON data", () => {
    expect(whole.map((e) => e.event)).toEqual([
      "response.created",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_item.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(JSON.parse(whole[2]!.data).delta).toBe("llo → 世界 🎉");
    expect(JSON.parse(whole[4]!.data).item.content[0].text).toBe("héllo → 世界 🎉");
  });

  test("gives the same events for a split at every byte position", () => {
    for (let at = 0; at <= recorded.length; at++) {
      const events = parseChunks([recorded.subarray(0, at), recorded.subarray(at)]);
      if (JSON.stringify(events) !== JSON.stringify(whole)) {
        expect({ at, events }).toEqual({ at, events: whole });
      }
    }
  });

  test("gives the same events fed one byte at a time", () => {
    const bytes = Array.from({ length: recorded.length }, (_, i) => recorded.subarray(i, i + 1));
    expect(parseChunks(bytes)).toEqual(whole);
  });

  test("gives the same events with CRLF and CR line endings, split everywhere", () => {
    const text = new TextDecoder().decode(recorded);
    for (const eol of ["\r\n", "\r"]) {
      const bytes = encoder.encode(text.replaceAll("\n", eol));
      expect(parseChunks([bytes])).toEqual(whole);
      for (let at = 0; at <= bytes.length; at++) {
        const events = parseChunks([bytes.subarray(0, at), bytes.subarray(at)]);
        if (JSON.stringify(events) !== JSON.stringify(whole)) {
          expect({ eol, at, events }).toEqual({ eol, at, events: whole });
        }
      }
    }
  });
});

describe("SseParser field rules", () => {
  test("mixes LF, CRLF and CR terminators in one stream", () => {
    expect(parseText("data: a\r\n\r\ndata: b\r\rdata: c\n\n")).toEqual([
      { event: "message", data: "a", id: undefined },
      { event: "message", data: "b", id: undefined },
      { event: "message", data: "c", id: undefined },
    ]);
  });

  test("a CR at a chunk end followed by LF in the next chunk is one terminator", () => {
    const events = parseChunks([encoder.encode("data: a\r"), encoder.encode("\ndata: b\r"), encoder.encode("\n\r\n")]);
    expect(events).toEqual([{ event: "message", data: "a\nb", id: undefined }]);
  });

  test("joins multi-line data with LF", () => {
    expect(parseText("data: line one\ndata:line two\ndata\ndata:  indented\n\n")).toEqual([
      { event: "message", data: "line one\nline two\n\n indented", id: undefined },
    ]);
  });

  test("removes only one space after the colon", () => {
    expect(parseText("event:  spaced\ndata:   x\n\n")).toEqual([{ event: " spaced", data: "  x", id: undefined }]);
  });

  test("ignores comments, keep-alives and unknown fields", () => {
    expect(parseText(":\n: ping\nfoo: bar\nbaz\ndata: kept\n:trailing comment\n\n")).toEqual([
      { event: "message", data: "kept", id: undefined },
    ]);
  });

  test("does not dispatch an event with no data lines, and resets its type", () => {
    expect(parseText("event: lonely\n\nid: 3\n\ndata: x\n\n")).toEqual([{ event: "message", data: "x", id: "3" }]);
  });

  test("dispatches an empty data line as an empty string", () => {
    expect(parseText("data:\n\n")).toEqual([{ event: "message", data: "", id: undefined }]);
  });

  test("keeps the last event id across events until it is reset", () => {
    const events = parseText("id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: x\0y\ndata: d\n\n");
    expect(events.map((e) => e.id)).toEqual(["1", "1", undefined, undefined]);
  });

  test("records a numeric retry and ignores any other", () => {
    const parser = new SseParser();
    parser.push(encoder.encode("retry: 2500\n\nretry: 1s\n\n"));
    expect(parser.retry).toBe(2500);
  });

  test("strips a BOM at stream start, even split across chunks, but not later", () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const body = encoder.encode("data: x\n\n");
    const events = parseChunks([bom.subarray(0, 1), bom.subarray(1), body]);
    expect(events).toEqual([{ event: "message", data: "x", id: undefined }]);
    expect(parseText("data: a\n\n\uFEFFdata: b\n\n")).toEqual([{ event: "message", data: "a", id: undefined }]);
  });

  test("discards an event not ended by a blank line at EOF", () => {
    expect(parseText("data: done\n\ndata: partial\n")).toEqual([{ event: "message", data: "done", id: undefined }]);
    expect(parseText("data: done\n\ndata: partial")).toEqual([{ event: "message", data: "done", id: undefined }]);
  });

  test("replaces an invalid or truncated UTF-8 sequence", () => {
    const events = parseChunks([new Uint8Array([...encoder.encode("data: a"), 0xe4, 0xb8, 0x0a, 0x0a])]);
    expect(events).toEqual([{ event: "message", data: "a\uFFFD", id: undefined }]);
  });

  test("a line spanning many chunks is assembled once", () => {
    const payload = "x".repeat(100_000);
    const bytes = encoder.encode(`data: ${payload}\n\n`);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect(parseChunks(chunks)).toEqual([{ event: "message", data: payload, id: undefined }]);
  });

  test("end() resets the parser for another stream", () => {
    const parser = new SseParser();
    parser.push(encoder.encode("id: 5\nevent: x\ndata: half"));
    expect(parser.end()).toEqual([]);
    expect(parser.push(encoder.encode("data: new\n\n"))).toEqual([{ event: "message", data: "new", id: undefined }]);
  });
});

describe("readSse", () => {
  function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
    return new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
  }

  test("yields events across chunks of a body", async () => {
    const events: SseEvent[] = [];
    for await (const event of readSse(streamOf(["event: a\nda", "ta: 1\n\nda", "ta: 2\n\n"]))) events.push(event);
    expect(events).toEqual([
      { event: "a", data: "1", id: undefined },
      { event: "message", data: "2", id: undefined },
    ]);
  });

  test("cancels the body when the consumer stops early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode("data: tick\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readSse(body)) {
      expect(event.data).toBe("tick");
      break;
    }
    expect(cancelled).toBe(true);
  });

  test("stops with the abort reason when the signal aborts", async () => {
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(encoder.encode("data: first\n\n"));
      },
    });
    const seen: string[] = [];
    const run = async (): Promise<void> => {
      for await (const event of readSse(body, controller.signal)) {
        seen.push(event.data);
        controller.abort(new Error("stop"));
      }
    };
    await expect(run()).rejects.toThrow("stop");
    expect(seen).toEqual(["first"]);
  });
});
