// Opens a stdio server: a child with a small safe environment, stderr kept in a ring buffer, its
// notifications budgeted, its reads interleaved with the rest of the event loop, and its whole
// process tree ended on close.
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { Context } from "../context.ts";
import type { StdioServerConfig } from "../config/types.ts";
import { LineRing } from "./line-ring.ts";
import { childEnvironment, launchParameters } from "./stdio-launch.ts";
import { guardNotifications } from "./notification-budget.ts";
import { completeAbsentResultTypeOf } from "./result-type.ts";
import { descendantsOf, killAll, killTreeWindows, processesWithMarker, readProcessTable, SERVER_MARKER_VAR } from "./process-tree.ts";

/** The longest stdout line (one JSON-RPC message) tether reads from a stdio server: the SDK's default, made explicit. */
export const MAX_STDIO_LINE_BYTES = 10 * 1024 * 1024;

export interface StdioChild {
  transport: StdioClientTransport;
  stderr: LineRing;
  /** Set when the server wrote a stdout line over MAX_STDIO_LINE_BYTES (the SDK then drops the connection). */
  lineTooLong: boolean;
  /** The SERVER_MARKER_VAR value in this server's environment (and its probe sibling's). */
  marker: string;
}

export interface StdioChildOptions {
  /** Called once when the server first goes over the notification budget. */
  onFlood(): void;
  /**
   * Era probes (issue 21 item 7): negotiate on this child's own pipe. For a server pinned to
   * 2026-07-28, whose `server/discover` is its handshake rather than a probe: no sibling process.
   */
  negotiateInPlace?: boolean;
}

/**
 * The SDK probes on a sibling process only for a transport that is exactly StdioClientTransport;
 * a subclass, even an empty one, negotiates in place (documented in its VersionNegotiationMode).
 */
class InPlaceStdioClientTransport extends StdioClientTransport {}

const live = new Set<StdioChild>();

export function createStdioChild(ctx: Context, server: StdioServerConfig, options: StdioChildOptions): StdioChild {
  const marker = `${process.pid}-${randomBytes(8).toString("hex")}`;
  const Transport = options.negotiateInPlace ? InPlaceStdioClientTransport : StdioClientTransport;
  const transport = new Transport({
    ...launchParameters(ctx, server),
    env: { ...childEnvironment(ctx, server), [SERVER_MARKER_VAR]: marker },
    stderr: "pipe",
    maxBufferSize: MAX_STDIO_LINE_BYTES,
  });
  const child: StdioChild = { transport, stderr: new LineRing(), lineTooLong: false, marker };
  const prepare = (t: StdioClientTransport) => {
    guardNotifications(t, { onFirstExcess: options.onFlood });
    completeAbsentResultTypeOf(ctx, server.name, t);
    readInTurns(t, () => (child.lineTooLong = true));
  };
  prepare(transport);
  // The SDK runs its era probe on a sibling built as `new transport.constructor(params)`; an own
  // `constructor` on this instance lets the sibling get the same guards while the transport stays
  // exactly a StdioClientTransport (its prototype is untouched, which is what the SDK checks).
  function GuardedSibling(params: ConstructorParameters<typeof StdioClientTransport>[0]): StdioClientTransport {
    const sibling = new StdioClientTransport(params);
    prepare(sibling);
    return sibling;
  }
  Object.defineProperty(transport, "constructor", { value: GuardedSibling, configurable: true, writable: true });
  const stderrStream = transport.stderr as Readable | null;
  stderrStream?.on("data", (chunk: Buffer) => {
    child.stderr.push(chunk.toString("utf8"));
    yieldAfterChunk(stderrStream);
  });
  live.add(child);
  return child;
}

/**
 * Bun delivers a pipe's chunks back to back while data is waiting, so a server writing as fast as
 * it can would keep timers (tool_timeout_sec) and signals (Ctrl-C) from ever running. After each
 * chunk the stream pauses until the next turn of the event loop. Also watches for lines longer
 * than the SDK reads, so that failure is reported as what it is rather than as "exited".
 */
function readInTurns(transport: StdioClientTransport, onLineTooLong: () => void): void {
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    // The SDK keeps the child process private; without it tether still works, only without the pauses.
    const stdout = (transport as unknown as { _process?: { stdout?: Readable | null } })._process?.stdout;
    if (!stdout) return;
    let lineBytes = 0;
    stdout.on("data", (chunk: Buffer) => {
      const newline = chunk.lastIndexOf(10);
      lineBytes = newline < 0 ? lineBytes + chunk.length : chunk.length - newline - 1;
      if (lineBytes > MAX_STDIO_LINE_BYTES) onLineTooLong();
      yieldAfterChunk(stdout);
    });
  };
}

function yieldAfterChunk(stream: Readable): void {
  stream.pause();
  setImmediate(() => stream.resume());
}

/** Ends the child quickly: close stdin, then SIGKILL it and every process it started. */
export async function stopStdioChild(child: StdioChild): Promise<void> {
  const pid = child.transport.pid;
  // Listed before closing: once the server is gone its helpers lose their parent link.
  const tree = pid !== null && process.platform !== "win32" ? descendantsOf(pid, readProcessTable()) : [];
  await Promise.race([child.transport.close(), Bun.sleep(300)]);
  killTree(child, pid, tree);
  live.delete(child);
}

function killTree(child: StdioChild, pid: number | null, tree: number[]): void {
  if (process.platform === "win32") {
    if (pid !== null && isAlive(pid)) killTreeWindows(pid);
    return;
  }
  if (pid !== null && isAlive(pid)) killAll([pid]);
  killAll(new Set([...tree, ...processesWithMarker(child.marker)]));
}

// A second Ctrl-C (or any other exit) skips the async cleanups: end every server tree synchronously.
process.on("exit", () => {
  if (live.size === 0) return;
  // One snapshot for every server, taken before any is killed (their helpers keep their parent links).
  const table = process.platform === "win32" ? undefined : readProcessTable();
  for (const child of live) {
    const pid = child.transport.pid;
    killTree(child, pid, pid !== null && table ? descendantsOf(pid, table) : []);
  }
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
