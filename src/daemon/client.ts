// A command's side of the daemon: find the running one (a status request answered with its pid),
// start one under the start lock when there is none, and send it requests on one connection.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import type { Context } from "../context.ts";
import { ConnectionError, TetherError } from "../errors.ts";
import { withFileLock } from "../files/atomic.ts";
import type { DaemonMeta } from "./host.ts";
import { launchDaemon } from "./launch.ts";
import { isProcessAlive } from "./process-alive.ts";
import { type DaemonFiles, daemonFiles, ensureOwnDir } from "./paths.ts";
import { DAEMON_PROTOCOL, type DaemonMessage, type DaemonMethod, encodeLine, fromWireError, type QuestionKind, readLines, toWireError } from "./protocol.ts";
import type { DaemonStatus } from "./status.ts";

/** How long a started daemon may take to answer its first status request. */
export const DAEMON_START_TIMEOUT_MS = 15_000;
/** How long a daemon that exists may take to answer a status request before it counts as hung. */
const STATUS_TIMEOUT_MS = 2_000;
/** How long `stop` waits for the daemon's process to end before killing it. */
const STOP_WAIT_MS = 8_000;
const POLL_MS = 50;

export interface RequestHandlers {
  onProgress?(update: unknown): void;
  onLog?(params: unknown): void;
  onAsk?(kind: QuestionKind, params: unknown, key?: string): Promise<unknown>;
}

/** One open connection to the daemon; requests may overlap. */
export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; handlers: RequestHandlers }>();
  private closedError?: Error;

  constructor(private readonly socket: Socket) {
    readLines(
      socket,
      (message) => this.receive(message as DaemonMessage),
      (error) => this.fail(error),
    );
    socket.on("close", () => this.fail(new ConnectionError("the keep-alive daemon closed the connection", { hint: "see: tether mcp daemon logs" })));
    socket.on("error", (error) => this.fail(error));
  }

  request(method: DaemonMethod, params?: unknown, handlers: RequestHandlers = {}, signal?: AbortSignal): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, handlers });
      // Cancelling a request closes the connection: the daemon cancels everything it runs for it.
      signal?.addEventListener("abort", () => this.socket.destroy(), { once: true });
      this.socket.write(encodeLine({ id, method, params }));
    });
  }

  close(): void {
    this.socket.end();
  }

  private receive(message: DaemonMessage): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if ("ask" in message) {
      const { ask } = message;
      const answer = entry.handlers.onAsk?.(message.kind, message.params, message.key) ?? Promise.reject(new TetherError("this command answers no questions"));
      answer.then(
        (result) => this.socket.write(encodeLine({ answer: ask, result })),
        (error: unknown) => this.socket.write(encodeLine({ answer: ask, error: toWireError(error) })),
      );
    } else if ("progress" in message) entry.handlers.onProgress?.(message.progress);
    else if ("log" in message) entry.handlers.onLog?.(message.log);
    else {
      this.pending.delete(message.id);
      if ("error" in message) entry.reject(fromWireError(message.error));
      else entry.resolve(message.result);
    }
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const entry of this.pending.values()) entry.reject(this.closedError);
    this.pending.clear();
  }
}

