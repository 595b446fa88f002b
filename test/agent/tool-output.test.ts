// The cap on a tool result's text (tool_output_max_bytes) and the conversion of a server prompt's messages.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promptInput } from "../../src/agent/prompt-messages.ts";
import { capToolOutput, OUTPUT_KEEP_MS, ToolOutputCap } from "../../src/agent/tool-output.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tether-outputs-"));
  dirs.push(dir);
  return dir;
}

test("within the limit: the text as it is, nothing saved", () => {
  const dir = join(tempDir(), "outputs");
  expect(capToolOutput("short", { maxBytes: 1024, dir }, 0)).toEqual({ text: "short" });
});

test("over the limit: head and tail on character boundaries, never more than maxBytes, the whole saved", () => {
  const dir = join(tempDir(), "outputs");
  const text = "é".repeat(3000); // 2 bytes each
  const capped = capToolOutput(text, { maxBytes: 1024, dir }, Date.UTC(2026, 0, 2));
  expect(Buffer.byteLength(capped.text)).toBeLessThanOrEqual(1024);
  expect(capped.text).not.toContain("\uFFFD");
  expect(capped.savedTo).toStartWith(join(dir, "2026-01-02T00-00-00-000Z-"));
  expect(readFileSync(capped.savedTo!, "utf8")).toBe(text);
  const [, head, leftOut, tail] = capped.text.match(/^(é+)\n\[… (\d+) bytes left out; the full output is in .+ …\]\n(é+)$/)!;
  expect(Buffer.byteLength(head!) + Number(leftOut) + Buffer.byteLength(tail!)).toBe(6000);
  // Two cuts of the same output at the same moment never share a file.
  expect(capToolOutput(text, { maxBytes: 1024, dir }, Date.UTC(2026, 0, 2)).savedTo).not.toBe(capped.savedTo);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
});

test("saving an output removes saved outputs older than a week, and keeps the rest", () => {
  const dir = tempDir();
  const now = Date.UTC(2026, 5, 1);
  const old = join(dir, "old.txt");
  const recent = join(dir, "recent.txt");
  const other = join(dir, "notes.md");
  for (const file of [old, recent, other]) writeFileSync(file, "x");
  const ago = (ms: number) => new Date(now - ms);
  utimesSync(old, ago(OUTPUT_KEEP_MS + 60_000), ago(OUTPUT_KEEP_MS + 60_000));
  utimesSync(recent, ago(OUTPUT_KEEP_MS - 60_000), ago(OUTPUT_KEEP_MS - 60_000));
  utimesSync(other, ago(2 * OUTPUT_KEEP_MS), ago(2 * OUTPUT_KEEP_MS));
  const capped = capToolOutput("z".repeat(5000), { maxBytes: 1024, dir }, now);
  expect(existsSync(capped.savedTo!)).toBe(true);
  expect([existsSync(old), existsSync(recent), existsSync(other)]).toEqual([false, true, true]);
});

test("a run prunes old outputs at its first save only, not at every cut output", () => {
  const dir = tempDir();
  const now = Date.UTC(2026, 5, 1);
  const old = (name: string) => {
    const file = join(dir, name);
    writeFileSync(file, "x");
    utimesSync(file, new Date(now - 2 * OUTPUT_KEEP_MS), new Date(now - 2 * OUTPUT_KEEP_MS));
    return file;
  };
  const first = old("first.txt");
  const cap = new ToolOutputCap({ maxBytes: 1024, dir });
  cap.cap("z".repeat(5000), now);
  expect(existsSync(first)).toBe(false);
  const second = old("second.txt");
  expect(existsSync(cap.cap("z".repeat(5000), now).savedTo!)).toBe(true);
  expect(existsSync(second)).toBe(true);
});

test("when the output cannot be saved, the text is still cut and says why", () => {
  const blocker = join(tempDir(), "file");
  writeFileSync(blocker, "");
  const capped = capToolOutput("y".repeat(5000), { maxBytes: 1024, dir: join(blocker, "outputs") }, 0);
  expect(capped.savedTo).toBeUndefined();
  expect(capped.text).toContain("bytes left out; the full output could not be saved (");
  expect(Buffer.byteLength(capped.text)).toBeLessThanOrEqual(1024);
});

test("promptInput: text, embedded resources and images for the user; the assistant's images described", () => {
  const png = "iVBORw0KGgo=";
  expect(
    promptInput([
      { role: "user", content: { type: "text", text: "hi" } },
      { role: "user", content: { type: "image", data: png, mimeType: "image/png" } },
      { role: "user", content: { type: "resource", resource: { uri: "file:///a.txt", text: "file text" } } },
      { role: "user", content: { type: "resource", resource: { uri: "file:///b.bin", mimeType: "application/zip", blob: "AAAA" } } },
      { role: "user", content: { type: "audio", data: "AAAA", mimeType: "audio/wav" } },
      { role: "assistant", content: { type: "image", data: png, mimeType: "image/png" } },
      { role: "assistant", content: { type: "text", text: "ok" } },
    ]),
  ).toEqual([
    { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
    { type: "message", role: "user", content: [{ type: "input_image", image_url: `data:image/png;base64,${png}` }] },
    { type: "message", role: "user", content: [{ type: "input_text", text: "file text" }] },
    { type: "message", role: "user", content: [{ type: "input_text", text: "[binary resource file:///b.bin (application/zip), 3 bytes, not shown]" }] },
    { type: "message", role: "user", content: [{ type: "input_text", text: "[audio: audio/wav, not shown]" }] },
    { type: "message", role: "assistant", content: [{ type: "output_text", text: "[image: image/png, not shown]" }] },
    { type: "message", role: "assistant", content: [{ type: "output_text", text: "ok" }] },
  ]);
});
