// The keep-alive daemon itself (`tether mcp daemon run`, started by the first command that needs
// it): listens on the config's socket, keeps the servers commands open, and exits after
// keep_alive_idle_sec without use. It removes its socket and metadata on the way out, but only
// while they are still its own (a replacement's are left alone).
import { chmodSync, existsSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { Context } from "../context.ts";
import { TetherError } from "../errors.ts";
import { writeFileAtomic } from "../files/atomic.ts";
import type { McpConnection } from "../mcp/connect.ts";
import { probeDaemon } from "./client.ts";
import { type DaemonFiles, type DaemonMeta, ensureOwnDir, readMeta, removeDaemonFiles } from "./paths.ts";
import { type Caller, type Connector, type OpenParams, ServerPool } from "./pool.ts";
import {
  type Answer,
  DAEMON_PROTOCOL,
  type DaemonChannel,
  type DaemonMessage,
  type DaemonRequest,
  encodeLine,
  type Input,
  type Interrupt,
  type QuestionKind,
  fromWireError,
  readLines,
  type RequestHandlers,
  type RunOutcome,
  type RunRequest,
  toWireError,
  type WireError,
} from "./protocol.ts";
import type { DaemonStatus, OpenedServer } from "./status.ts";
import { inDaemonRequest } from "./trace-requests.ts";
import { type DaemonConnection, listenDaemon } from "./listen.ts";

/** How long the daemon's own shutdown may take (closing every server) before it exits anyway. */
const SHUTDOWN_LIMIT_MS = 5_000;
/** Commands connected at once; more are turned away (each holds a socket and its requests). */
export const MAX_DAEMON_CLIENTS = 256;

export interface DaemonHostOptions {
  idleSec: number;
  connect: Connector;
  /** Runs a caller's whole command line here (`run`); without it, every `run` is handed back. */
  run?: CommandRunner;
}

/** Runs a command for a caller, or says why the caller should run it itself (nothing ran then). */
export type CommandRunner = (request: RunRequest, relay: RunRelay, daemon: DaemonChannel) => Promise<RunOutcome>;

/** A `run`'s line to its caller's process: its streams and its stop signals. */
export interface RunRelay {
  /** Says the command runs here: from now on the caller must not run it again. */
  accepted(): void;
  write(stream: "stdout" | "stderr", text: string): void;
  /** The caller's next stdin chunk; undefined at its end, or once the caller has gone. */
  read(): Promise<Uint8Array | undefined>;
  /** Calls `handler` on each stop signal the caller relays, and with SIGINT if the caller goes away. */
  onInterrupt(handler: (signal: Interrupt["signal"]) => void): () => void;
}

/** Runs the daemon until it is stopped, idles out or is signalled; resolves once it has cleaned up. */
export async function runDaemonHost(ctx: Context, files: DaemonFiles, options: DaemonHostOptions): Promise<"idle" | "stopped" | "signal" | "already-running"> {
  ensureOwnDir(files.dir);
  // A named pipe (Windows) has no directory of ours.
  if (process.platform !== "win32") ensureOwnDir(dirname(files.socket));
  const running = await probeDaemon(files);
  if (running) {
    ctx.log.notice(`a keep-alive daemon (pid ${running.pid}) already serves ${files.socket}`);
    return "already-running";
  }
  // A socket file nobody answers on is left over from a daemon that was killed.
  if (process.platform !== "win32" && existsSync(files.socket)) rmSync(files.socket, { force: true });

  // Traces (issue 23): the commands' trace context reaches the servers, traces on or off.
  ctx.tracing.relay();
  const pool = new ServerPool(ctx, options.connect);
  // Every way out closes the servers, Ctrl-C on a daemon run by hand included (its cleanups run
  // without waiting for this function).
  ctx.atExit(async () => {
    await pool.closeAll();
    removeIfOwned(files);
  });
  const startedAt = ctx.now();
  let idleMs = options.idleSec * 1000;
  let lastActivity = startedAt;
  const sockets = new Set<DaemonConnection>();
  let finish!: (why: "idle" | "stopped" | "signal") => void;
  const finished = new Promise<"idle" | "stopped" | "signal">((resolve) => (finish = resolve));

  const status = (): DaemonStatus => ({
    pid: process.pid,
    version: ctx.version,
    protocol: DAEMON_PROTOCOL,
    socket: files.socket,
    config: ctx.paths.config,
    startedAt,
    idleSec: idleMs / 1000,
    lastActivityAt: lastActivity,
    clients: sockets.size,
    servers: pool.states(),
  });

  const server = await listenDaemon(files.socket, (socket) => {
    if (sockets.size >= MAX_DAEMON_CLIENTS) return void socket.destroy();
    sockets.add(socket);
    lastActivity = ctx.now();
    serveClient(socket, {
      ctx,
      pool,
      run: options.run,
      status,
      touch: () => void (lastActivity = ctx.now()),
      setIdle: (sec) => void (idleMs = sec * 1000),
      stop: () => finish("stopped"),
    });
    socket.onClose(() => {
      sockets.delete(socket);
      lastActivity = ctx.now();
    });
  });
  // The directory already keeps others out; the socket's own mode says the same.
  if (process.platform !== "win32") chmodSync(files.socket, 0o600);
  const meta: DaemonMeta = { pid: process.pid, socket: files.socket, config: ctx.paths.config, version: ctx.version, protocol: DAEMON_PROTOCOL, startedAt };
  writeFileAtomic(files.meta, JSON.stringify(meta) + "\n", 0o600, { durable: false });
  ctx.log.notice(`keep-alive daemon ${process.pid} listening on ${files.socket} for ${ctx.paths.config} (idle exit after ${idleMs / 1000}s)`);

  // Checked at half the idle time (between 100 ms and 30 s), unref'd: the timer alone keeps nothing alive.
  const tick = Math.min(30_000, Math.max(100, idleMs / 2));
  const watcher = setInterval(() => {
    if (sockets.size === 0 && !pool.busy() && ctx.now() - lastActivity >= idleMs) finish("idle");
  }, tick);
  const onAbort = () => finish("signal");
  ctx.signal.addEventListener("abort", onAbort, { once: true });

  const why = await finished;
  clearInterval(watcher);
  ctx.signal.removeEventListener("abort", onAbort);
  ctx.log.notice(`keep-alive daemon ${process.pid} exiting (${why})`);
  server.close();
  for (const socket of sockets) socket.destroy();
  await Promise.race([pool.closeAll(), Bun.sleep(SHUTDOWN_LIMIT_MS)]);
  removeIfOwned(files);
  return why;
}

/** Deletes the socket and metadata only while the metadata names this process. */
function removeIfOwned(files: DaemonFiles): void {
  if (readMeta(files)?.pid === process.pid) removeDaemonFiles(files);
}

interface ClientHandling {
  ctx: Context;
  pool: ServerPool;
  run?: CommandRunner;
  status(): DaemonStatus;
  touch(): void;
  setIdle(sec: number): void;
  stop(): void;
}

/** One command's connection: its requests, and the answers to the questions asked on its behalf. */
function serveClient(socket: DaemonConnection, handling: ClientHandling): void {
  const { ctx, pool } = handling;
  const asks = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const running = new Map<number, AbortController>();
  // A `run`'s stdin reads waiting for their chunk, and its stop-signal listeners, by request id.
  const reads = new Map<number, ((chunk: Uint8Array | undefined) => void)[]>();
  const interrupts = new Map<number, Set<(signal: Interrupt["signal"]) => void>>();
  // A signal relayed before the run listens (it arrived as the run started) waits for it here.
  const unheard = new Map<number, Interrupt["signal"]>();
  let nextAsk = 1;
  let gone = false;
  // A run's output waits for the end of this turn of the event loop, or for the next message of
  // any other kind: a command that prints and ends reaches its caller in one write, which wakes it
  // once (issue 22). Everything else goes at once, after the output before it.
  let queued = "";
  const flush = () => {
    if (queued && !gone) socket.write(queued);
    queued = "";
  };
  const send = (message: DaemonMessage) => {
    if (gone) return;
    const wasEmpty = queued === "";
    queued += encodeLine(message);
    if (!("output" in message)) flush();
    else if (wasEmpty) setImmediate(flush);
  };
  socket.onClose(() => {
    gone = true;
    // The command went away (Ctrl-C, killed): its requests are cancelled, its questions unanswerable.
    for (const controller of running.values()) controller.abort(new TetherError("the command that made this request went away"));
    for (const ask of asks.values()) ask.reject(new TetherError("the command that was asked went away"));
    asks.clear();
    for (const waiting of reads.values()) for (const resolve of waiting) resolve(undefined);
    reads.clear();
    for (const listeners of interrupts.values()) for (const listener of listeners) listener("SIGINT");
  });
  const relayFor = (id: number): RunRelay => ({
    accepted: () => send({ id, accepted: true }),
    write: (stream, text) => send({ id, output: stream, text }),
    read() {
      if (gone) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        reads.set(id, [...(reads.get(id) ?? []), resolve]);
        send({ id, read: true });
      });
    },
    onInterrupt(handler) {
      const listeners = interrupts.get(id) ?? new Set();
      interrupts.set(id, listeners.add(handler));
      const missed = gone ? "SIGINT" : unheard.get(id);
      unheard.delete(id);
      if (missed) queueMicrotask(() => handler(missed));
      return () => void listeners.delete(handler);
    },
  });
  readLines(
    socket,
    (message) => {
      const m = message as Partial<DaemonRequest & Answer & Input & Interrupt>;
      if (typeof m.input === "number") {
        const waiting = reads.get(m.input);
        const resolve = waiting?.shift();
        if (waiting?.length === 0) reads.delete(m.input);
        const data = (m as { data?: unknown }).data;
        resolve?.(typeof data === "string" ? Buffer.from(data, "base64") : undefined);
        return;
      }
      if (typeof m.interrupt === "number") {
        const signal = m.signal === "SIGTERM" ? "SIGTERM" : "SIGINT";
        const listeners = interrupts.get(m.interrupt);
        if (listeners?.size) for (const listener of listeners) listener(signal);
        else if (running.has(m.interrupt)) unheard.set(m.interrupt, signal);
        return;
      }
      if (typeof m.answer === "number") {
        const ask = asks.get(m.answer);
        asks.delete(m.answer);
        if ("error" in m && m.error) ask?.reject(new TetherError((m.error as WireError).message));
        else ask?.resolve((m as { result: unknown }).result);
        return;
      }
      if (typeof m.id !== "number" || typeof m.method !== "string") return void socket.destroy();
      const id = m.id;
      const controller = new AbortController();
      running.set(id, controller);
      handling.touch();
      const caller: Caller = {
        ask(kind: QuestionKind, params: unknown, key?: string): Promise<unknown> {
          if (gone) return Promise.reject(new TetherError("the command that was asked went away"));
          const ask = nextAsk++;
          return new Promise((resolve, reject) => {
            asks.set(ask, { resolve, reject });
            send({ id, ask, kind, params, ...(key !== undefined && { key }) });
          });
        },
        log: (params: unknown) => send({ id, log: params }),
      };
      // Traces (issue 23): in the trace of the command that asked.
      inDaemonRequest(ctx, m.method, (m.params ?? {}) as Record<string, unknown>, () =>
        handle(m as DaemonRequest, { ...handling, caller, signal: controller.signal, progress: (update) => send({ id, progress: update }), relay: () => relayFor(id) }),
      )
        .then((result) => send({ id, result }))
        .catch((error: unknown) => send({ id, error: toWireError(error) }))
        .finally(() => {
          running.delete(id);
          reads.delete(id);
          interrupts.delete(id);
          unheard.delete(id);
          handling.touch();
        });
    },
    (error) => ctx.log.warn(error.message),
  );
}

