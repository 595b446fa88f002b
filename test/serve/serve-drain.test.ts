// Health probes and SIGTERM's drain, as a balancer or Kubernetes sees them: /healthz and /readyz
// answer without a token; on SIGTERM /readyz turns 503, new clients are sent away, the open call
// finishes, and serve exits 0 (or, past --drain-timeout, cancels what is left and still exits 0).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, runningCall, servePerTest } from "./harness.ts";
import { waitUntil } from "../support/wait.ts";

const serve = servePerTest();

const origin = (url: string) => new URL(url).origin;
const initialize = (url: string) =>
  fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "late", version: "0" } },
    }),
  });

/** Polls `url` until it answers `status` (a loose bound: no hang, not a timing assertion). */
async function until(url: string, status: number): Promise<void> {
  const answers = async () => {
    const response = await fetch(url);
    await response.body?.cancel();
    return response.status === status;
  };
  await waitUntil(answers, `${url} to answer ${status}`, { intervalMs: 50 });
}

test("/healthz and /readyz answer without a token and say nothing about the upstreams; /mcp still wants one", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture([], { required: true }) } });
  const served = await serve.http([], {}, { defaultToken: true });
  for (const path of ["/healthz", "/readyz"]) {
    const response = await fetch(`${origin(served.url)}${path}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
  }
  expect((await fetch(`${origin(served.url)}/readyz`, { method: "HEAD" })).status).toBe(200);
  expect((await fetch(`${origin(served.url)}/readyz`, { method: "POST" })).status).toBe(405);
  expect((await initialize(served.url)).status).toBe(401);
}, 60_000);

test("SIGTERM drains: /readyz 503 at once, new clients refused with Retry-After, the open call finishes, exit 0", async () => {
  const pidFile = join(serve.home.home, "upstream.pid");
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--pid-file", pidFile]) } });
  const served = await serve.http();
  const client = await connectHttp(served.url, "modern");
  await client.listTools();
  const session = await connectHttp(served.url, "legacy");
  await session.listTools();
  const upstreamPid = Number(readFileSync(pidFile, "utf8"));
  const call = runningCall(client, "docs", 3_000);
  await call.running;
  process.kill(served.pid, "SIGTERM");

  await until(`${origin(served.url)}/readyz`, 503);
  expect((await fetch(`${origin(served.url)}/healthz`)).status).toBe(200);
  const refused = await initialize(served.url);
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("1");
  // An open 2025 session is still served while the drain lasts.
  expect((await session.listTools()).tools.map((t) => t.name)).toContain("docs__echo");

  expect(((await call.result) as { content?: unknown }).content).toEqual([{ type: "text", text: "done 1" }]);
  expect(await served.exited).toBe(0);
  expect(isProcessAlive(upstreamPid)).toBe(false);
}, 60_000);

test("a drain that outlasts --drain-timeout cancels the call and still exits 0", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture() } });
  const served = await serve.http(["--drain-timeout", "1"]);
  const client = await connectHttp(served.url, "modern");
  const long = runningCall(client, "docs", 60_000);
  await long.running;
  process.kill(served.pid, "SIGTERM");
  expect(await served.exited).toBe(0);
  const cut = await long.result;
  expect(cut instanceof Error || (cut as { isError?: boolean }).isError === true).toBe(true);
}, 60_000);

test("Ctrl-C stays quick: a long call is cancelled without waiting for --drain-timeout, exit 130", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture() } });
  const served = await serve.http(["--drain-timeout", "600"]);
  const client = await connectHttp(served.url, "modern");
  await runningCall(client, "docs", 60_000).running;
  process.kill(served.pid, "SIGINT");
  expect(await served.exited).toBe(130);
}, 60_000);
