// Resource updates and list changes between replicas (src/serve/state/notifications.ts) over a real Redis.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { localNotifications, type Notifications, type NotificationSink, sharedNotifications } from "../../../src/serve/state/notifications.ts";
import type { SharedState } from "../../../src/serve/state/types.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../../support/redis.ts";
import { testSharedState } from "../../support/shared-state.ts";
import { eventually } from "../../support/wait.ts";

if (!hasRedisServer) console.warn("notifications.test.ts: redis-server is not installed; the shared cases are skipped");

let redis: PrivateRedis | undefined;
const open: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  if (hasRedisServer) redis = await startRedis();
});
afterAll(async () => {
  for (const o of open.reverse()) await o.close();
  await redis?.close();
});

/** A sink noting what reaches this replica's subscribers. */
function recorder(): NotificationSink & { got: string[] } {
  const got: string[] = [];
  return { got, resourceUpdated: (uri) => void got.push(`updated ${uri}`), listChanged: (kind) => void got.push(`${kind} changed`) };
}

async function replica(sink: NotificationSink, prefix = "n:"): Promise<Notifications> {
  const state: SharedState = await testSharedState(redis!.url, prefix);
  const notifications = await sharedNotifications(state, sink);
  open.push(state, notifications);
  return notifications;
}

/** Waits (bounded) until `sink` got `count` notifications. */
async function until(sink: { got: string[] }, count: number): Promise<string[]> {
  await eventually(() => sink.got.length >= count);
  return sink.got;
}

test("without --state, a notification reaches this process's subscribers", () => {
  const sink = recorder();
  const notifications = localNotifications(sink);
  notifications.resourceUpdated("docs://readme");
  notifications.listChanged("tools");
  expect(sink.got).toEqual(["updated docs://readme", "tools changed"]);
});

describe.if(hasRedisServer)("shared notifications", () => {
  test("what one replica hears reaches every replica's subscribers once, its own included", async () => {
    const [sa, sb, sc] = [recorder(), recorder(), recorder()];
    const a = await replica(sa);
    await replica(sb);
    await replica(sc);
    a.resourceUpdated("docs://readme");
    a.listChanged("prompts");
    for (const sink of [sa, sb, sc]) expect(await until(sink, 2)).toEqual(["updated docs://readme", "prompts changed"]);
    await Bun.sleep(100);
    expect(sa.got).toHaveLength(2);
  });

  test("replicas under another prefix (another deployment on the same Redis) hear nothing", async () => {
    const [sa, sx] = [recorder(), recorder()];
    const a = await replica(sa, "one:");
    await replica(sx, "two:");
    a.resourceUpdated("docs://readme");
    await until(sa, 1);
    await Bun.sleep(100);
    expect(sx.got).toEqual([]);
  });

  test("after Redis restarts, replicas hear each other again, once", async () => {
    const [sa, sb] = [recorder(), recorder()];
    const a = await replica(sa, "restart:");
    await replica(sb, "restart:");
    await redis!.stop();
    await redis!.start();
    // Publishes while the clients reconnect may be lost (a hint, not state): probe until one arrives.
    for (let i = 0; i < 100 && sb.got.length === 0; i++) {
      a.resourceUpdated("probe://x");
      await Bun.sleep(50);
    }
    await Bun.sleep(200);
    sb.got.length = 0;
    a.resourceUpdated("docs://readme");
    expect(await until(sb, 1)).toEqual(["updated docs://readme"]);
    await Bun.sleep(100);
    expect(sb.got).toEqual(["updated docs://readme"]);
  });
});
