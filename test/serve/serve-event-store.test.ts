// `tether mcp serve --http --event-store-bytes`: what 2025 sessions keep for resumed streams is
// bounded for all sessions together, and no result is lost silently. A result written on a live
// stream arrives whole whatever the bound; one whose stream was closed (SSE polling) and that the
// bound cannot keep is answered, when the client comes back, with an error naming its size.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { makeHome } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type HttpServe, newClient, startHttpServe } from "./harness.ts";

const BOUND = 64 * 1024;
const RESULT_CHARS = 200_000;

let home: ReturnType<typeof makeHome>;
/** Closes a call's stream after 1 s (--sse-poll 1). */
let polled: HttpServe;
/** Never closes a stream (--sse-poll 0): a result is always written on a live stream, however slow the machine. */
let open: HttpServe;

beforeAll(async () => {
  home = makeHome();
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--era", "legacy", "--name", "fx", "--tools", "big"]) } });
  const bound = ["--event-store-bytes", String(BOUND)];
  [polled, open] = await Promise.all([startHttpServe(home.home, ["--sse-poll", "1", ...bound]), startHttpServe(home.home, ["--sse-poll", "0", ...bound])]);
}, 60_000);

afterAll(async () => {
  await Promise.all([polled?.stop(), open?.stop()]);
  home.cleanup();
});

/** A 2025 client that comes back to a closed stream (Last-Event-ID) only after `delayMs`. */
async function slowToResume(url: string, delayMs: number) {
  const resuming: typeof fetch = Object.assign(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new Headers(init?.headers).has("last-event-id")) await Bun.sleep(delayMs);
      return fetch(input, init);
    },
    { preconnect: fetch.preconnect },
  );
  const client = newClient("legacy");
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: resuming }));
  return client;
}

const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0]?.text ?? "");

test("a result larger than the bound, written on a live stream, arrives whole", async () => {
  const client = await slowToResume(open.url, 0);
  try {
    const result = await client.callTool({ name: "fx__big", arguments: { bytes: RESULT_CHARS } });
    expect(textOf(result)).toHaveLength(RESULT_CHARS);
  } finally {
    await client.close();
  }
}, 60_000);

test("a result larger than the bound whose stream was closed is answered with an error naming its size", async () => {
  // The stream is closed after 1 s (--sse-poll 1), the result comes at 2 s, the client is back at about 4 s.
  const client = await slowToResume(polled.url, 2_000);
  try {
    const call = client.callTool({ name: "fx__big", arguments: { bytes: RESULT_CHARS, ms: 2_000 } });
    await expect(call).rejects.toThrow(new RegExp(`the result \\(\\d{6} bytes\\) is larger than tether mcp serve can keep .*--event-store-bytes ${BOUND}`));
    // A small result on the same session still makes the round trip.
    expect(textOf(await client.callTool({ name: "fx__big", arguments: { bytes: 10 } }))).toBe("x".repeat(10));
  } finally {
    await client.close();
  }
}, 60_000);
