// `tether mcp import` of a big file (issue 24 item 3): 3,000 servers, about 3.4 MB (under the
// 4 MiB import cap), from Claude Desktop's format. Goal: the real run ≤ 2 s with the compiled
// binary (it took 68.6 s when each server re-scanned the growing config.toml). `tether --version`
// in the same run is printed for scale.
// Run: bun bench/import.ts [servers] [rounds]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureHostBinary } from "../test/support/binary.ts";
import { median, timeRun } from "./stats.ts";

const count = Number(process.argv[2] ?? 3000);
const ROUNDS = Number(process.argv[3] ?? 3);
const GOAL_MS = 2_000;
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/** One app entry of ~1.1 KB: what people keep (paths, flags, ports, log levels), stdio and HTTP. */
function entry(i: number): Record<string, unknown> {
  const pad = "x".repeat(40);
  if (i % 4 === 3) {
    return {
      type: "http",
      url: `https://mcp-${i}.internal.example.com:8443/v1/mcp`,
      headers: { "X-Team": `team-${i % 17}`, "X-Region": "eu-west-1", "X-Trace": "on" },
      disabledTools: Array.from({ length: 18 }, (_, t) => `remote_tool_${t}_of_server_${i}`),
    };
  }
  return {
    command: "/usr/local/bin/node",
    args: [
      `/opt/mcp/servers/server-${i}/dist/index.js`,
      "--port",
      String(3000 + (i % 1000)),
      "--log-level",
      "info",
      "--root",
      `/home/ada/projects/project-${i}/src`,
      "--cache-dir",
      `/home/ada/.cache/mcp/server-${i}`,
      "--mode=fast",
      "--workers",
      "4",
    ],
    env: {
      NODE_ENV: "production",
      LOG_LEVEL: "debug",
      PORT: String(8000 + (i % 1000)),
      DATA_DIR: `/var/lib/mcp/server-${i}/data/with/a/longer/path/${pad}`,
      FEATURE_FLAGS: "alpha,beta",
      TZ: "Europe/Paris",
    },
    disabledTools: ["delete_everything", "format_disk", ...Array.from({ length: 12 }, (_, t) => `tool_${t}_of_server_${i}`)],
  };
}

const scratch = mkdtempSync(join(tmpdir(), "tether-bench-import-"));
try {
  const binary = await ensureHostBinary();
  const source = join(scratch, "claude_desktop_config.json");
  const servers = Object.fromEntries(Array.from({ length: count }, (_, i) => [`server-${i}`, entry(i)]));
  writeFileSync(source, JSON.stringify({ mcpServers: servers }, null, 2));
  const bytes = statSync(source).size;
  if (bytes > MAX_SOURCE_BYTES) throw new Error(`generated ${bytes} bytes: over the 4 MiB import cap`);

  const home = join(scratch, "home");
  mkdirSync(join(home, ".tether"), { recursive: true });
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TETHER_HOME: join(home, ".tether") };
  const config = join(home, ".tether", "config.toml");
  const args = [binary, "mcp", "import", "--from", "claude-desktop", "--path", source, "--json"];

  const version = median(Array.from({ length: 5 }, () => timeRun([binary, "--version"], env).ms));
  // The median of a few rounds: one run on a busy machine says little.
  const dryMs = median(Array.from({ length: ROUNDS }, () => timeRun([...args, "--dry-run"], env).ms));
  const realRuns = Array.from({ length: ROUNDS }, () => {
    rmSync(config, { force: true });
    return timeRun(args, env);
  });
  const realMs = median(realRuns.map((run) => run.ms));
  const rows = (JSON.parse(realRuns.at(-1)!.stdout) as { rows: { status: string }[] }).rows;
  const imported = rows.filter((r) => r.status === "imported" || r.status === "needs attention").length;
  // Paths, ports, log levels and regions are no secrets: a "needs attention" row here is a false alarm.
  const alarms = rows.filter((r) => r.status === "needs attention").length;
  const written = readFileSync(config, "utf8");
  if (imported !== count || (written.match(/^\[mcp_servers\./gm) ?? []).length !== count) {
    throw new Error(`expected ${count} servers imported and written, got ${imported} rows and a config of ${written.length} bytes`);
  }
  // Once more over the full config: every server exists, so every one is compared and skipped.
  const again = timeRun(args, env);

  const verdict = (ms: number) => `${ms.toFixed(0)} ms (goal <= ${GOAL_MS} ms) ${ms <= GOAL_MS ? "PASS" : "MISS"}`;
  console.log(`source: ${count} servers, ${(bytes / 1e6).toFixed(2)} MB; config.toml written: ${(written.length / 1e6).toFixed(2)} MB`);
  console.log(`rows needing attention (false alarms): ${alarms}`);
  console.log(`mcp import --dry-run: ${verdict(dryMs)}`);
  console.log(`mcp import:           ${verdict(realMs)}`);
  console.log(`mcp import, all exist (skipped): ${again.ms.toFixed(0)} ms`);
  console.log(`tether --version: ${version.toFixed(1)} ms (for scale)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