/** A connection to the socket, or undefined when nothing listens there. */
export function connectSocket(path: string, timeoutMs: number): Promise<Socket | undefined> {
  if (process.platform !== "win32" && !existsSync(path)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/**
 * The daemon's status when one answers on the socket within `timeoutMs`. A bare connect is not
 * enough: the kernel accepts connections on a hung daemon's listening socket.
 */
export async function probeDaemon(files: DaemonFiles, timeoutMs = STATUS_TIMEOUT_MS): Promise<DaemonStatus | undefined> {
  const socket = await connectSocket(files.socket, timeoutMs);
  if (!socket) return undefined;
  const client = new DaemonClient(socket);
  try {
    const status = (await Promise.race([client.request("status"), Bun.sleep(timeoutMs).then(() => undefined)])) as DaemonStatus | undefined;
    return status && typeof status.pid === "number" ? status : undefined;
  } catch {
    return undefined;
  } finally {
    socket.destroy();
  }
}

/** The status of this config's daemon, or undefined when none runs. */
export function daemonStatus(ctx: Context): Promise<DaemonStatus | undefined> {
  return probeDaemon(daemonFiles(ctx));
}

/**
 * A connection to this config's daemon, starting it first when none answers. Starting is
 * serialised across processes by the start lock; whoever gets it second finds the first one's
 * daemon answering. A daemon of another protocol version is stopped and replaced.
 */
export async function ensureDaemon(ctx: Context): Promise<{ client: DaemonClient; status: DaemonStatus; started: boolean }> {
  const files = daemonFiles(ctx);
  const ready = await connectReady(files);
  if (ready) return { ...ready, started: false };
  ensureOwnDir(files.dir);
  return withFileLock(
    files.lock,
    async () => {
      const raced = await connectReady(files);
      if (raced) return { ...raced, started: false };
      await clearStale(ctx, files);
      const { pid, exited } = launchDaemon(ctx, files);
      ctx.log.debug(`started keep-alive daemon ${pid} (log: ${files.log})`);
      const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
      let exitCode: number | null | undefined;
      void exited.then((code) => (exitCode = code));
      while (Date.now() < deadline) {
        const status = await probeDaemon(files);
        if (status?.pid === pid) {
          const socket = await connectSocket(files.socket, STATUS_TIMEOUT_MS);
          if (socket) return { client: new DaemonClient(socket), status, started: true };
        }
        if (exitCode !== undefined) break;
        await Bun.sleep(POLL_MS);
      }
      if (exitCode === undefined) killQuietly(pid, "SIGKILL");
      throw new ConnectionError(
        exitCode !== undefined ? `the keep-alive daemon exited as it started (exit ${exitCode})` : `the keep-alive daemon did not answer within ${DAEMON_START_TIMEOUT_MS / 1000}s`,
        { hint: `see its log: tether mcp daemon logs (${files.log})` },
      );
    },
    { timeoutMs: DAEMON_START_TIMEOUT_MS * 2, staleMs: DAEMON_START_TIMEOUT_MS * 2 },
  );
}

async function connectReady(files: DaemonFiles): Promise<{ client: DaemonClient; status: DaemonStatus } | undefined> {
  const status = await probeDaemon(files);
  if (!status) return undefined;
  if (status.protocol !== DAEMON_PROTOCOL) {
    // Left by another tether version: it cannot understand this command's requests.
    await stopPid(files, status.pid);
    return undefined;
  }
  const socket = await connectSocket(files.socket, STATUS_TIMEOUT_MS);
  return socket ? { client: new DaemonClient(socket), status } : undefined;
}

/**
 * Before a start: a daemon the metadata names that is alive but did not answer is hung, and is
 * killed; its socket and metadata are removed either way.
 */
async function clearStale(ctx: Context, files: DaemonFiles): Promise<void> {
  const meta = readMeta(files);
  if (meta && meta.pid !== process.pid && isProcessAlive(meta.pid) && meta.socket === files.socket) {
    ctx.log.warn(`the keep-alive daemon ${meta.pid} does not answer; stopping it`);
    await stopPid(files, meta.pid);
  }
  rmSync(files.meta, { force: true });
  if (process.platform !== "win32") rmSync(files.socket, { force: true });
}

export function readMeta(files: DaemonFiles): DaemonMeta | undefined {
  try {
    const meta = JSON.parse(readFileSync(files.meta, "utf8")) as DaemonMeta;
    return typeof meta.pid === "number" ? meta : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops this config's daemon: asks it, waits for its process to end, kills it if it does not.
 * Returns the pid stopped, or undefined when none was running.
 */
export async function stopDaemon(ctx: Context): Promise<number | undefined> {
  const files = daemonFiles(ctx);
  const status = await probeDaemon(files);
  const pid = status?.pid ?? readMeta(files)?.pid;
  if (pid === undefined || !isProcessAlive(pid)) {
    // Nothing runs; what a killed daemon left behind goes.
    if (!status) {
      rmSync(files.meta, { force: true });
      if (process.platform !== "win32" && existsSync(files.socket)) rmSync(files.socket, { force: true });
    }
    return undefined;
  }
  if (status) {
    const socket = await connectSocket(files.socket, STATUS_TIMEOUT_MS);
    if (socket) {
      const client = new DaemonClient(socket);
      await client.request("stop").catch(() => {});
      socket.destroy();
    }
  }
  await stopPid(files, pid, !status);
  return pid;
}

/** Waits for `pid` to end (after SIGTERM when `signal`), then SIGKILL; removes what it left. */
async function stopPid(files: DaemonFiles, pid: number, signal = true): Promise<void> {
  if (signal) killQuietly(pid, "SIGTERM");
  const deadline = Date.now() + STOP_WAIT_MS;
  while (isProcessAlive(pid) && Date.now() < deadline) await Bun.sleep(POLL_MS);
  if (isProcessAlive(pid)) killQuietly(pid, "SIGKILL");
  if (readMeta(files)?.pid === pid) {
    rmSync(files.meta, { force: true });
    if (process.platform !== "win32") rmSync(files.socket, { force: true });
  }
}


function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
