// One connection from a command to its keep-alive daemon: requests out, their answers, progress,
// log lines, questions and (for `run`) output and stdin reads back. Kept apart from client.ts
// (finding and starting the daemon), so the thin client of a relayed command (cli/daemon-relay.ts)
// loads only this.
import { ConnectionError, TetherError } from "../errors.ts";
import {
  type DaemonChannel,
  type DaemonMessage,
  type DaemonMethod,
  encodeLine,
  fromWireError,
  type Input,
  type Interrupt,
  lineDecoder,
  type RequestHandlers,
  toWireError,
} from "./protocol.ts";

/** The client's end of a connection: bytes out, and close. */
interface Wire {
  write(text: string): void;
  /** Closes once everything written has been sent. */
  end(): void;
  destroy(): void;
}

interface WireEvents {
  data(bytes: Uint8Array): void;
  close(error?: Error): void;
}

/** One open connection to the daemon; requests may overlap. */
export class DaemonClient implements DaemonChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; handlers: RequestHandlers }>();
  private closedError?: Error;
  private wire!: Wire;

  /** A client on the daemon's socket, or undefined when nothing listens there. */
  static async connect(path: string, timeoutMs: number): Promise<DaemonClient | undefined> {
    const client = new DaemonClient();
    const decode = lineDecoder(
      (message) => client.receive(message as DaemonMessage),
      (error) => {
        client.fail(error);
        client.wire.destroy();
      },
    );
    const wire = await connectSocket(path, timeoutMs, {
      data: (bytes) => void decode(bytes),
      close: (error) => client.fail(error ?? new ConnectionError("the keep-alive daemon closed the connection", { hint: "see: tether mcp daemon logs" })),
    });
    if (!wire) return undefined;
    client.wire = wire;
    return client;
  }

  private constructor() {}

  request(method: DaemonMethod, params?: unknown, handlers: RequestHandlers = {}, signal?: AbortSignal): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, handlers });
      // Cancelling a request closes the connection: the daemon cancels everything it runs for it.
      signal?.addEventListener("abort", () => this.destroy(), { once: true });
      this.wire.write(encodeLine({ id, method, params }));
    });
  }

  /** Relays a stop signal to every request under way (a `run` ends as the command would on it). */
  interrupt(signal: Interrupt["signal"]): void {
    for (const id of this.pending.keys()) this.wire.write(encodeLine({ interrupt: id, signal } satisfies Interrupt));
  }

  close(): void {
    this.wire.end();
  }

  destroy(): void {
    this.wire.destroy();
  }

  private receive(message: DaemonMessage): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if ("ask" in message) {
      const { ask } = message;
      const answer = entry.handlers.onAsk?.(message.kind, message.params, message.key) ?? Promise.reject(new TetherError("this command answers no questions"));
      answer.then(
        (result) => this.wire.write(encodeLine({ answer: ask, result })),
        (error: unknown) => this.wire.write(encodeLine({ answer: ask, error: toWireError(error) })),
      );
    } else if ("output" in message) entry.handlers.onOutput?.(message.output, message.text);
    else if ("read" in message) void this.sendInput(message.id, entry.handlers);
    else if ("accepted" in message) entry.handlers.onAccepted?.();
    else if ("progress" in message) entry.handlers.onProgress?.(message.progress);
    else if ("log" in message) entry.handlers.onLog?.(message.log);
    else {
      this.pending.delete(message.id);
      if ("error" in message) entry.reject(fromWireError(message.error));
      else entry.resolve(message.result);
    }
  }

  private async sendInput(id: number, handlers: RequestHandlers): Promise<void> {
    let input: Input;
    try {
      const chunk = await handlers.onRead?.();
      input = chunk ? { input: id, data: Buffer.from(chunk).toString("base64") } : { input: id, end: true };
    } catch {
      input = { input: id, end: true };
    }
    this.wire.write(encodeLine(input));
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const entry of this.pending.values()) entry.reject(this.closedError);
    this.pending.clear();
  }
}

/**
 * Connects to the socket, or resolves undefined when nothing listens there (or there is no such
 * file). Bun's own socket on Unix: node:net would load Node's stream machinery, milliseconds every
 * warm command would pay; node:fs is left out for the same reason (cli/daemon-relay.ts).
 */
async function connectSocket(path: string, timeoutMs: number, events: WireEvents): Promise<Wire | undefined> {
  if (process.platform === "win32") return connectNodeSocket(path, timeoutMs, events);
  let socket: Awaited<ReturnType<typeof Bun.connect>> | undefined;
  let writer: SocketWriter | undefined;
  let closed = false;
  const close = (error?: Error) => {
    if (closed) return;
    closed = true;
    events.close(error);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // Not Promise.race: the first use of a builtin written in JavaScript costs the thin client of a
    // relayed command (cli/daemon-relay.ts) about a tenth of a millisecond.
    socket = await new Promise<NonNullable<typeof socket>>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      Bun.connect({
        unix: path,
        socket: {
          data: (_socket, data) => events.data(data),
          drain: () => writer?.flush(),
          end: () => close(),
          close: () => close(),
          error: (_socket, error) => close(error),
        },
      }).then(resolve, reject);
    });
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  const open = (writer = socketWriter(socket));
  return {
    write(text) {
      if (!closed) open.write(text);
    },
    end: () => open.end(),
    destroy() {
      socket?.terminate();
      close();
    },
  };
}

/** Writes to one of Bun's sockets, keeping what the kernel did not take yet until it drains. */
export interface SocketWriter {
  write(text: string): void;
  /** Sends what waits; called on the socket's drain. */
  flush(): void;
  /** Ends the socket once everything written has been sent. */
  end(): void;
}

export function socketWriter(socket: { write(data: Uint8Array): number; end(): void }): SocketWriter {
  // Bytes the kernel did not take yet (a large message), sent on drain.
  const unsent: Uint8Array[] = [];
  const encoder = new TextEncoder();
  let ending = false;
  const flush = () => {
    while (unsent.length > 0) {
      const chunk = unsent[0]!;
      const written = socket.write(chunk);
      if (written < chunk.length) {
        unsent[0] = chunk.subarray(Math.max(0, written));
        return;
      }
      unsent.shift();
    }
    if (ending) socket.end();
  };
  return {
    write(text) {
      unsent.push(encoder.encode(text));
      if (unsent.length === 1) flush();
    },
    flush,
    end() {
      ending = true;
      if (unsent.length === 0) socket.end();
    },
  };
}

/** Windows named pipes through node:net (Bun's own sockets take Unix paths). */
async function connectNodeSocket(path: string, timeoutMs: number, events: WireEvents): Promise<Wire | undefined> {
  const { connect } = await import("node:net");
  const socket = await new Promise<import("node:net").Socket | undefined>((resolve) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(undefined);
    }, timeoutMs);
    s.once("connect", () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once("error", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (!socket) return undefined;
  socket.on("data", (data: Buffer) => events.data(data));
  socket.on("close", () => events.close());
  socket.on("error", (error) => events.close(error));
  return { write: (text) => void socket.write(text), end: () => void socket.end(), destroy: () => void socket.destroy() };
}
