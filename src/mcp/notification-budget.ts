// Keeps a server's notifications from drowning tether: at most MAX_NOTIFICATIONS_PER_SEC reach the
// SDK per server, the excess is dropped before the SDK dispatches it, and progress notifications
// for tokens tether never issued are dropped outright (the SDK would build an Error, stringify the
// whole notification and report it, for every one of them).
//
// It sits on the transport instance, not around it: the SDK probes the era on a sibling process
// only when the transport is exactly its StdioClientTransport (docs/protocol-versions.md), so a
// subclass or a proxy object would change how tether connects.
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";

/** Notifications per second one server may send; beyond that they are dropped until the next second. */
export const MAX_NOTIFICATIONS_PER_SEC = 1_000;

export interface NotificationBudgetOptions {
  /** Per-second allowance (tests and benches may lower it). */
  perSecond?: number;
  /** Called once, the first time a notification is dropped for being over the budget. */
  onFirstExcess(): void;
  /** The clock, in ms. */
  now?(): number;
}

type MessageHandler = NonNullable<Transport["onmessage"]>;

/**
 * Makes `transport` pass at most `perSecond` notifications a second to whatever handler the SDK
 * installs as `onmessage`, and only progress notifications for tokens tether sent. Responses and
 * requests always pass. Call before `client.connect(transport)`.
 */
export function guardNotifications(transport: Transport, options: NotificationBudgetOptions): void {
  const perSecond = options.perSecond ?? MAX_NOTIFICATIONS_PER_SEC;
  const now = options.now ?? (() => performance.now());
  /** Progress tokens of requests still waiting for their answer, by request id. */
  const issued = new Map<string | number, string | number>();
  const tokens = new Set<string | number>();
  let windowStart = now();
  let used = 0;
  let warned = false;
  // The SDK may read `onmessage` back and wrap it in another handler; every wrapper then sees the
  // same message object, which must be judged (and counted) once.
  let judged: unknown;
  let verdict = true;

  const admit = (message: JSONRPCMessage): boolean => {
    if (message === judged) return verdict;
    judged = message;
    return (verdict = judge(message));
  };

  const judge = (message: JSONRPCMessage): boolean => {
    if (!("method" in message) || "id" in message) {
      // A response ends its request's progress token; requests and responses always pass.
      if ("id" in message && !("method" in message) && message.id !== undefined) {
        const token = issued.get(message.id);
        if (token !== undefined) {
          issued.delete(message.id);
          tokens.delete(token);
        }
      }
      return true;
    }
    if (message.method === "notifications/progress") {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      if ((typeof token !== "string" && typeof token !== "number") || !tokens.has(token)) return false;
    }
    const t = now();
    if (t - windowStart >= 1000) {
      windowStart = t;
      used = 0;
    }
    if (++used <= perSecond) return true;
    if (!warned) {
      warned = true;
      options.onFirstExcess();
    }
    return false;
  };

  const ordered = keepNotificationsFirst(transport);
  let current: MessageHandler | undefined = transport.onmessage;
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (handler: MessageHandler | undefined) => {
      current = handler && ((message, extra) => {
        if (admit(message)) ordered(handler, message, extra);
      });
    },
  });

  const send = transport.send.bind(transport);
  transport.send = (message, sendOptions) => {
    const token = "method" in message ? (message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken : undefined;
    if ((typeof token === "string" || typeof token === "number") && "id" in message && message.id !== undefined) {
      issued.set(message.id, token);
      tokens.add(token);
    }
    return send(message, sendOptions);
  };
}

/** A message for the SDK, or the transport's close (which must not overtake the messages before it). */
type Delivery = { handler: MessageHandler; message: JSONRPCMessage; extra: Parameters<MessageHandler>[1] } | { close: () => void };

/**
 * The SDK dispatches a notification on a microtask but a response at once, and forgets a request's
 * progress handler when its response arrives: a progress notification read in the same chunk as
 * the response (a fast tool, or a busy machine reading late) would be dropped. A response (or a
 * close) that follows notifications in the same turn is therefore delivered on the next
 * macrotask, after the SDK has dispatched them; later messages queue behind it, so the order
 * never changes.
 */
function keepNotificationsFirst(transport: Transport): (handler: MessageHandler, message: JSONRPCMessage, extra: Parameters<MessageHandler>[1]) => void {
  const backlog: Delivery[] = [];
  let notifiedThisTurn = false;
  const mustWait = (item: Delivery) => notifiedThisTurn && ("close" in item || !("method" in item.message));
  const pass = (item: Delivery) => {
    if ("close" in item) return item.close();
    if ("method" in item.message && !("id" in item.message) && !notifiedThisTurn) {
      notifiedThisTurn = true;
      queueMicrotask(() => (notifiedThisTurn = false));
    }
    item.handler(item.message, item.extra);
  };
  const flush = () => {
    while (backlog.length > 0) {
      if (mustWait(backlog[0]!)) {
        setImmediate(flush);
        return;
      }
      pass(backlog.shift()!);
    }
  };
  const deliver = (item: Delivery) => {
    if (backlog.length === 0 && !mustWait(item)) return pass(item);
    if (backlog.push(item) === 1) setImmediate(flush);
  };
  let onclose = transport.onclose;
  Object.defineProperty(transport, "onclose", {
    configurable: true,
    enumerable: true,
    get: () => onclose,
    set: (handler: Transport["onclose"]) => {
      onclose = handler && (() => deliver({ close: handler }));
    },
  });
  return (handler, message, extra) => deliver({ handler, message, extra });
}
