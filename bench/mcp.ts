// Connection overhead, measured in one run against baselines from the same run:
//   1. `tether mcp call web echo` (compiled binary) vs a minimal SDK-client script (both as fresh
//      processes, against the same HTTP fixture server). Goal ≤ 1.2×.
//   2. `tether mcp list --status` over 10 servers, one of which takes 500 ms to start, vs the
//      same command with only that slow server. Goal ≤ 1.1×.
// Run: bun bench/mcp.ts [rounds]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { ensureHostBinary } from "../test/support/binary.ts";
import { BUN_PATH, startHttpFixture, type FixtureHandle } from "../test/support/fixture.ts";

const rounds = Number(process.argv[2] ?? 15);
const scratch = mkdtempSync(join(tmpdir(), "tether-bench-mcp-"));

function timeRun(command: string[], env: Record<string, string>): number {
  const started = performance.now();
  const result = Bun.spawnSync(command, { env, stdout: "pipe", stderr: "pipe" });
  const elapsed = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr.toString()}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function homeWith(name: string, servers: Record<string, unknown>): Record<string, string> {
  const home = join(scratch, name);
  Bun.spawnSync(["mkdir", "-p", join(home, ".tether")]);
  writeFileSync(join(home, ".tether", "config.toml"), stringify({ mcp_servers: servers }));
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TETHER_HOME: join(home, ".tether") };
}

/** Runs each named command once per round, interleaved, and returns medians in ms. */
function measure(cases: Record<string, () => number>): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const run of Object.values(cases)) run(); // warm-up
  for (let i = 0; i < rounds; i++) for (const [name, run] of Object.entries(cases)) samples[name]!.push(run());
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

function report(label: string, value: number, baseline: number, goal: number): void {
  const ratio = value / baseline;
  console.log(`${label}: ${value.toFixed(0)} ms vs ${baseline.toFixed(0)} ms = ${ratio.toFixed(2)}x (goal <= ${goal}x) ${ratio <= goal ? "PASS" : "MISS"}`);
}

const binary = await ensureHostBinary();
const fixtures: FixtureHandle[] = [];
try {
  const web = await startHttpFixture();
  fixtures.push(web, ...(await Promise.all(Array.from({ length: 9 }, () => startHttpFixture()))));

  const sdkScript = join(scratch, "sdk-call.ts");
  writeFileSync(
    sdkScript,
    `import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
const client = new Client({ name: "bench", version: "1" });
await client.connect(new StreamableHTTPClientTransport(new URL(process.argv[2])));
const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
console.log(result.content[0].text);
await client.close();
`,
  );
  // The script resolves the SDK from the repo's node_modules.
  const sdkScriptInRepo = join(import.meta.dir, ".sdk-call.tmp.ts");
  writeFileSync(sdkScriptInRepo, await Bun.file(sdkScript).text());

  const single = homeWith("single", { web: { url: web.url } });
  const slowFixture = await startHttpFixture(["--init-delay", "500"]);
  fixtures.push(slowFixture);
  const slow = { url: slowFixture.url };
  const many = homeWith("many", {
    slow,
    ...Object.fromEntries(fixtures.slice(1).map((f, i) => [`fast${i}`, { url: f.url }])),
  });
  const onlySlow = homeWith("only-slow", { slow });

  const call = measure({
    tether: () => timeRun([binary, "mcp", "call", "web", "echo", "--arg", "text=hi"], single),
    sdk: () => timeRun([BUN_PATH, sdkScriptInRepo, web.url], single),
  });
  report("mcp call round trip (tether / SDK script)", call.tether!, call.sdk!, 1.2);

  const status = measure({
    ten: () => timeRun([binary, "mcp", "list", "--status"], many),
    slowest: () => timeRun([binary, "mcp", "list", "--status"], onlySlow),
  });
  report("list --status, 10 servers (one 500 ms) / slowest alone", status.ten!, status.slowest!, 1.1);
  rmSync(sdkScriptInRepo, { force: true });
} finally {
  await Promise.all(fixtures.map((f) => f.stop()));
  rmSync(scratch, { recursive: true, force: true });
}
