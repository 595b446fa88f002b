// A command's side of the daemon: find the running one (a status request answered with its pid),
// start one under the start lock when there is none, and send it requests on one connection.
import { readFileSync } from "node:fs";
import type { Context } from "../context.ts";
import { ConnectionError, TetherError } from "../errors.ts";
import { isProcessAlive, withFileLock } from "../files/atomic.ts";
import { type DaemonFiles, daemonFiles, ensureOwnDir, readMeta, removeDaemonFiles } from "./paths.ts";
import { DaemonClient } from "./connection.ts";
import { DAEMON_PROTOCOL } from "./protocol.ts";
import type { DaemonStatus } from "./status.ts";

/** How long a started daemon may take to answer its first status request. */
export const DAEMON_START_TIMEOUT_MS = 15_000;
/** How long a daemon that exists may take to answer a status request before it counts as hung. */
const STATUS_TIMEOUT_MS = 2_000;
/** How long `stop` waits for the daemon's process to end before killing it. */
const STOP_WAIT_MS = 8_000;
const POLL_MS = 50;

type Waits = NonNullable<Context["daemonWaits"]>;

function waitsOf(ctx: Context): Waits {
  return ctx.daemonWaits ?? { statusMs: STATUS_TIMEOUT_MS, stopMs: STOP_WAIT_MS };
}

/**
 * A connection to the daemon with its status, when one answers on the socket within `timeoutMs`.
 * A bare connect is not enough: the kernel accepts connections on a hung daemon's listening socket.
 */
async function connectAnswered(files: DaemonFiles, timeoutMs = STATUS_TIMEOUT_MS): Promise<{ client: DaemonClient; status: DaemonStatus } | undefined> {
  const client = await DaemonClient.connect(files.socket, timeoutMs);
  if (!client) return undefined;
  const status = await statusOf(client, timeoutMs);
  if (status) return { client, status };
  client.destroy();
  return undefined;
}

/** The daemon's status when one answers on the socket within `timeoutMs` (connectAnswered, the connection closed). */
export async function probeDaemon(files: DaemonFiles, timeoutMs = STATUS_TIMEOUT_MS): Promise<DaemonStatus | undefined> {
  const answered = await connectAnswered(files, timeoutMs);
  answered?.client.destroy();
  return answered?.status;
}

/** Whether the daemon runs this tether's code: one of another version (an upgrade) is replaced. */
function isCurrent(status: DaemonStatus, version: string): boolean {
  return status.protocol === DAEMON_PROTOCOL && status.version === version;
}

async function statusOf(client: DaemonClient, timeoutMs: number): Promise<DaemonStatus | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const status = (await Promise.race([client.request("status"), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))])) as DaemonStatus | undefined;
    return status && typeof status.pid === "number" ? status : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** The status of this config's daemon, or undefined when none runs. */
export function daemonStatus(ctx: Context): Promise<DaemonStatus | undefined> {
  return probeDaemon(daemonFiles(ctx), waitsOf(ctx).statusMs);
}

/**
 * A connection to this config's daemon, starting it first when none answers. Starting is
 * serialised across processes by the start lock; whoever gets it second finds the first one's
 * daemon answering. A daemon of another tether version is stopped and replaced.
 */
export async function ensureDaemon(ctx: Context): Promise<{ client: DaemonClient; status: DaemonStatus; started: boolean }> {
  const files = daemonFiles(ctx);
  const ready = await connectReady(files, ctx.version, waitsOf(ctx));
  return ready ? { ...ready, started: false } : startUnderLock(ctx, files);
}

