// `tether mcp serve` overhead, measured against the same upstream in the same run.
//   1. Cold: a v2 client spawns `tether mcp serve` (the compiled binary, fronting the stdio fixture),
//      connects and calls `echo` once, vs the same client spawning the fixture itself. Goal ≤ 1.15×.
//   2. Warm: one `echo` call on an open connection, through serve vs straight to the fixture:
//      what serve adds at p50 and at p99. Goal: ≤ 1 ms at both.
//   3. 1,000 concurrent calls from 50 clients over `serve --http` (half 2025 sessions, half
//      2026-07-28), each with its own text: none may fail, none may come back to another client
//      (or another call). Serve's peak RSS is reported.
// Run: bun bench/serve.ts [rounds]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { ensureHostBinary } from "../test/support/binary.ts";
import { baseEnv } from "../test/support/cli.ts";
import { stdioFixtureCommand } from "../test/support/fixture.ts";
import { connectHttp, startHttpServe } from "../test/serve/harness.ts";
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
    const clients = await Promise.all(Array.from({ length: 50 }, (_, c) => connectHttp(http.url, c % 2 ? "modern" : "legacy")));
    const started = performance.now();
    const calls = clients.flatMap((client, c) =>
      Array.from({ length: 20 }, async (_, i) => {
        const text = `client ${c} call ${i}`;
        const result = await client.callTool({ name: "fx__echo", arguments: { text } });
        return JSON.stringify(result.content) === JSON.stringify([{ type: "text", text }]);
      }),
    );
    const outcomes = await Promise.allSettled(calls);
    const elapsed = performance.now() - started;
    const failed = outcomes.filter((o) => o.status === "rejected").length;
    const misdelivered = outcomes.filter((o) => o.status === "fulfilled" && !o.value).length;
    const verdict = failed === 0 && misdelivered === 0 ? "PASS" : "MISS";
    console.log(`1,000 concurrent calls from 50 clients over serve --http: ${elapsed.toFixed(0)} ms, ${failed} failed, ${misdelivered} to the wrong client ${verdict}`);
    console.log(`serve --http peak RSS: ${(peakRssOf(http.pid) / 1024 / 1024).toFixed(1)} MB`);
    await Promise.all(clients.map((client) => client.close()));
  } finally {
    await http.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
