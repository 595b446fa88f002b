// The daemon's end of its socket: Bun's own listener on Unix, node:net for Windows named pipes.
// Bun's takes a command's connection and its first message ~0.25 ms sooner than node:net's, whose
// sockets are Node streams; every warm command waits for that (issue 22, bench/keep-alive.ts).
import { type SocketWriter, socketWriter } from "./connection.ts";

/** One command's connection, as the daemon uses it. */
export interface DaemonConnection {
  write(text: string): void;
  /** Closes it at once; what was not sent yet is dropped. */
  destroy(): void;
  onData(handler: (bytes: Uint8Array) => void): void;
  /** Each handler is called once, when the connection is gone (closed by either side, or broken). */
  onClose(handler: () => void): void;
}

export interface DaemonListener {
  /** Stops taking connections; those open stay open. */
  close(): void;
}

interface Handlers {
  data?: (bytes: Uint8Array) => void;
  close: (() => void)[];
  closed: boolean;
  writer?: SocketWriter;
}

/** Listens on `path` (which must not exist) and hands each new connection to `onConnection`. */
export async function listenDaemon(path: string, onConnection: (connection: DaemonConnection) => void): Promise<DaemonListener> {
  if (process.platform === "win32") return listenNode(path, onConnection);
  const closed = (handlers: Handlers) => {
    if (handlers.closed) return;
    handlers.closed = true;
    for (const handler of handlers.close) handler();
  };
  const listener = Bun.listen<Handlers>({
    unix: path,
    socket: {
      open(socket) {
        const handlers: Handlers = { close: [], closed: false };
        socket.data = handlers;
        const writer = (handlers.writer = socketWriter(socket));
        onConnection({
          write: (text) => void (handlers.closed || writer.write(text)),
          destroy() {
            socket.terminate();
            closed(handlers);
          },
          onData: (handler) => void (handlers.data = handler),
          onClose: (handler) => void handlers.close.push(handler),
        });
      },
      data: (socket, bytes) => socket.data.data?.(bytes),
      drain: (socket) => socket.data.writer?.flush(),
      // The command is done sending (it half-closed): close our side too, as node:net's server does.
      end: (socket) => socket.data.writer?.end(),
      close: (socket) => closed(socket.data),
      error: (socket) => closed(socket.data),
    },
  });
  return { close: () => listener.stop() };
}

async function listenNode(path: string, onConnection: (connection: DaemonConnection) => void): Promise<DaemonListener> {
  const { createServer } = await import("node:net");
  const server = createServer((socket) => {
    socket.on("error", () => {});
    onConnection({
      write: (text) => void socket.write(text),
      destroy: () => void socket.destroy(),
      onData: (handler) => void socket.on("data", handler),
      onClose: (handler) => void socket.once("close", handler),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  return { close: () => void server.close() };
}