/** Starts the daemon under the start lock, unless one that got the lock first already answers. */
async function startUnderLock(ctx: Context, files: DaemonFiles): Promise<{ client: DaemonClient; status: DaemonStatus; started: boolean }> {
  ensureOwnDir(files.dir);
  const waits = waitsOf(ctx);
  return withFileLock(
    files.lock,
    async () => {
      const raced = await connectReady(files, ctx.version, waits);
      if (raced) return { ...raced, started: false };
      await clearStale(ctx, files);
      const { launchDaemon } = await import("./launch.ts");
      const { pid, exited } = await launchDaemon(ctx, files);
      ctx.log.debug(`started keep-alive daemon ${pid} (log: ${files.log})`);
      const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
      let exitCode: number | null | undefined;
      void exited.then((code) => (exitCode = code));
      while (Date.now() < deadline) {
        const answered = await connectAnswered(files, waits.statusMs);
        if (answered?.status.pid === pid) return { ...answered, started: true };
        answered?.client.destroy();
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

/**
 * Runs `first` on this config's daemon, starting the daemon if need be. On a warm daemon the
 * first request goes out right behind the status request, so a warm command waits for one round
 * trip, not two; should the status not come (a hung daemon) or name another version, that answer
 * is dropped and `first` runs again on the daemon started in its place.
 */
export async function withDaemon<T>(ctx: Context, first: (client: DaemonClient) => Promise<T>): Promise<{ client: DaemonClient; result: T }> {
  const files = daemonFiles(ctx);
  const waits = waitsOf(ctx);
  const client = await DaemonClient.connect(files.socket, waits.statusMs);
  if (client) {
    const status = statusOf(client, waits.statusMs);
    const result = first(client);
    const answered = await status;
    if (answered && isCurrent(answered, ctx.version)) return { client, result: await result };
    result.catch(() => {});
    client.destroy();
    if (answered) await stopPid(files, answered.pid, waits);
  }
  // Straight to the start: asking again outside the lock would wait out a hung daemon twice.
  const { client: started } = await startUnderLock(ctx, files);
  return { client: started, result: await first(started) };
}

async function connectReady(files: DaemonFiles, version: string, waits: Waits): Promise<{ client: DaemonClient; status: DaemonStatus } | undefined> {
  // One connection for the status and the requests after it: a warm command pays one connect.
  const answered = await connectAnswered(files, waits.statusMs);
  if (!answered || isCurrent(answered.status, version)) return answered;
  // Left by another tether version (an upgrade): it would serve this command with its old code.
  answered.client.destroy();
  await stopPid(files, answered.status.pid, waits);
  return undefined;
}

/**
 * Before a start: a daemon the metadata names that is alive but did not answer is hung, and is
 * killed; its socket and metadata are removed either way.
 */
async function clearStale(ctx: Context, files: DaemonFiles): Promise<void> {
  const meta = readMeta(files);
  const waits = waitsOf(ctx);
  if (meta && meta.socket === files.socket && (await isHungDaemon(files, meta.pid, waits))) {
    ctx.log.warn(`the keep-alive daemon ${meta.pid} does not answer; stopping it`);
    await stopPid(files, meta.pid, waits);
  }
  removeDaemonFiles(files);
}

/**
 * Whether `pid`, named by the metadata, is this config's daemon alive but not answering: its
 * socket still accepts connections (the kernel does that for a hung process), and on Linux its
 * command line is a daemon's. A pid the system has since given to another process is never killed.
 */
async function isHungDaemon(files: DaemonFiles, pid: number, waits: Waits): Promise<boolean> {
  if (pid === process.pid || !isProcessAlive(pid)) return false;
  if (process.platform === "linux") {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("mcp\0daemon\0run")) return false;
    } catch {
      return false;
    }
  }
  const client = await DaemonClient.connect(files.socket, waits.statusMs);
  client?.destroy();
  return client !== undefined;
}

/**
 * Stops this config's daemon: asks it, waits for its process to end, kills it if it does not.
 * Returns the pid stopped, or undefined when none was running.
 */
export async function stopDaemon(ctx: Context): Promise<number | undefined> {
  const files = daemonFiles(ctx);
  const waits = waitsOf(ctx);
  const answered = await connectAnswered(files, waits.statusMs);
  if (answered) {
    // Asked on the connection that got the status: the daemon that answered is the one stopped.
    await answered.client.request("stop").catch(() => {});
    answered.client.destroy();
    await stopPid(files, answered.status.pid, waits, false);
    return answered.status.pid;
  }
  // Without an answer, the metadata's pid is stopped only when it is a hung daemon of this config.
  const metaPid = readMeta(files)?.pid;
  if (metaPid === undefined || !(await isHungDaemon(files, metaPid, waits))) {
    // Nothing runs; what a killed daemon left behind goes.
    removeDaemonFiles(files);
    return undefined;
  }
  await stopPid(files, metaPid, waits);
  return metaPid;
}

/** Waits for `pid` to end (after SIGTERM when `signal`), then SIGKILL; removes what it left. */
async function stopPid(files: DaemonFiles, pid: number, waits: Waits, signal = true): Promise<void> {
  if (signal) killQuietly(pid, "SIGTERM");
  const deadline = Date.now() + waits.stopMs;
  while (isProcessAlive(pid) && Date.now() < deadline) await Bun.sleep(POLL_MS);
  if (isProcessAlive(pid)) killQuietly(pid, "SIGKILL");
  if (readMeta(files)?.pid === pid) removeDaemonFiles(files);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
