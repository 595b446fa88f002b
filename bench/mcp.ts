// Connection overhead, measured in one run against baselines from the same run. The baseline is a
// bare v2 SDK client (bench/baseline-client.ts), compiled like tether and told each server's era as
// tether is after its first run (protocol-eras.json); both run as fresh processes, interleaved.
//   1. `tether mcp call` vs the bare client: one call of `echo`, over HTTP (a dual-era server:
//      2026-07-28) and over stdio (a 2026-07-28 server). Goal ≤ 1.0×. The HTTP server sends
//      `ttlMs: 300000` on its lists (SEP-2549), so tether calls from its cached tool list (issue 22);
//      it is measured against the bare client that lists then calls, and the one that only calls.
//   2. `tether mcp list --status` over 10 HTTP servers vs the bare client connecting to the same
//      servers in parallel and listing their tools. Goal ≤ 1.1×.
// Run: bun bench/mcp.ts [rounds]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { compileExecutable, hostTarget } from "../build.ts";
import { ensureHostBinary } from "../test/support/binary.ts";
import { BUN_PATH, FIXTURE_SERVER_PATH, startHttpFixture, type FixtureHandle } from "../test/support/fixture.ts";
import { median, timeRun } from "./stats.ts";

const rounds = Number(process.argv[2] ?? 15);
const scratch = mkdtempSync(join(tmpdir(), "tether-bench-mcp-"));

function homeWith(name: string, servers: Record<string, unknown>): Record<string, string> {
  const home = join(scratch, name);
  Bun.spawnSync(["mkdir", "-p", join(home, ".tether")]);
  writeFileSync(join(home, ".tether", "config.toml"), stringify({ mcp_servers: servers }));
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TETHER_HOME: join(home, ".tether") };
}

/** Runs each named command once per round, interleaved, after a warm-up that also records eras. */
function measure(cases: Record<string, () => { ms: number }>): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const run of Object.values(cases)) run();
  for (let i = 0; i < rounds; i++) for (const [name, run] of Object.entries(cases)) samples[name]!.push(run().ms);
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

function report(label: string, value: number, baseline: number, goal: number): void {
  const ratio = value / baseline;
  console.log(`${label}: ${value.toFixed(0)} ms vs ${baseline.toFixed(0)} ms = ${ratio.toFixed(2)}x (goal <= ${goal}x) ${ratio <= goal ? "PASS" : "MISS"}`);
}

const binary = await ensureHostBinary();
const baseline = await compileExecutable({
  entry: join(import.meta.dir, "baseline-client.ts"),
  target: hostTarget(),
  outfile: join(scratch, "baseline-client"),
});
const fixtures: FixtureHandle[] = [];
try {
  fixtures.push(...(await Promise.all(Array.from({ length: 10 }, () => startHttpFixture(["--era", "dual", "--ttl-ms", "300000"])))));
  const web = fixtures[0]!;
  const stdioArgs = [FIXTURE_SERVER_PATH, "--stdio", "--era", "modern"];
  const home = homeWith("bench", {
    web: { url: web.url },
    local: { command: BUN_PATH, args: stdioArgs },
  });
  const many = homeWith("many", Object.fromEntries(fixtures.map((f, i) => [`s${i}`, { url: f.url }])));
  const verdicts = join(scratch, "baseline-verdicts.json");

  const http = measure({
    tether: () => timeRun([binary, "mcp", "call", "web", "echo", "--arg", "text=hi"], home),
    sdk: () => timeRun([baseline, "call", verdicts, web.url], home),
  });
  report("mcp call over HTTP, 2026-07-28 (tether / bare v2 client)", http.tether!, http.sdk!, 1.0);
  // The same, against a bare client that calls without listing first (tether's cached list).
  const bare = measure({
    tether: () => timeRun([binary, "mcp", "call", "web", "echo", "--arg", "text=hi"], home),
    sdk: () => timeRun([baseline, "call-only", verdicts, web.url], home),
  });
  report("mcp call over HTTP, cached tool list (tether / bare v2 client that does not list)", bare.tether!, bare.sdk!, 1.0);

  const stdio = measure({
    tether: () => timeRun([binary, "mcp", "call", "local", "echo", "--arg", "text=hi"], home),
    sdk: () => timeRun([baseline, "call", verdicts, `stdio:${[BUN_PATH, ...stdioArgs].join(" ")}`], home),
  });
  report("mcp call over stdio, 2026-07-28 (tether / bare v2 client)", stdio.tether!, stdio.sdk!, 1.0);

  const status = measure({
    tether: () => timeRun([binary, "mcp", "list", "--status"], many),
    sdk: () => timeRun([baseline, "list", verdicts, ...fixtures.map((f) => f.url)], many),
  });
  report("list --status, 10 HTTP servers (tether / bare v2 client in parallel)", status.tether!, status.sdk!, 1.1);
} finally {
  await Promise.all(fixtures.map((f) => f.stop()));
  rmSync(scratch, { recursive: true, force: true });
}
