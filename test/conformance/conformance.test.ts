// The official MCP conformance suite (@modelcontextprotocol/conformance) against tether's CLI.
//
// Part of `npm test`. Each scenario starts a test server and several tether processes; on its own:
//
//   node_modules/.bin/bun test ./test/conformance/conformance.test.ts
//   TETHER_TEST_BINARY=/path/to/tether node_modules/.bin/bun test ... (another binary than the freshly compiled one)
//   TETHER_CONFORMANCE_ONLY=auth/metadata-default,tools_call ... (a subset)
//
// The runner's `client --suite all --command "bun test/conformance/client.ts"` runs once (the
// adapter drives tether through its CLI), its results in a temp dir. Each scenario's test then
// asserts what the runner's own verdict does: every check passed and the adapter exited 0 (unless
// the scenario expects the client to give up). A failure lists the failing checks from checks.json
// and the tail of the adapter's output (tether's stdout/stderr).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ensureHostBinary } from "../support/binary.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../support/cli.ts";
import { EXIT_LINE } from "./client.ts";
import { type Check, RUNNER, resultChecks, resultDir, resultFile } from "./results.ts";

const ADAPTER = join(REPO_ROOT, "test/conformance/client.ts");
/** The runner's own limit for one client run (several tether processes, a login, a 2-core box). */
const CLIENT_TIMEOUT_MS = 180_000;
/** The whole suite, its scenarios side by side. */
const TEST_TIMEOUT_MS = 900_000;

/** Every client scenario of the core spec (`list`, minus [draft] and cross-app access), plus two extensions. */
const SCENARIOS: readonly string[] = [
  "initialize",
  "tools_call",
  "sse-retry",
  "auth/metadata-default",
  "auth/metadata-var1",
  "auth/metadata-var2",
  "auth/metadata-var3",
  "auth/basic-cimd",
  "auth/scope-from-www-authenticate",
  "auth/scope-from-scopes-supported",
  "auth/scope-omitted-when-undefined",
  "auth/scope-step-up",
  "auth/scope-retry-limit",
  "auth/token-endpoint-auth-basic",
  "auth/token-endpoint-auth-post",
  "auth/token-endpoint-auth-none",
  "auth/pre-registration",
  "auth/2025-03-26-oauth-metadata-backcompat",
  "auth/2025-03-26-oauth-endpoint-fallback",
  "auth/client-credentials-jwt",
  "auth/client-credentials-basic",
  "elicitation-sep1034-client-defaults",
];

/**
 * Scenarios whose client is expected to fail (the runner's `allowClientError`): the test server
 * refuses until the client gives up, so the adapter's non-zero exit is the right outcome there.
 */
const CLIENT_MAY_FAIL: ReadonlySet<string> = new Set(["auth/scope-retry-limit"]);

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

/** One runner invocation (`--suite all`, or `--scenario NAME`); results land in resultsRoot. Returns its output. */
async function runRunner(selection: string[]): Promise<string> {
  const child = Bun.spawn(
    [process.execPath, RUNNER, "client", "--command", `${process.execPath} ${ADAPTER}`, ...selection, "--timeout", String(CLIENT_TIMEOUT_MS), "-o", resultsRoot],
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
function scenarioRun(scenario: string): ScenarioRun | undefined {
  const dir = resultDir(resultsRoot, scenario);
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
  const bad = run.checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
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

const only = process.env.TETHER_CONFORMANCE_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
const selected = only ? SCENARIOS.filter((s) => only.includes(s)) : SCENARIOS;
let runnerOutput = "";

// The runner runs the whole suite at once (its scenarios in parallel) far more cheaply than it
// starts once per scenario; a subset (TETHER_CONFORMANCE_ONLY) runs scenario by scenario.
beforeAll(async () => {
  for (const selection of only ? selected.map((s) => ["--scenario", s]) : [["--suite", "all"]]) runnerOutput += await runRunner(selection);
}, TEST_TIMEOUT_MS);

for (const scenario of selected) {
  test(`conformance: ${scenario}`, () => {
    const run = scenarioRun(scenario);
    if (!run) throw new Error(`${scenario}: the runner wrote no results; its output ended:\n${runnerOutput.split("\n").slice(-30).join("\n")}`);
    const why = failure(run);
    expect(why, why).toBeUndefined();
  });
}
