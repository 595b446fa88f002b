// The fixture server's switchable misbehaviours for the hostile tests and bench (issue 10):
// notification floods, stderr without a newline, an SSE event that never ends, helper processes
// that outlive the server. Each is one flag of fixture-server.ts; none changes the default fixture.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import type { Writable } from "node:stream";

export type FloodKind = "plain" | "progress" | "logging";

export const FLOOD_KINDS: readonly FloodKind[] = ["plain", "progress", "logging"];

/** One notification line of the given kind (hand-written JSON-RPC: the flood must be fast and raw). */
function floodLine(kind: FloodKind, i: number): string {
  const message =
    kind === "progress"
      ? // A token tether never issued.
        { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: `never-issued-${i}`, progress: i } }
      : kind === "logging"
        ? { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", logger: "flood", data: `flood ${i}` } }
        : { jsonrpc: "2.0", method: "notifications/fixture/flood", params: { i } };
  return JSON.stringify(message);
}

/** A block of lines, so one write carries many notifications. */
function floodBlock(kind: FloodKind, start: number, count: number, frame: (line: string) => string): string {
  let block = "";
  for (let i = start; i < start + count; i++) block += frame(floodLine(kind, i));
  return block;
}

const LINES_PER_WRITE = 256;

/** Writes notifications to `out` as fast as it takes them (waits only for drain), until it closes. */
export function floodStream(out: Writable, kind: FloodKind, frame: (line: string) => string = (line) => `${line}\n`): void {
  let i = 0;
  let stopped = false;
  out.once("close", () => (stopped = true));
  out.once("error", () => (stopped = true));
  const pump = () => {
    while (!stopped) {
      const ok = out.write(floodBlock(kind, i, LINES_PER_WRITE, frame));
      i += LINES_PER_WRITE;
      if (!ok) {
        out.once("drain", pump);
        return;
      }
    }
  };
  pump();
}

/** streamable HTTP: answers a tools/call with an SSE stream of notifications that never ends. */
export function floodSse(res: ServerResponse, kind: FloodKind): void {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  floodStream(res, kind, (line) => `event: message\ndata: ${line}\n\n`);
}

/** streamable HTTP: answers a tools/call with one SSE event whose data line never ends. */
export function endlessSseEvent(res: ServerResponse): void {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  res.write("event: message\ndata: ");
  const chunk = "x".repeat(64 * 1024);
  let stopped = false;
  res.once("close", () => (stopped = true));
  const pump = () => {
    while (!stopped) {
      if (!res.write(chunk)) {
        res.once("drain", pump);
        return;
      }
    }
  };
  pump();
}

/** Writes `bytes` of stderr without a single newline, waiting for drain (then the server starts). */
export async function stderrWithoutNewline(bytes: number): Promise<void> {
  const chunk = "e".repeat(64 * 1024);
  for (let written = 0; written < bytes; written += chunk.length) {
    const piece = bytes - written < chunk.length ? chunk.slice(0, bytes - written) : chunk;
    if (!process.stderr.write(piece)) await new Promise((resolve) => process.stderr.once("drain", resolve));
  }
}

/** How long a helper lives at most, so a failing test cannot leave one behind for long. */
const HELPER_LIFETIME_MS = 120_000;

const HELPER_SOURCE = `process.stdin.on("end", () => {}); setTimeout(() => process.exit(0), ${HELPER_LIFETIME_MS});`;

declare const FIXTURE_BUN_PATH: string | undefined;

/**
 * Starts a helper that ignores stdin EOF (it keeps the server's stderr, as real helpers do) and
 * appends its pid to `pidFile` (the era probe starts the server twice). `double`: the helper is started by an intermediate process that
 * exits at once, so the helper is orphaned and its parent is no longer the server.
 */
export function forkHelper(pidFile: string, double: boolean): void {
  // Compiled (test/support/fixture.ts), this process is the fixture, not bun: the build names bun.
  const bun = typeof FIXTURE_BUN_PATH === "string" ? FIXTURE_BUN_PATH : process.execPath;
  if (!double) {
    const helper = spawn(bun, ["-e", HELPER_SOURCE], { stdio: ["ignore", "ignore", "inherit"] });
    appendFileSync(pidFile, `${helper.pid}\n`);
    helper.unref();
    return;
  }
  const intermediate = `
    const { spawn } = require("node:child_process");
    const helper = spawn(${JSON.stringify(bun)}, ["-e", ${JSON.stringify(HELPER_SOURCE)}], { stdio: ["ignore", "ignore", "inherit"] });
    require("node:fs").appendFileSync(${JSON.stringify(pidFile)}, helper.pid + "\\n");
    helper.unref();
    process.exit(0);`;
  spawn(bun, ["-e", intermediate], { stdio: ["ignore", "ignore", "inherit"] }).unref();
}

/** The pids forkHelper appended to `pidFile`, oldest first (none before the first helper). */
export function helperPids(pidFile: string): number[] {
  if (!existsSync(pidFile)) return [];
  return readFileSync(pidFile, "utf8").split("\n").filter(Boolean).map(Number);
}

type ResultEdit = (result: Record<string, unknown>) => boolean;

/** `--no-result-type`: a 2026-07-28 server's `resultType: "complete"` left out, as the conformance suite's reference server does in its stateless mode. */
export const omitResultType: ResultEdit = (result) => result.resultType === "complete" && delete result.resultType;

/** `--bad-result`: a tool result whose content is not a list, which no MCP client library accepts. */
export const spoilContent: ResultEdit = (result) => Array.isArray(result.content) && ((result.content = "fixture: not a list of content blocks"), true);

/**
 * Rewrites the results a server sends, after its SDK built and checked them. Works on lines: a
 * stdio server's stdout, or an HTTP response's JSON body and SSE `data:` lines; `push` takes text
 * as it comes and returns what can be written so far (whole lines), `end` the rest.
 */
export function resultRewriter(edit: ResultEdit): { push(text: string): string; end(): string } {
  let pending = "";
  const rewrite = (line: string): string => {
    const prefix = line.startsWith("data: ") ? "data: " : "";
    try {
      const message = JSON.parse(line.slice(prefix.length)) as { result?: Record<string, unknown> };
      return message.result && edit(message.result) ? prefix + JSON.stringify(message) : line;
    } catch {
      return line;
    }
  };
  return {
    push(text) {
      const lines = (pending + text).split("\n");
      pending = lines.pop()!;
      return lines.map((line) => `${rewrite(line)}\n`).join("");
    },
    end() {
      const rest = pending;
      pending = "";
      return rest && rewrite(rest);
    },
  };
}
