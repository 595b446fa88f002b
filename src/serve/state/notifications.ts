// Where serve's unsolicited notifications go: `notifications/resources/updated` and list changes an
// upstream sends through one replica reach the subscribers of every replica (`--state`), through
// one pub/sub channel; without --state, this process's subscribers only.
//
// Broadcast, not routed: each replica knows its own subscribers (2025 sessions' instances, the
// 2026-07-28 listen streams of its HTTP handler) and delivers what it hears to them, whichever
// replica's upstream connection heard it. When several replicas' connections hear the same update
// (a remote upstream they all subscribed to), a subscriber may hear it more than once; both
// notifications only say "look again", so a repeat costs a re-read, never a wrong state.
//
// Layout: `<prefix>notifications` carries {from: replica, uri} or {from: replica, list: kind}.
import type { ListKind } from "../../mcp/connect.ts";
import type { SharedState } from "./types.ts";

/** Delivers to this replica's own subscribers. */
export interface NotificationSink {
  resourceUpdated(uri: string): void;
  listChanged(kind: ListKind): void;
}

/** What serve calls when an upstream sends one: delivered here and, with --state, on every replica. */
export interface Notifications extends NotificationSink {
  close(): Promise<void>;
}

type Broadcast = { from: string; uri: string } | { from: string; list: ListKind };

const KINDS: readonly ListKind[] = ["tools", "prompts", "resources"];

export function notificationsChannel(prefix: string): string {
  return `${prefix}notifications`;
}

/** Without --state: this process's subscribers are all there are. */
export function localNotifications(sink: NotificationSink): Notifications {
  return { resourceUpdated: (uri) => sink.resourceUpdated(uri), listChanged: (kind) => sink.listChanged(kind), close: async () => {} };
}

/** With --state: delivered here at once, and published for the other replicas (which skip their own). */
export async function sharedNotifications(state: SharedState, sink: NotificationSink): Promise<Notifications> {
  const channel = notificationsChannel(state.prefix);
  const unsubscribe = await state.subscribe(channel, (message) => {
    let event: Broadcast;
    try {
      event = JSON.parse(message) as Broadcast;
    } catch {
      return;
    }
    if (event.from === state.replicaId) return;
    if ("uri" in event && typeof event.uri === "string") sink.resourceUpdated(event.uri);
    else if ("list" in event && KINDS.includes(event.list)) sink.listChanged(event.list);
  });
  // A lost publish (Redis away) loses a hint to other replicas' subscribers; never this replica's.
  const publish = (event: Broadcast) => void state.publish(channel, JSON.stringify(event)).catch(() => {});
  return {
    resourceUpdated(uri) {
      sink.resourceUpdated(uri);
      publish({ from: state.replicaId, uri });
    },
    listChanged(kind) {
      sink.listChanged(kind);
      publish({ from: state.replicaId, list: kind });
    },
    close: () => unsubscribe(),
  };
}
