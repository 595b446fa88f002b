// Throughput of our SSE parser against eventsource-parser and a decode+split floor, same run.
// Run: ./node_modules/.bin/bun bench/sse.ts [--mb 50] [--rounds 7]

import { createParser } from "eventsource-parser";
import { SseParser } from "../src/agent/sse.ts";
import { median } from "./stats.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const TARGET_MB = option("mb", 50);
const ROUNDS = option("rounds", 7);
const CHUNK_SIZES = [16 * 1024, 64 * 1024];

const WORDS = [
  "the", "model", "streams", "tokens", "as", "server-sent", "events", "and", "each", "delta",
  "carries", "a", "few", "characters", "of", "text", "\"quoted\"", "code", "{x: 1}", "line\n",
];

/** `unicodeEvery`: one delta in N carries non-ASCII text (0 = ASCII only). */
function buildStream(targetBytes: number, unicodeEvery: number): { bytes: Uint8Array; events: number } {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let size = 0;
  let events = 0;
  let seed = 1;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  while (size < targetBytes) {
    let delta = "";
    const words = 1 + (next() % 4);
    for (let i = 0; i < words; i++) delta += (i ? " " : "") + WORDS[next() % WORDS.length];
    if (unicodeEvery > 0 && events % unicodeEvery === 0) delta += " héllo → 世界 🎉";
    const payload = {
      type: "response.output_text.delta",
      sequence_number: events + 3,
      item_id: "msg_67c9fdcecf488190bdd9a0d6d59f0e420ee9a3e1",
      output_index: 0,
      content_index: 0,
      delta,
    };
    const block = `event: response.output_text.delta\ndata: ${JSON.stringify(payload)}\n\n`;
    parts.push(block);
    size += block.length;
    events++;
  }
  return { bytes: encoder.encode(parts.join("")), events };
}

function chunk(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
  return chunks;
}

/** Returns events seen and the total length of their data, so every runner materialises it. */
const FLOOR = "floor: TextDecoder+split";

type Runner = (chunks: Uint8Array[]) => { events: number; chars: number };

const runners: Record<string, Runner> = {
  ours(chunks) {
    const parser = new SseParser();
    let events = 0;
    let chars = 0;
    for (const c of chunks) {
      for (const event of parser.push(c)) {
        events++;
        chars += event.data.length;
      }
    }
    parser.end();
    return { events, chars };
  },
  "eventsource-parser"(chunks) {
    let events = 0;
    let chars = 0;
    const parser = createParser({
      onEvent(event) {
        events++;
        chars += event.data.length;
      },
    });
    const decoder = new TextDecoder();
    for (const c of chunks) parser.feed(decoder.decode(c, { stream: true }));
    parser.feed(decoder.decode());
    return { events, chars };
  },
  [FLOOR](chunks) {
    const decoder = new TextDecoder();
    let tail = "";
    let lines = 0;
    let chars = 0;
    for (const c of chunks) {
      const parts = (tail + decoder.decode(c, { stream: true })).split("\n");
      tail = parts.pop() ?? "";
      lines += parts.length;
      for (const part of parts) chars += part.length;
    }
    return { events: lines, chars };
  },
};


function bench(label: string, bytes: Uint8Array, events: number): Record<string, number> {
  const mb = bytes.length / 1e6;
  console.log(`\n${label}: ${mb.toFixed(1)} MB, ${events} events`);
  const results: Record<string, number> = {};
  for (const size of CHUNK_SIZES) {
    const chunks = chunk(bytes, size);
    const times: Record<string, number[]> = {};
    const checksum: Record<string, number> = {};
    for (const name of Object.keys(runners)) times[name] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      // Rotate the order each round so no runner always goes first (GC, cache warmth).
      const names = Object.keys(runners);
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length] as string;
        const start = performance.now();
        const seen = runners[name]!(chunks);
        const ms = performance.now() - start;
        if (name !== FLOOR) {
          if (seen.events !== events) throw new Error(`${name} saw ${seen.events} events, expected ${events}`);
          checksum[name] = seen.chars;
        }
        if (round > 0) times[name]!.push(ms); // round 0 warms up the JIT
      }
    }
    if (checksum.ours !== checksum["eventsource-parser"]) throw new Error("parsers disagree on data");
    const line: string[] = [];
    for (const name of Object.keys(runners)) {
      const rate = mb / (median(times[name]!) / 1000);
      results[`${name}@${size}`] = rate;
      line.push(`${name} ${rate.toFixed(0)} MB/s`);
    }
    const ratio = results[`ours@${size}`]! / results[`eventsource-parser@${size}`]!;
    console.log(`  ${size / 1024} KiB chunks: ${line.join(" | ")} | ours/eventsource-parser ${ratio.toFixed(2)}x`);
  }
  return results;
}

const ascii = buildStream(TARGET_MB * 1e6, 0);
bench("ASCII deltas", ascii.bytes, ascii.events);
const mixed = buildStream(TARGET_MB * 1e6, 50);
bench("deltas with non-ASCII text in 1 of 50", mixed.bytes, mixed.events);
