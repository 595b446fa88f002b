// `tether mcp serve` overhead, measured against the same upstream in the same run.
//   1. Cold: a v2 client spawns `tether mcp serve` (the compiled binary, fronting the stdio fixture),
//      connects and calls `echo` once, vs the same client spawning the fixture itself. Goal ≤ 1.15×.
//   2. Warm: one `echo` call on an open connection, through serve vs straight to the fixture
//      (median of many; two hops instead of one, so this ratio is reported, not held to the goal).
//   3. 100 concurrent calls over `serve --http` (modern client) complete without error.
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
import { median } from "./stats.ts";

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
  for (let i = 0; i < 20; i++) await Promise.all([echo(served, "fx__echo"), echo(plain, "echo")]);
  for (let i = 0; i < 200; i++) {
    let t = performance.now();
    await echo(served, "fx__echo");
    warm.serve.push(performance.now() - t);
    t = performance.now();
    await echo(plain, "echo");
    warm.direct.push(performance.now() - t);
  }
  report("warm: one call on an open stdio connection (serve / straight)", median(warm.serve), median(warm.direct));
  await Promise.all([served.close(), plain.close()]);

  // 3. 100 concurrent calls over HTTP.
  const http = await startHttpServe(home);
  try {
    const client = await connectHttp(http.url, "modern");
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => client.callTool({ name: "fx__echo", arguments: { text: `n${i}` } })));
    const elapsed = performance.now() - started;
    const failed = outcomes.filter((o, i) => o.status === "rejected" || JSON.stringify(o.value.content) !== JSON.stringify([{ type: "text", text: `n${i}` }])).length;
    console.log(`100 concurrent calls over serve --http: ${elapsed.toFixed(0)} ms, ${failed} failed ${failed === 0 ? "PASS" : "MISS"}`);
    await client.close();
  } finally {
    await http.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
