// `tether mcp serve` overhead, measured against the same upstream in the same run.
//   1. Cold: a v2 client spawns `tether mcp serve` (the compiled binary, fronting the stdio fixture),
//      connects and calls `echo` once, vs the same client spawning the fixture itself. Goal ≤ 1.15×.
//   2. Warm: one `echo` call on an open connection, through serve vs straight to the fixture:
//      what serve adds at p50 and at p99. Goal: ≤ 1 ms at both.
//   3. 1,000 concurrent calls from 50 clients over `serve --http` (half 2025 sessions, half
//      2026-07-28), each with its own text: none may fail, none may come back to another client
//      (or another call). Serve's peak RSS is reported.
//   4. Replicas (issue 20): the same 1,000 calls against three replicas sharing a private
//      redis-server (`--state`), each request sent to the next replica as a round-robin balancer
//      would, vs one replica in memory: failures (goal 0), throughput and p99 of each. Then the
//      Redis round trips one 2026-07-28 call costs (the commands replicas send, seen through
//      MONITOR): goal 0 for a call with no state and no rate limit, <= 2 with --rate-limit.
//      Skipped, saying why, without redis-server or when this serve rejects --state.
// Run: bun bench/serve.ts [rounds]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { randomBytes } from "node:crypto";
import { connect as connectTcp } from "node:net";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { ensureHostBinary } from "../test/support/binary.ts";
import { baseEnv } from "../test/support/cli.ts";
import { stdioFixtureCommand } from "../test/support/fixture.ts";
import { type HttpServe, newClient, startHttpServe } from "../test/serve/harness.ts";
import { hasRedisServer, startRedis } from "../test/support/redis.ts";
import { median, peakRssOf, percentile } from "./stats.ts";

const rounds = Number(process.argv[2] ?? 15);
const scratch = mkdtempSync(join(tmpdir(), "tether-bench-serve-"));
const home = join(scratch, "home");
mkdirSync(join(home, ".tether"), { recursive: true });
// The compiled fixture, as the tests use it: it starts far quicker than `bun fixture-server.ts`.
const fixture = stdioFixtureCommand(["--era", "dual", "--tools", "echo"]);
writeFileSync(join(home, ".tether", "config.toml"), stringify({ mcp_servers: { fx: fixture } }));
const env = baseEnv(home);

const report = (label: string, value: number, baseline: number, goal?: number) => {
  const ratio = value / baseline;
  const verdict = goal === undefined ? "" : ` (goal <= ${goal}x) ${ratio <= goal ? "PASS" : "MISS"}`;
  console.log(`${label}: ${value.toFixed(2)} ms vs ${baseline.toFixed(2)} ms = ${ratio.toFixed(2)}x${verdict}`);
};

async function connect(command: string, args: string[]): Promise<Client> {
  const client = new Client({ name: "bench", version: "0" }, { versionNegotiation: { mode: "auto" } });
  await client.connect(new StdioClientTransport({ command, args, env, stderr: "ignore" }));
  return client;
}

const binary = await ensureHostBinary();
const viaServe = () => connect(binary, ["mcp", "serve"]);
const direct = () => connect(fixture.command, fixture.args);
const echo = (client: Client, name: string) => client.callTool({ name, arguments: { text: "hi" } });

