// Peak memory of `tether mcp serve --http` (the compiled binary) when many 2025 sessions each
// receive one large result: every session's event store together is bounded by
// --event-store-bytes (default 64 MiB), so 256 sessions with one 9 MB result each stay under
// 300 MB peak RSS (before the bound, each session kept its largest message: 2.4 GB held;
// before the collector was run after large results, 355 MB peak).
// Run: bun bench/serve-memory.ts [sessions] [bytes]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "smol-toml";
import type { Client } from "@modelcontextprotocol/client";
import { stdioFixtureCommand } from "../test/support/fixture.ts";
import { connectHttp, startHttpServe } from "../test/serve/harness.ts";
import { peakRssOf } from "./stats.ts";

// Each 2025 session holds a GET stream open: more than Bun's fetch allows per host by default (256).
if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], { env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "2048" }, stdio: ["inherit", "inherit", "inherit"] });
  process.exit(await child.exited);
}

const sessions = Number(process.argv[2] ?? 256);
const bytes = Number(process.argv[3] ?? 9_000_000);
/** Calls in flight at once (BENCH_CONCURRENCY): each holds its result in transit, several copies of it, which the bound does not cover. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const GOAL_MB = 300;

const scratch = mkdtempSync(join(tmpdir(), "tether-bench-serve-memory-"));
const home = join(scratch, "home");
mkdirSync(join(home, ".tether"), { recursive: true });
writeFileSync(join(home, ".tether", "config.toml"), stringify({ mcp_servers: { fx: stdioFixtureCommand(["--era", "legacy", "--tools", "big"]) } }));

const http = await startHttpServe(home);
const clients: Client[] = [];
try {
  for (let i = 0; i < sessions; i++) clients.push(await connectHttp(http.url, "legacy"));
  const started = performance.now();
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < clients.length) {
        const client = clients[next++]!;
        const result = await client.callTool({ name: "fx__big", arguments: { bytes } }).catch(() => undefined);
        const text = (result?.content as { text?: string }[] | undefined)?.[0]?.text;
        if (text?.length !== bytes) failed++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  // Every session still open: whatever their stores hold is still held.
  const peak = peakRssOf(http.pid) / 1024 / 1024;
  console.log(
    `${sessions} sessions x one ${(bytes / 1e6).toFixed(1)} MB result over serve --http: ${elapsed.toFixed(0)} ms, ${failed} failed, ` +
      `serve peak RSS ${peak.toFixed(0)} MB (goal < ${GOAL_MB} MB) ${peak < GOAL_MB && failed === 0 ? "PASS" : "MISS"}`,
  );
} finally {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await http.stop();
  rmSync(scratch, { recursive: true, force: true });
}