interface RequestHandling extends ClientHandling {
  caller: Caller;
  signal: AbortSignal;
  progress(update: unknown): void;
  relay(): RunRelay;
}

async function handle(request: DaemonRequest, h: RequestHandling): Promise<unknown> {
  const p = (request.params ?? {}) as Record<string, any>;
  const now = h.ctx.now();
  const on = <T>(work: (connection: McpConnection) => Promise<T>) => h.pool.run(String(p.server), h.caller, now, work);
  const options = { signal: h.signal, logLevel: p.logLevel, onProgress: h.progress };
  switch (request.method) {
    case "status":
      return h.status();
    case "run":
      return h.run ? h.run(p as RunRequest, h.relay(), inProcess(h)) : ({ fallback: "this daemon runs no commands" } satisfies RunOutcome);
    case "stop":
      setImmediate(h.stop);
      return { pid: process.pid };
    case "open": {
      if (typeof p.idleSec === "number" && p.idleSec > 0) h.setIdle(p.idleSec);
      const { connection, restarted } = await h.pool.open(p.open as OpenParams, now, h.caller);
      return describeOpened(connection, restarted);
    }
    case "listTools":
      return on((c) => c.refreshTools());
    case "callTool":
      return on((c) => c.callTool(String(p.name), p.args ?? {}, options));
    case "listResources":
      return on((c) => c.listResources());
    case "listResourceTemplates":
      return on((c) => c.listResourceTemplates());
    case "readResource":
      return on((c) => c.readResource(String(p.uri), options));
    case "listPrompts":
      return on((c) => c.listPrompts());
    case "getPrompt":
      return on((c) => c.getPrompt(String(p.name), p.args ?? {}, options));
    case "complete":
      return on((c) => c.complete(p.params, options));
    default:
      throw new TetherError(`the keep-alive daemon does not know the request "${String(request.method)}"; is the command from another tether version?`);
  }
}