try {
  // 1. Cold, interleaved.
  const cold = { serve: [] as number[], direct: [] as number[] };
  const once = async (open: () => Promise<Client>, name: string) => {
    const started = performance.now();
    const client = await open();
    await echo(client, name);
    const elapsed = performance.now() - started;
    await client.close();
    return elapsed;
  };
  await once(viaServe, "fx__echo");
  await once(direct, "echo");
  for (let i = 0; i < rounds; i++) {
    cold.serve.push(await once(viaServe, "fx__echo"));
    cold.direct.push(await once(direct, "echo"));
  }
  report("cold: spawn + connect + one call over stdio (serve / straight)", median(cold.serve), median(cold.direct), 1.15);

  // 2. Warm.
  const [served, plain] = await Promise.all([viaServe(), direct()]);
  const warm = { serve: [] as number[], direct: [] as number[] };
  for (let i = 0; i < 50; i++) await Promise.all([echo(served, "fx__echo"), echo(plain, "echo")]);
  for (let i = 0; i < 1_000; i++) {
    let t = performance.now();
    await echo(served, "fx__echo");
    warm.serve.push(performance.now() - t);
    t = performance.now();
    await echo(plain, "echo");
    warm.direct.push(performance.now() - t);
  }
  report("warm: one call on an open stdio connection (serve / straight)", median(warm.serve), median(warm.direct));
  for (const p of [50, 99]) {
    const added = percentile(warm.serve, p) - percentile(warm.direct, p);
    console.log(`warm p${p}: serve adds ${added.toFixed(3)} ms (${percentile(warm.serve, p).toFixed(3)} vs ${percentile(warm.direct, p).toFixed(3)}) (goal <= 1 ms) ${added <= 1 ? "PASS" : "MISS"}`);
  }
  await Promise.all([served.close(), plain.close()]);

  // 3. 1,000 concurrent calls from 50 clients over HTTP.
  const http = await startHttpServe(home);
  try {
    const run = await concurrentCalls([http.url]);
    const verdict = run.failed === 0 && run.misdelivered === 0 ? "PASS" : "MISS";
    console.log(`1,000 concurrent calls from 50 clients over serve --http: ${run.elapsed.toFixed(0)} ms, ${run.failed} failed, ${run.misdelivered} to the wrong client ${verdict}`);
    console.log(`serve --http peak RSS: ${(peakRssOf(http.pid) / 1024 / 1024).toFixed(1)} MB`);
  } finally {
    await http.stop();
  }

  // 4. Replicas on Redis vs one in memory.
  if (hasRedisServer) await replicas();
  else console.log("replicas: skipped: no redis-server on PATH (apt-get install redis-server)");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

interface CallsRun {
  elapsed: number;
  failed: number;
  misdelivered: number;
  /** Each successful call's own time, ms. */
  latencies: number[];
  firstFailure?: string;
}

/** Sends each request to the next of `urls` in turn, across all clients, as a round-robin balancer does. */
function roundRobin(urls: string[]): typeof fetch {
  let next = 0;
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    url.host = new URL(urls[next++ % urls.length]!).host;
    return fetch(url, init);
  }) as typeof fetch;
}

/** 1,000 concurrent calls from 50 clients (half 2025 sessions, half 2026-07-28), each with its own text. */
async function concurrentCalls(urls: string[]): Promise<CallsRun> {
  const spread = roundRobin(urls);
  // A client that cannot connect (its 2025 session lost between replicas) fails all its calls.
  const clients = await Promise.all(
    Array.from({ length: 50 }, async (_, c) => {
      const client = newClient(c % 2 ? "modern" : "legacy", "bench");
      return client.connect(new StreamableHTTPClientTransport(new URL(urls[0]!), { fetch: spread })).then(
        () => client,
        (error: unknown) => error as Error,
      );
    }),
  );
  const latencies: number[] = [];
  const started = performance.now();
  const calls = clients.flatMap((client, c) =>
    Array.from({ length: 20 }, async (_, i) => {
      if (client instanceof Error) throw client;
      const text = `client ${c} call ${i}`;
      const sent = performance.now();
      const result = await client.callTool({ name: "fx__echo", arguments: { text } });
      latencies.push(performance.now() - sent);
      return JSON.stringify(result.content) === JSON.stringify([{ type: "text", text }]);
    }),
  );
  const outcomes = await Promise.allSettled(calls);
  const elapsed = performance.now() - started;
  await Promise.allSettled(clients.map((client) => (client instanceof Error ? undefined : client.close())));
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason instanceof Error ? o.reason.message.split("\n")[0]! : String(o.reason)] : []));
  return {
    elapsed,
    failed: failures.length,
    misdelivered: outcomes.filter((o) => o.status === "fulfilled" && !o.value).length,
    latencies,
    firstFailure: failures[0],
  };
}

/** The first `error:` line serve printed before exiting, from the harness's "serve exited" error. */
function refusal(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/^serve exited 2\b/.test(message)) return undefined;
  return (message.split("\n").find((line) => line.includes("error:")) ?? message.split("\n")[0]!).replace(/^serve exited 2: /, "").trim();
}

