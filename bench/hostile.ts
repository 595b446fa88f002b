// Hostile inputs against the real CLI: each case prints tether's peak RSS and wall time (figures,
// never asserted; the goal is peak RSS under 300 MB). New cases (stdio floods, MCP SSE events) are
// one more entry in CASES.
// Run: ./node_modules/.bin/bun bench/hostile.ts [CASE-NAME-SUBSTRING...] [--kills 300]
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, MAIN_PATH } from "../test/support/cli.ts";
import { hostileStep, startMockResponses, type MockStep } from "../test/support/mock-responses.ts";
import { responseCreated, sse } from "../test/support/sse.ts";

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
const kills = Number(args[args.indexOf("--kills") + 1]) || 300;
const filters = args.filter((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--kills");

/** Runs tether once and measures it. */
async function tether(home: Home, argv: string[], env: Record<string, string> = {}): Promise<Outcome & { code: number; stderr: string }> {
  const started = performance.now();
  const child = Bun.spawn([process.execPath, MAIN_PATH, ...argv], {
    cwd: home.dir,
    env: baseEnv(home.dir, { MOCK_KEY: "bench-key", ...env }),
    stdout: "ignore",
    stderr: "pipe",
    timeout: 600_000,
  });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  const ms = performance.now() - started;
  const firstError = stderr.split("\n").find((line) => line.startsWith("error:")) ?? "";
  return { peakRss: child.resourceUsage()?.maxRSS ?? 0, ms, code, stderr, note: `exit ${code} ${firstError}`.trim() };
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
  {
    name: `lock: ${kills} writers killed with SIGKILL, then the next write`,
    async run(home) {
      let worst: Outcome = { peakRss: 0, ms: 0, note: "" };
      let failures = 0;
      for (let i = 0; i < kills; i++) {
        const child = Bun.spawn([process.execPath, MAIN_PATH, "mcp", "add", `killed${i}`, "--", "cmd"], {
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
