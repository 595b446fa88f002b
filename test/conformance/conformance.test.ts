// The official MCP conformance suite (@modelcontextprotocol/conformance 0.2) against tether's CLI.
//
// Part of `npm test`. The runner runs each revision's frozen requirement set at that revision's
// wire (`client --requirements 2025-11-25`, `--requirements 2026-07-28`), and with it the opt-in
// extension scenarios, which its exit code does not count: so each scenario's test reads its
// checks.json (`-o DIR`). The adapter (./client.ts) drives the compiled tether only as a user would.
// The two 2025-03-26 back-compat scenarios (servers from before protected resource metadata) are in
// neither set; tether still talks to such servers, so they run on their own.
//
//   node_modules/.bin/bun test ./test/conformance/conformance.test.ts
//   TETHER_TEST_BINARY=/path/to/tether node_modules/.bin/bun test ... (another binary than the freshly compiled one)
//   TETHER_CONFORMANCE_ONLY=auth/dpop,tools_call ... (a subset, scenario by scenario)
//
// A failure lists the failing checks from checks.json and the tail of the adapter's output
// (tether's stdout/stderr).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ensureHostBinary } from "../support/binary.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../support/cli.ts";
import { EXIT_LINE } from "./client.ts";
import { type Check, RUNNER, lateOnlyFromLoad, resultChecks, resultDir, resultFile } from "./results.ts";

const ADAPTER = join(REPO_ROOT, "test/conformance/client.ts");
/** The runner's own limit for one client run (several tether processes, a login, a 2-core box). */
const CLIENT_TIMEOUT_MS = 180_000;
/** All runs, their scenarios side by side. */
const TEST_TIMEOUT_MS = 900_000;

const REVISIONS = ["2025-11-25", "2026-07-28"] as const;
type Run = (typeof REVISIONS)[number] | "2025-03-26";

/** Extension scenarios the runner adds to each requirement set; tether must pass them all. */
const EXTENSIONS: readonly string[] = [
  "auth/client-credentials-basic",
  "auth/client-credentials-jwt",
  "auth/enterprise-managed-authorization",
  "auth/dpop",
  "auth/dpop-nonce",
  "auth/wif-jwt-bearer",
];
const LEGACY: readonly string[] = ["auth/2025-03-26-oauth-metadata-backcompat", "auth/2025-03-26-oauth-endpoint-fallback"];

/**
 * Scenarios whose client is expected to fail (the runner's `allowClientError`): the test server
 * refuses until the client gives up, so the adapter's non-zero exit is the right outcome there.
 */
const CLIENT_MAY_FAIL: ReadonlySet<string> = new Set([
  "auth/scope-retry-limit",
  "auth/resource-mismatch",
  "auth/iss-supported-missing",
  "auth/iss-wrong-issuer",
  "auth/iss-unexpected",
  "auth/iss-normalized",
  "auth/metadata-issuer-mismatch",
  "http-invalid-tool-headers",
]);

/** The runner's `list --client` output, asked once for both revisions (each ask starts the runner: ~0.5 s). */
let clientList: string | undefined;

/** The client scenarios the runner lists for `revision` (`  - NAME [2025-11-25,2026-07-28]`), plus the extensions. */
function scenariosOf(revision: Run): string[] {
  if (revision === "2025-03-26") return [...LEGACY];
  const listed = (clientList ??= Bun.spawnSync([process.execPath, RUNNER, "list", "--client"], { stdout: "pipe", stderr: "pipe" }).stdout.toString());
  const required = [...listed.matchAll(/^\s*- (\S+) \[([^\]]*)\]/gm)].filter((m) => m[2]!.split(",").includes(revision)).map((m) => m[1]!);
  if (required.length === 0) throw new Error(`the conformance runner listed no client scenario for ${revision}:\n${listed}`);
  return [...required, ...EXTENSIONS];
}

interface ScenarioRun {
  scenario: string;
  checks: Check[];
  /** The adapter's exit code, from its last stdout line; undefined if it never got there (killed, timed out). */
  adapterExit?: number;
  adapterStderr: string;
}

const resultsRoot = mkdtempSync(join(tmpdir(), "tether-conformance-results-"));
afterAll(() => {
  if (!process.env.TETHER_CONFORMANCE_KEEP_RESULTS) rmSync(resultsRoot, { recursive: true, force: true });
  else console.log(`conformance results kept in ${resultsRoot}`);
});

const runRoot = (run: Run) => join(resultsRoot, run);