async function replicas(): Promise<void> {
  const redis = await startRedis();
  const started: HttpServe[] = [];
  try {
    const stateArgs = ["--state", redis.url, "--state-key-env-var", "TETHER_STATE_KEY"];
    const stateEnv = { TETHER_STATE_KEY: randomBytes(32).toString("hex") };
    const startReplica = async (args: string[]) => {
      const served = await startHttpServe(home, args, stateEnv);
      started.push(served);
      return served;
    };
    try {
      await startReplica(stateArgs);
    } catch (error) {
      const why = refusal(error);
      if (why === undefined) throw error;
      console.log(`replicas: skipped: this serve rejects --state (${why})`);
      return;
    }
    const shared = [started[0]!, await startReplica(stateArgs), await startReplica(stateArgs)];
    const memory = await startReplica([]);

    const line = (label: string, run: CallsRun) => {
      const verdict = run.failed === 0 && run.misdelivered === 0 ? "PASS" : "MISS";
      const perSecond = (run.latencies.length / run.elapsed) * 1000;
      console.log(
        `replicas: ${label}: 1,000 concurrent calls in ${run.elapsed.toFixed(0)} ms (${perSecond.toFixed(0)} answered calls/s), p99 ${run.latencies.length ? `${percentile(run.latencies, 99).toFixed(1)} ms` : "n/a"}, ` +
          `${run.failed} failed, ${run.misdelivered} to the wrong client (goal 0) ${verdict}` +
          (run.firstFailure ? ` [first failure: ${run.firstFailure.slice(0, 200)}]` : ""),
      );
    };
    line("one replica in memory", await concurrentCalls([memory.url]));
    line("three replicas on Redis, round-robin", await concurrentCalls(shared.map((s) => s.url)));

    await roundTrips(redis.port, shared[0]!.url, "a 2026-07-28 call, no state, no rate limit", 0);
    let limited: HttpServe | undefined;
    try {
      limited = await startReplica([...stateArgs, "--rate-limit", "1000000/min"]);
    } catch (error) {
      const why = refusal(error);
      if (why === undefined) throw error;
      console.log(`replicas: Redis round trips with --rate-limit: skipped: this serve rejects it (${why})`);
    }
    if (limited) await roundTrips(redis.port, limited.url, "a 2026-07-28 call under --rate-limit", 2);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await redis.close();
  }
}

/**
 * The commands replicas send to Redis, as MONITOR shows them: one per line, with the sender in
 * brackets. Commands a Lua script runs show as `[0 lua]` and are not round trips (INFO commandstats
 * counts them too, which is why this does not use it).
 */
async function monitorRedis(port: number): Promise<{ take(): string[]; close(): void }> {
  const socket = connectTcp(port, "127.0.0.1");
  let buffered = "";
  let lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split("\r\n");
      buffered = complete.pop()!;
      for (const line of complete) {
        if (line === "+OK") resolve();
        else if (!/^\+[\d.]+ \[\d+ lua\]/.test(line)) lines.push(line);
      }
    });
    socket.write("MONITOR\r\n");
  });
  return {
    take: () => lines.splice(0),
    close: () => socket.destroy(),
  };
}

/** "get 3, eval 1": each command's count among MONITOR lines. */
function byCommand(lines: string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const command = /\] "([^"]+)"/.exec(line)?.[1]?.toLowerCase() ?? "?";
    counts.set(command, (counts.get(command) ?? 0) + 1);
  }
  return [...counts].map(([command, n]) => `${command} ${n}`).join(", ") || "none";
}

/**
 * Redis commands per 2026-07-28 call through one replica: N sequential calls on an open client,
 * less what the replicas send in an idle window as long (heartbeats, subscriptions' upkeep). Each
 * command is at most one round trip (Bun pipelines commands issued together).
 */
async function roundTrips(port: number, url: string, label: string, goal: number): Promise<void> {
  const calls = 200;
  const client = newClient("modern", "bench");
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const monitor = await monitorRedis(port);
  try {
    for (let i = 0; i < 5; i++) await client.callTool({ name: "fx__echo", arguments: { text: "warm" } });
    await Bun.sleep(100);
    monitor.take();
    const started = performance.now();
    for (let i = 0; i < calls; i++) await client.callTool({ name: "fx__echo", arguments: { text: `call ${i}` } });
    const elapsed = performance.now() - started;
    await Bun.sleep(100);
    const busy = monitor.take();
    await Bun.sleep(elapsed + 100);
    const idle = monitor.take();
    const perCall = Math.max(0, busy.length - idle.length) / calls;
    const verdict = goal === 0 ? perCall < 0.05 : perCall <= goal;
    console.log(
      `replicas: Redis commands per call, ${label}: ${perCall.toFixed(2)} (goal ${goal === 0 ? "0" : `<= ${goal}`}) ${verdict ? "PASS" : "MISS"} ` +
        `[${calls} calls: ${byCommand(busy)}; idle window as long: ${byCommand(idle)}]`,
    );
  } finally {
    monitor.close();
    await client.close();
  }
}
