// Hostile inputs against the real CLI: each case prints tether's peak RSS and wall time (figures,
// never asserted; the goal is peak RSS under 300 MB). New cases are one more entry in CASES.
// On Linux the peak is the tether process's own VmHWM, sampled while it runs (rusage would also
// count the servers it reaps).
// Run: ./node_modules/.bin/bun bench/hostile.ts [CASE-NAME-SUBSTRING...] [--kills 300]   (FLOOD_SEC=30 for longer floods)
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureHostBinary } from "../test/support/binary.ts";
import { baseEnv, isProcessAlive } from "../test/support/cli.ts";
import { hostileStep, startMockResponses, type MockStep } from "../test/support/mock-responses.ts";
import { responseCreated, sse } from "../test/support/sse.ts";
import { stdioFixture, writeConfig, type ServerEntry } from "../test/support/config.ts";
import { startHttpFixture } from "../test/support/fixture.ts";
import { helperPids } from "../test/support/fixture-hostile.ts";
import { peakRssOf } from "./stats.ts";

interface Outcome {
  /** Peak resident set of the tether process, bytes (the worst one for multi-run cases). */
  peakRss: number;
  ms: number;
  /** Exit code and the first error line, or a summary. */
  note: string;
}

interface HostileCase {
  name: string;
  run(home: Home): Promise<Outcome>;
}

interface Home {
  dir: string;
  tetherHome: string;
  config: string;
}

