// The wire between a tether command and its keep-alive daemon: newline-delimited JSON over one
// socket connection per command, every line bounded. Requests carry an id; the daemon answers each
// once, and meanwhile may send progress, log lines and questions (elicitation, roots, sampling) for
// that request, which the command answers on the same connection.
import { ConfigError, ConnectionError, TetherError, ToolError, UsageError, AuthError, CancelledError } from "../errors.ts";

/** The most bytes one line may have: a tool result as large as the largest line a stdio server may send, and room for its JSON. */
export const MAX_DAEMON_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Bumped when a message changes meaning: a command and a daemon of different versions restart the daemon. */
export const DAEMON_PROTOCOL = 2;

export type DaemonMethod = "status" | "stop" | "open" | "run" | "callTool" | "listTools" | "listResources" | "listResourceTemplates" | "readResource" | "listPrompts" | "getPrompt" | "complete";

export interface DaemonRequest {
  id: number;
  method: DaemonMethod;
  params?: unknown;
}

export type QuestionKind = "elicit" | "roots" | "sample";

/** What the daemon sends. */
export type DaemonMessage =
  | { id: number; result: unknown }
  | { id: number; error: WireError }
  /** Progress or a task's status for request `id`. */
  | { id: number; progress: unknown }
  /** A server's log line during request `id`. */
  | { id: number; log: unknown }
  /** A server's question during request `id`; answered with an Answer naming `ask`. */
  | { id: number; ask: number; kind: QuestionKind; params?: unknown; key?: string }
  /** A `run`: the daemon runs the command (nothing of it ran before this; after it, it must not run again). */
  | { id: number; accepted: true }
  /** A `run`'s output, for the caller's stdout or stderr. */
  | { id: number; output: "stdout" | "stderr"; text: string }
  /** A `run` reads stdin: the caller sends its next chunk as an Input. */
  | { id: number; read: true };

/** What a command sends besides requests: the answer to a question. */
export type Answer = { answer: number; result: unknown } | { answer: number; error: WireError };

/** The caller's stdin for `run` request `input`, one chunk (base64) per `read`, or its end. */
export type Input = { input: number; data: string } | { input: number; end: true };

/** The caller got a stop signal during `run` request `interrupt`. */
export interface Interrupt {
  interrupt: number;
  signal: "SIGINT" | "SIGTERM";
}

/**
 * A whole command line for the daemon to run as the caller would have (`run`): what the caller's
 * process knows that the daemon's does not. The daemon runs it only when it would use a server
 * kept alive there; otherwise it answers `fallback` before anything ran, and the caller runs it
 * itself.
 */
export interface RunRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** The caller's process: on Linux the daemon sees which of its streams are terminals in /proc. */
  pid: number;
  /** Which of the caller's streams are terminals, where the daemon cannot see for itself. */
  tty?: { stdin: boolean; stdout: boolean; stderr: boolean };
  version: string;
  protocol: number;
}

export type RunOutcome = { exitCode: number } | { fallback: string };

export interface RequestHandlers {
  onProgress?(update: unknown): void;
  onLog?(params: unknown): void;
  onAsk?(kind: QuestionKind, params: unknown, key?: string): Promise<unknown>;
  /** A `run` was taken on by the daemon. */
  onAccepted?(): void;
  /** A `run`'s output. */
  onOutput?(stream: "stdout" | "stderr", text: string): void;
  /** A `run` reads stdin: the next chunk, or undefined at its end. */
  onRead?(): Promise<Uint8Array | undefined>;
}

/**
 * Where a command's requests to the daemon go: a connection to it (connection.ts), or, for a
 * command the daemon runs itself for a caller, the daemon's own handling, in process.
 */
export interface DaemonChannel {
  request(method: DaemonMethod, params?: unknown, handlers?: RequestHandlers, signal?: AbortSignal): Promise<unknown>;
  /** Done with it: a kept server stays up in the daemon. */
  close(): void;
}

export interface WireError {
  name: string;
  message: string;
  hint?: string;
  stderrTail?: string[];
}

export function toWireError(error: unknown): WireError {
  if (error instanceof TetherError) {
    return { name: error.name, message: error.message, hint: error.hint, ...(error instanceof ConnectionError && { stderrTail: error.stderrTail }) };
  }
  return { name: "Error", message: error instanceof Error ? error.message : String(error) };
}

const ERROR_CLASSES: Record<string, new (message: string, options?: { hint?: string }) => TetherError> = {
  UsageError,
  ConfigError,
  ToolError,
  AuthError,
  CancelledError,
  TetherError,
};

/** The error as the command would have thrown it had it connected itself (same class, so the same exit code). */
export function fromWireError(wire: WireError): TetherError {
  if (wire.name === "ConnectionError") return new ConnectionError(wire.message, { hint: wire.hint, stderrTail: wire.stderrTail });
  const Class = ERROR_CLASSES[wire.name] ?? TetherError;
  return new Class(wire.message, { hint: wire.hint });
}

/** One line of JSON (a message never contains a raw newline: JSON escapes them). */
export function encodeLine(message: unknown): string {
  return JSON.stringify(message) + "\n";
}

/**
 * Calls `onMessage` with each line's parsed JSON. A line over the bound, or one that is not JSON,
 * fails the connection through `onError`: the peer is broken, and nothing after it can be trusted.
 * The decoder it returns takes a connection's bytes, and says false once the peer broke the wire
 * (the caller closes it).
 */
export function lineDecoder(onMessage: (message: unknown) => void, onError: (error: Error) => void, maxBytes = MAX_DAEMON_MESSAGE_BYTES): (data: Uint8Array) => boolean {
  let chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  const fail = (error: Error) => {
    failed = true;
    chunks = [];
    onError(error);
    return false;
  };
  return (bytes) => {
    if (failed) return false;
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      const piece = data.subarray(start, nl);
      if (size + piece.length > maxBytes) return fail(tooLong(maxBytes));
      const line = chunks.length === 0 ? piece : Buffer.concat([...chunks, piece]);
      chunks = [];
      size = 0;
      start = nl + 1;
      let message: unknown;
      try {
        message = JSON.parse(line.toString("utf8"));
      } catch {
        return fail(new Error("the keep-alive daemon's peer sent a line that is not JSON"));
      }
      onMessage(message);
      if (failed) return false;
    }
    const rest = data.subarray(start);
    if (rest.length === 0) return true;
    if (size + rest.length > maxBytes) return fail(tooLong(maxBytes));
    // Copied: the caller may reuse its buffer for the next read.
    chunks.push(Buffer.from(rest));
    size += rest.length;
    return true;
  };
}

function tooLong(maxBytes: number): Error {
  const bound = maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes} bytes`;
  return new Error(`a keep-alive message was longer than ${bound}, the most tether reads on its socket`);
}

/** lineDecoder on a connection to the daemon (its side): a broken peer's connection is closed. */
export function readLines(
  connection: { onData(handler: (bytes: Uint8Array) => void): void; destroy(): void },
  onMessage: (message: unknown) => void,
  onError: (error: Error) => void,
  maxBytes = MAX_DAEMON_MESSAGE_BYTES,
): void {
  const decode = lineDecoder(onMessage, onError, maxBytes);
  connection.onData((data) => {
    if (!decode(data)) connection.destroy();
  });
}
