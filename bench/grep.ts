// `tether mcp grep` over warm caches (issue 22): 500 cached tools across 5 servers, searched
// without starting any of them. Goal ≤ 50 ms per run (the compiled binary, a fresh process each
// time); `tether --version` in the same run is printed for scale.
// Run: bun bench/grep.ts [rounds]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { ensureHostBinary } from "../test/support/binary.ts";
import { startHttpFixture, type FixtureHandle } from "../test/support/fixture.ts";
import { median, timeRun } from "./stats.ts";

const rounds = Number(process.argv[2] ?? 20);
const GOAL_MS = 50;
const scratch = mkdtempSync(join(tmpdir(), "tether-bench-grep-"));

const binary = await ensureHostBinary();
const fixtures: FixtureHandle[] = [];
try {
  // 5 servers × 100 tools and more (each fixture has its built-in tools besides tool_1 … tool_100).
  fixtures.push(...(await Promise.all(Array.from({ length: 5 }, () => startHttpFixture(["--era", "modern", "--ttl-ms", "3600000", "--many-tools", "100"])))));
  const home = join(scratch, "home");
  Bun.spawnSync(["mkdir", "-p", join(home, ".tether")]);
  writeFileSync(join(home, ".tether", "config.toml"), stringify({ mcp_servers: Object.fromEntries(fixtures.map((f, i) => [`s${i}`, { url: f.url }])) }));
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TETHER_HOME: join(home, ".tether") };
  // The first run lists every server and caches the lists; `/./` matches every item.
  const warm = timeRun([binary, "mcp", "grep", "/./", "--json"], env);
  const cached = JSON.parse(warm.stdout).matches.filter((m: { kind: string }) => m.kind === "tool").length;
  if (cached < 500) throw new Error(`expected at least 500 cached tools, got ${cached}`);
  const asked = (await Promise.all(fixtures.map((f) => f.stats()))).reduce((n, s) => n + s.mcpRequests, 0);
  const grep: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < rounds; i++) {
    grep.push(timeRun([binary, "mcp", "grep", "tool_4"], env).ms);
    version.push(timeRun([binary, "--version"], env).ms);
  }
  const after = (await Promise.all(fixtures.map((f) => f.stats()))).reduce((n, s) => n + s.mcpRequests, 0);
  const ms = median(grep);
  console.log(`servers asked during the timed runs: ${after - asked} requests (expected 0: every list cached)`);
  console.log(`mcp grep over ${cached} cached tools, 5 servers: ${ms.toFixed(1)} ms (goal <= ${GOAL_MS} ms) ${ms <= GOAL_MS ? "PASS" : "MISS"}; tether --version: ${median(version).toFixed(1)} ms`);
} finally {
  await Promise.all(fixtures.map((f) => f.stop()));
  rmSync(scratch, { recursive: true, force: true });
}
