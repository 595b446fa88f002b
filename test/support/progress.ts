// Progress as it reached a client, read off its transport. The SDK client hands a progress
// notification to its `onprogress` a microtask after it reads it, and drops it when the call's
// result came in the same read (the handler is gone by then): on a loaded machine two messages
// sent tens of milliseconds apart often share a read. What a server (or tether in between) sent,
// and in which order, is on the wire whatever the timing.
import type { JSONRPCMessage } from "@modelcontextprotocol/client";

/** What is used of a connected client (either SDK's): its transport's message callback. */
interface Connected {
  readonly transport?: { onmessage?: (message: JSONRPCMessage, extra?: never) => void };
}

/** The `progress` of each notifications/progress `client` receives from now on, in order. */
export function wireProgress(client: Connected): number[] {
  const transport = client.transport;
  if (!transport?.onmessage) throw new Error("wireProgress: connect the client first");
  const seen: number[] = [];
  const deliver = transport.onmessage.bind(transport);
  transport.onmessage = (message, extra) => {
    if ("method" in message && message.method === "notifications/progress") seen.push((message.params as { progress: number }).progress);
    deliver(message, extra);
  };
  return seen;
}
