// Tools that must run as tasks (2025-11-25 `execution.taskSupport: "required"`): create the task with
// tools/call, poll tasks/get at the server's pace, then fetch tasks/result. The v2 SDK keeps the task
// wire types but no longer drives tasks, so this is the driver; every message goes through the SDK's
// Client.request with the SDK's own result schemas.
import type { CallToolResult, Client } from "@modelcontextprotocol/client";
import { CallToolResultSchema, CancelTaskResultSchema, CreateTaskResultSchema, GetTaskResultSchema } from "@modelcontextprotocol/core";
import { CancelledError, ToolError } from "../errors.ts";
import { withTimeout } from "../timers.ts";

export interface TaskUpdate {
  taskId: string;
  status: string;
  message?: string;
}

export interface TaskCallOptions {
  /** No news from the task for this long (ms) ends the call, as tool_timeout_sec does for a plain call. */
  idleTimeoutMs: number;
  signal: AbortSignal;
  onUpdate?(update: TaskUpdate): void;
}

/** How long tether asks the server to keep the task's result. */
const TASK_TTL_MS = 60 * 60_000;
/** After Ctrl-C, how long to wait for a task being created to be named, so it can be cancelled. */
const CREATE_GRACE_MS = 1_000;
const MIN_POLL_MS = 50;
const MAX_POLL_MS = 5_000;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export async function callToolAsTask(client: Client, name: string, args: Record<string, unknown>, options: TaskCallOptions): Promise<CallToolResult> {
  const { signal } = options;
  const requestOptions = { signal, timeout: options.idleTimeoutMs };
  // The creating request is not cut by Ctrl-C: the server may have made the task already, and only
  // its answer names the task to cancel.
  const creation = client.request(
    { method: "tools/call", params: { name, arguments: args, task: { ttl: TASK_TTL_MS } } },
    CreateTaskResultSchema,
    { timeout: options.idleTimeoutMs },
  );
  const interrupted = () => new CancelledError("interrupted");
  const created = await withTimeout(creation, undefined, interrupted, { signal, aborted: interrupted }).catch(async (error: unknown) => {
    if (!signal.aborted) throw error;
    // Interrupted while the task was being created: wait a moment for its id, then cancel it.
    const late = await withTimeout(creation, CREATE_GRACE_MS, interrupted).catch(() => undefined);
    if (late) await cancelQuietly(client, late.task.taskId);
    throw interrupted();
  });
  let task = created.task;
  options.onUpdate?.({ taskId: task.taskId, status: task.status, message: task.statusMessage });
  let lastNews = Date.now();
  try {
    while (!TERMINAL.has(task.status)) {
      if (task.status === "input_required") {
        throw new ToolError(`tool "${name}" is waiting for input (task ${task.taskId}); tether cannot answer a task's input request yet`);
      }
      await sleep(clamp(task.pollInterval ?? 1_000, MIN_POLL_MS, MAX_POLL_MS), signal);
      const next = await client.request({ method: "tasks/get", params: { taskId: task.taskId } }, GetTaskResultSchema, requestOptions);
      if (next.status !== task.status || next.statusMessage !== task.statusMessage || next.lastUpdatedAt !== task.lastUpdatedAt) {
        lastNews = Date.now();
        if (next.status !== task.status || next.statusMessage !== task.statusMessage) {
          options.onUpdate?.({ taskId: next.taskId, status: next.status, message: next.statusMessage });
        }
      } else if (Date.now() - lastNews > options.idleTimeoutMs) {
        throw new ToolError(`tool "${name}" (task ${task.taskId}) reported nothing for ${Math.round(options.idleTimeoutMs / 1000)}s`);
      }
      task = next;
    }
  } catch (error) {
    if (signal.aborted) await cancelQuietly(client, task.taskId);
    throw signal.aborted ? new CancelledError("interrupted") : error;
  }
  if (task.status === "cancelled") throw new ToolError(`tool "${name}": the server cancelled task ${task.taskId}${task.statusMessage ? ` (${task.statusMessage})` : ""}`);
  // A failed task still has a result (usually isError) that says why.
  return (await client.request({ method: "tasks/result", params: { taskId: task.taskId } }, CallToolResultSchema, requestOptions)) as CallToolResult;
}

async function cancelQuietly(client: Client, taskId: string): Promise<void> {
  await client.request({ method: "tasks/cancel", params: { taskId } }, CancelTaskResultSchema, { timeout: 1_000 }).catch(() => {});
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError("interrupted"));
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError("interrupted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
