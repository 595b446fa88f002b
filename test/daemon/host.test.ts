// The daemon's host in process, over a fake server connection: the wire as a command sees it
// (status with the pid, an unknown request, a line over the bound), stop and idle exit, and the
// files it leaves (none).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../../src/context.ts";
import type { McpConnection } from "../../src/mcp/connect.ts";
import { DaemonClient } from "../../src/daemon/connection.ts";
import { runDaemonHost } from "../../src/daemon/host.ts";
import { daemonFiles } from "../../src/daemon/paths.ts";
import { MAX_DAEMON_MESSAGE_BYTES } from "../../src/daemon/protocol.ts";
import type { DaemonStatus } from "../../src/daemon/status.ts";
import { createTestContext } from "../support/context.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tether-host-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function start(idleSec = 600) {
  const ctx = createTestContext({ env: { TETHER_HOME: join(dir, ".tether") }, cwd: dir }) as Context;
  const files = daemonFiles(ctx);
  const connect = async () => ({ via: "stdio", tools: [], latencyMs: 0, stderrTail: () => [], capabilities: () => undefined, close: async () => {} }) as unknown as McpConnection;
  const ran = runDaemonHost(ctx, files, { idleSec, connect });
  return { ctx, files, ran };
}

async function connected(socket: string): Promise<DaemonClient> {
  for (let i = 0; i < 200; i++) {
    const client = await DaemonClient.connect(socket, 1_000);
    if (client) return client;
    await Bun.sleep(10);
  }
  throw new Error("the host never listened");
}

describe("host", () => {
  test("answers status with its pid; refuses an unknown request; stop ends it and removes its files", async () => {
    const { files, ran } = start();
    const client = await connected(files.socket);
    const status = (await client.request("status")) as DaemonStatus;
    expect(status).toMatchObject({ pid: process.pid, socket: files.socket, clients: 1, servers: [] });
    expect(existsSync(files.meta)).toBe(true);
    await expect(client.request("bogus" as never)).rejects.toThrow('the keep-alive daemon does not know the request "bogus"');
    await client.request("stop");
    expect(await ran).toBe("stopped");
    expect(existsSync(files.socket)).toBe(false);
    expect(existsSync(files.meta)).toBe(false);
  });

  test("a line over the bound closes that command's connection; the daemon serves the next", async () => {
    const { files, ran } = start();
    await connected(files.socket).then((c) => c.destroy());
    const raw = connect(files.socket);
    const closed = new Promise((resolve) => raw.once("close", resolve));
    raw.on("error", () => {});
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let sent = 0; sent <= MAX_DAEMON_MESSAGE_BYTES && !raw.destroyed; sent += chunk.length) raw.write(chunk);
    await closed;
    const next = await connected(files.socket);
    expect(((await next.request("status")) as DaemonStatus).pid).toBe(process.pid);
    await next.request("stop");
    await ran;
  });

  test("exits after idle_sec with nobody connected", async () => {
    const { files, ran } = start(1);
    const client = await connected(files.socket);
    await client.request("status");
    client.destroy();
    expect(await ran).toBe("idle");
    expect(existsSync(files.socket)).toBe(false);
  });
});