/**
 * The daemon as a channel for a command it runs itself: the requests a connection would carry,
 * handled directly. Errors cross as they would over the socket (same class, message and hint).
 */
function inProcess(handling: ClientHandling): DaemonChannel {
  return {
    request(method, params, handlers: RequestHandlers = {}, signal) {
      const caller: Caller = {
        ask: (kind, question, key) => handlers.onAsk?.(kind, question, key) ?? Promise.reject(new TetherError("this command answers no questions")),
        log: (line) => handlers.onLog?.(line),
      };
      const relay = () => {
        throw new TetherError("a command run by the keep-alive daemon cannot run another");
      };
      const request = { ...handling, caller, signal: signal ?? new AbortController().signal, progress: (update: unknown) => handlers.onProgress?.(update), relay };
      return handle({ id: 0, method, params }, request).catch((error: unknown) => {
        throw fromWireError(toWireError(error));
      });
    },
    close() {},
  };
}

function describeOpened(connection: McpConnection, restarted: "crashed" | "config" | undefined): OpenedServer {
  return {
    via: connection.via,
    serverInfo: connection.serverInfo,
    protocolVersion: connection.protocolVersion,
    era: connection.era,
    tools: connection.tools,
    latencyMs: connection.latencyMs,
    pid: connection.pid,
    capabilities: connection.capabilities(),
    stderrTail: connection.stderrTail(),
    ...(restarted && { restarted }),
  };
}