const args = process.argv.slice(2);
/** The compiled executable, as the other benches use and users run. */
const binary = await ensureHostBinary();
const kills = Number(args[args.indexOf("--kills") + 1]) || 300;
const filters = args.filter((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--kills");

/** Runs tether once and measures it. */
async function tether(home: Home, argv: string[], env: Record<string, string> = {}): Promise<Outcome & { code: number; stderr: string }> {
  const started = performance.now();
  const child = Bun.spawn([binary, ...argv], {
    cwd: home.dir,
    env: baseEnv(home.dir, { MOCK_KEY: "bench-key", ...env }),
    stdout: "ignore",
    stderr: "pipe",
    timeout: 600_000,
  });
  let hwm = 0;
  const sampler = setInterval(() => (hwm = Math.max(hwm, peakRssOf(child.pid))), 20);
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  clearInterval(sampler);
  const ms = performance.now() - started;
  const firstError = stderr.split("\n").find((line) => line.startsWith("error:")) ?? "";
  // A run shorter than one sample (a refused config) is gone before the first: rusage then, with no servers to count.
  const peakRss = process.platform === "linux" && hwm > 0 ? hwm : (child.resourceUsage()?.maxRSS ?? 0);
  return { peakRss, ms, code, stderr, note: `exit ${code} ${firstError}`.trim() };
}

/** A model case: config.toml pointing exec at a mock server that plays `step`. */
function modelCase(name: string, step: MockStep, providerLines: string[] = []): HostileCase {
  return {
    name,
    async run(home) {
      const mock = startMockResponses([step, step, step, step]);
      try {
        writeFileSync(
          home.config,
          ['model = "m"', 'model_provider = "mock"', "", "[model_providers.mock]", `base_url = "${mock.url}"`, 'env_key = "MOCK_KEY"', ...providerLines, ""].join("\n"),
        );
        const result = await tether(home, ["exec", "go"]);
        return { ...result, note: `${result.note} (${mock.requests.length} request${mock.requests.length === 1 ? "" : "s"})` };
      } finally {
        await mock.stop();
      }
    },
  };
}

/** A config case: config.toml replaced by what `make` puts there. */
function configCase(name: string, make: (path: string) => void): HostileCase {
  return {
    name,
    async run(home) {
      make(home.config);
      return tether(home, ["mcp", "list"]);
    },
  };
}

/** An MCP case: config.toml with these servers, then one tether command. */
function mcpCase(name: string, servers: (home: Home) => Record<string, ServerEntry>, argv: string[], after?: (home: Home, outcome: Outcome) => string): HostileCase {
  return {
    name,
    async run(home) {
      writeConfig(home.config, { servers: servers(home) });
      const result = await tether(home, argv);
      const warned = result.stderr.includes("warning:") ? " (warned)" : "";
      return { ...result, note: `${result.note}${warned}${after ? `; ${after(home, result)}` : ""}` };
    },
  };
}

/** An MCP case against an HTTP fixture started with `flags`. */
function httpCase(name: string, flags: string[], entry: ServerEntry, argv: string[]): HostileCase {
  return {
    name,
    async run(home) {
      const fx = await startHttpFixture(flags);
      try {
        return await mcpCase(name, () => ({ fx: { url: fx.url, ...entry } }), argv).run(home);
      } finally {
        await fx.stop();
      }
    },
  };
}

/** How many helper pids listed in the fixture's pid file still run (zombies count as gone). */
function helpersLeft(home: Home): string {
  const pids = helperPids(`${home.dir}/helpers.pid`);
  Bun.sleepSync(200);
  const running = pids.filter(isProcessAlive);
  for (const pid of running) process.kill(pid, "SIGKILL");
  return `${running.length} of ${pids.length} helpers left running`;
}

/** How long the flood cases last: FLOOD_SEC=30 shows whether memory keeps growing. */
const floodSec = Number(process.env.FLOOD_SEC ?? 10);
const NEVER_ANSWERED = ["mcp", "call", "fx", "slow", "--arg", "ms=600000"];

const created = sse([responseCreated("resp_1")]);

const CASES: HostileCase[] = [
  modelCase("model: endless deltas (default 32 MiB cap)", hostileStep("endless-deltas", { sse: created })),
  modelCase("model: event that never ends (default 8 MiB cap)", hostileStep("unterminated-event", { sse: created })),
  modelCase("model: headers then silence (stream_idle_timeout_sec = 2, 4 attempts)", hostileStep("silence"), ["stream_idle_timeout_sec = 2"]),
  configCase("config: symlink to /dev/zero", (path) => symlinkSync("/dev/zero", path)),
  configCase("config: FIFO", (path) => Bun.spawnSync(["mkfifo", path])),
  configCase("config: 64 MiB file", (path) => {
    // Written in pieces: a 64 MiB string in this process would show in the child's peak RSS (fork).
    const piece = "#".repeat(1024 * 1024);
    writeFileSync(path, "");
    for (let i = 0; i < 64; i++) appendFileSync(path, piece);
  }),
  ...(["plain", "progress", "logging"] as const).map((kind) =>
    mcpCase(`mcp stdio: ${kind} notification flood, call never answered (tool_timeout_sec = ${floodSec})`, () => ({ fx: stdioFixture(["--flood", kind], { tool_timeout_sec: floodSec }) }), NEVER_ANSWERED),
  ),
  mcpCase("mcp stdio: a flooding server next to a healthy one, list --status", () => ({ fx: stdioFixture(["--flood", "plain"]), ok: stdioFixture() }), ["mcp", "list", "--status"]),
  mcpCase("mcp stdio: 100 MB of stderr without a newline, then tools", () => ({ fx: stdioFixture(["--stderr-bytes", "100000000"]) }), ["mcp", "tools", "fx"]),
  mcpCase("mcp stdio: an 11 MB stdout line (10 MiB limit)", () => ({ fx: stdioFixture() }), ["mcp", "call", "fx", "big", "--arg", "bytes=11000000"]),
  mcpCase("mcp stdio: helper that ignores stdin EOF", (home) => ({ fx: stdioFixture(["--fork-helper", `${home.dir}/helpers.pid`]) }), ["mcp", "tools", "fx"], helpersLeft),
  mcpCase("mcp stdio: double-forked helper", (home) => ({ fx: stdioFixture(["--double-fork", `${home.dir}/helpers.pid`]) }), ["mcp", "tools", "fx"], helpersLeft),
  httpCase(`mcp http: notification flood on the call's SSE stream (tool_timeout_sec = ${floodSec})`, ["--flood", "plain"], { tool_timeout_sec: floodSec }, NEVER_ANSWERED),
  httpCase("mcp http: an SSE event that never ends (16 MiB limit)", ["--endless-event"], { tool_timeout_sec: 120 }, ["mcp", "call", "fx", "echo", "--arg", "text=hi"]),
  httpCase("mcp http: a 17 MB JSON body (16 MiB limit)", ["--json-response"], { tool_timeout_sec: 120 }, ["mcp", "call", "fx", "big", "--arg", "bytes=17000000"]),
  {
    name: `lock: ${kills} writers killed with SIGKILL, then the next write`,
    async run(home) {
      let worst: Outcome = { peakRss: 0, ms: 0, note: "" };
      let failures = 0;
      for (let i = 0; i < kills; i++) {
        const child = Bun.spawn([binary, "mcp", "add", `killed${i}`, "--", "cmd"], {
          cwd: home.dir,
          env: baseEnv(home.dir),
          stdout: "ignore",
          stderr: "ignore",
        });
        await Bun.sleep(Math.random() * 250);
        child.kill("SIGKILL");
        await child.exited;
        const next = await tether(home, ["mcp", "add", `after${i}`, "--", "cmd"]);
        if (next.code !== 0) failures++;
        if (next.ms > worst.ms) worst = next;
      }
      return { peakRss: worst.peakRss, ms: worst.ms, note: `${kills - failures}/${kills} next writes succeeded; slowest shown` };
    },
  },
];

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
for (const hostile of CASES) {
  if (filters.length > 0 && !filters.some((filter) => hostile.name.includes(filter))) continue;
  const dir = mkdtempSync(join(tmpdir(), "tether-bench-"));
  const tetherHome = join(dir, ".tether");
  mkdirSync(tetherHome, { recursive: true, mode: 0o700 });
  try {
    const outcome = await hostile.run({ dir, tetherHome, config: join(tetherHome, "config.toml") });
    console.log(`${hostile.name}\n  peak RSS ${mb(outcome.peakRss)}, ${outcome.ms.toFixed(0)} ms: ${outcome.note}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
