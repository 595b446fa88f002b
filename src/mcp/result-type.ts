// SEP-2322: a client MUST take a 2026-07-28 result without `resultType` as `complete`. The SDK
// (2.4.0) rejects such a result on purpose ("missing required resultType"), and real servers send
// them (the conformance suite's reference server in its stateless mode), so every call to one
// would fail. This shim sits on the transport, below the SDK, for every connection tether opens
// (client commands and serve alike): a result answering a request tether sent in the 2026-07-28
// envelope that lacks `resultType` reaches the SDK with `resultType: "complete"`. 2025 requests
// are left alone: the SDK's 2025 codec has no `resultType` to miss.
//
// Like guardNotifications it sits on the transport instance (the SDK's stdio era probe needs
// exactly its StdioClientTransport), and it chains to an `onmessage` accessor already installed.
import { type JSONRPCMessage, PROTOCOL_VERSION_META_KEY, type Transport } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { isPlainObject } from "../values.ts";

/** Ids of 2026-07-28 requests remembered while they wait for an answer; a request never answered is forgotten past this. */
const MAX_PENDING_REQUESTS = 10_000;

type MessageHandler = NonNullable<Transport["onmessage"]>;
type RequestId = string | number;

/**
 * Makes `transport` hand the SDK `resultType: "complete"` on a 2026-07-28 result that omits it;
 * `onApplied` hears the method each time (a debug line). Call before `client.connect(transport)`.
 */
export function completeAbsentResultType(transport: Transport, onApplied: (method: string) => void): void {
  /** The method of each 2026-07-28 request still waiting for its answer, by id. */
  const pending = new Map<RequestId, string>();

  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if ("method" in message && "id" in message && isModernRequest(message.params)) {
      pending.set(message.id, message.method);
      if (pending.size > MAX_PENDING_REQUESTS) pending.delete(pending.keys().next().value!);
    }
    return send(message, options);
  };

  const patch = (message: JSONRPCMessage): JSONRPCMessage => {
    if ("method" in message || !("id" in message) || message.id === undefined) return message;
    const method = pending.get(message.id);
    if (method === undefined) return message;
    pending.delete(message.id);
    if (!("result" in message) || !isPlainObject(message.result) || message.result.resultType !== undefined) return message;
    onApplied(method);
    return { ...message, result: { ...message.result, resultType: "complete" } };
  };

  const inner = Object.getOwnPropertyDescriptor(transport, "onmessage");
  let own: MessageHandler | undefined = transport.onmessage;
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    enumerable: true,
    get: () => (inner?.get ? inner.get.call(transport) : own),
    set: (handler: MessageHandler | undefined) => {
      const wrapped: MessageHandler | undefined = handler && ((message, extra) => handler(patch(message), extra));
      if (inner?.set) inner.set.call(transport, wrapped);
      else own = wrapped;
    },
  });
}

/** The shim for one server's transport, with the debug line that says when it applies. */
export function completeAbsentResultTypeOf(ctx: Context, serverName: string, transport: Transport): void {
  completeAbsentResultType(transport, (method) =>
    ctx.log.debug(`server "${serverName}" answered ${method} without resultType; taken as "complete" (SEP-2322)`),
  );
}

/** Sent in the 2026-07-28 envelope: the SDK's 2025 codec adds no protocol version to `_meta`. */
function isModernRequest(params: unknown): boolean {
  const meta = isPlainObject(params) ? params._meta : undefined;
  return isPlainObject(meta) && typeof meta[PROTOCOL_VERSION_META_KEY] === "string";
}