/** One runner invocation; its results land in runRoot(run). Returns its output. */
async function runRunner(run: Run, selection: string[]): Promise<string> {
  const out = runRoot(run);
  mkdirSync(out, { recursive: true });
  const child = Bun.spawn(
    [process.execPath, RUNNER, "client", "--command", `${process.execPath} ${ADAPTER}`, ...selection, "--timeout", String(CLIENT_TIMEOUT_MS), "-o", out],
    // The runner's cwd is the temp dir, so nothing (results/) lands in the work tree.
    // The compiled binary (or TETHER_TEST_BINARY's): what users run, and far quicker to start.
    {
      cwd: resultsRoot,
      env: { ...process.env, TETHER_BIN: await ensureHostBinary(), NO_COLOR: "1", FORCE_COLOR: "0" },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return stripAnsi(`${stdout}\n${stderr}`);
}

/** What the runner wrote for `scenario`, with the adapter's exit code from its last stdout line. */
function scenarioRun(run: Run, scenario: string): ScenarioRun | undefined {
  const dir = resultDir(runRoot(run), scenario);
  if (dir === undefined) return undefined;
  const exitLine = resultFile(dir, "stdout.txt").split("\n").findLast((line) => line.startsWith(EXIT_LINE));
  return {
    scenario,
    checks: resultChecks(dir),
    adapterExit: exitLine === undefined ? undefined : Number(exitLine.slice(EXIT_LINE.length)),
    adapterStderr: resultFile(dir, "stderr.txt"),
  };
}

function stripAnsi(text: string): string {
  // biome-ignore lint: the escape character is the point
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Why a scenario failed, or undefined when it passed: every check a success, the adapter exited 0. */
function failure(run: ScenarioRun): string | undefined {
  const bad = run.checks.filter((c) => (c.status === "FAILURE" || c.status === "WARNING") && !lateOnlyFromLoad(c));
  const adapterFailed = run.adapterExit !== 0 && !(run.adapterExit !== undefined && CLIENT_MAY_FAIL.has(run.scenario));
  if (bad.length === 0 && run.checks.some((c) => c.status === "SUCCESS") && !adapterFailed) return undefined;
  const lines = [
    `${run.scenario}: ${run.checks.length - bad.length}/${run.checks.length} checks passed, adapter ${run.adapterExit === undefined ? "did not finish" : `exited ${run.adapterExit}`}`,
    ...bad.map((c) => `  ${c.status} ${c.id}: ${c.description}${c.errorMessage ? ` — ${c.errorMessage}` : ""}${c.details ? ` ${JSON.stringify(c.details).slice(0, 400)}` : ""}`),
  ];
  if (run.checks.length === 0) lines.push("  (no checks)");
  const adapterTail = run.adapterStderr.trimEnd().split("\n").slice(-40).join("\n");
  if (adapterTail) lines.push("  adapter (tether) output, last lines:", adapterTail);
  return lines.join("\n");
}

const only = process.env.TETHER_CONFORMANCE_ONLY?.split(",").map((t) => t.trim()).filter(Boolean);
const RUNS: readonly Run[] = [...REVISIONS, "2025-03-26"];
const plan = new Map(RUNS.map((run) => [run, scenariosOf(run).filter((scenario) => !only || only.includes(scenario))]));
const runnerOutput = new Map<Run, string>();

/** The runner's arguments for `run`: the whole requirement set at once (its scenarios in parallel), or a subset one by one. */
function selections(run: Run): string[][] {
  const scenarios = plan.get(run)!;
  if (scenarios.length === 0) return [];
  if (only || run === "2025-03-26") return scenarios.map((s) => ["--scenario", s, ...(run === "2025-03-26" ? [] : ["--spec-version", run])]);
  return [["--requirements", run]];
}

beforeAll(async () => {
  // The requirement sets one after the other (each already runs its scenarios in parallel on 2 cores).
  for (const run of RUNS) {
    let output = "";
    for (const selection of selections(run)) output += await runRunner(run, selection);
    runnerOutput.set(run, output);
  }
}, TEST_TIMEOUT_MS);

for (const run of RUNS) {
  for (const scenario of plan.get(run)!) {
    test(`conformance ${run}: ${scenario}`, () => {
      const result = scenarioRun(run, scenario);
      if (!result) {
        const tail = (runnerOutput.get(run) ?? "").split("\n").slice(-30).join("\n");
        throw new Error(`${scenario}: the runner wrote no results at ${run}; its output ended:\n${tail}`);
      }
      const why = failure(result);
      expect(why, why).toBeUndefined();
    });
  }
}
