// The official MCP conformance suite (@modelcontextprotocol/conformance) against tether's CLI.
//
// Part of `npm test`. Each scenario starts a test server and several tether processes; on its own:
//
//   node_modules/.bin/bun test ./test/conformance/conformance.test.ts
//   TETHER_BIN=/path/to/tether node_modules/.bin/bun test ... (another binary than the freshly compiled one)
//   TETHER_CONFORMANCE_ONLY=auth/metadata-default,tools_call ... (a subset)
//
// Each scenario runs the runner's `client --scenario NAME --command "bun test/conformance/client.ts"`
// (the adapter drives tether through its CLI) with results in a temp dir, two scenarios at a time,
// and asserts `OVERALL: PASSED`; a failure lists the failing checks from checks.json and the tail
// of the adapter's output (tether's stdout/stderr).
import { afterAll, expect, test } from "bun:test";
import { ensureHostBinary } from "../support/binary.ts";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO_ROOT = resolve(import.meta.dir, "../..");
const RUNNER = join(REPO_ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const ADAPTER = join(REPO_ROOT, "test/conformance/client.ts");
const CONCURRENCY = 2;
/** The runner's own limit for one client run (several tether processes, a login, a 2-core box). */
const CLIENT_TIMEOUT_MS = 180_000;
/** A test waits for its turn in the pool too. */
const TEST_TIMEOUT_MS = 900_000;

/** Every client scenario of the core spec (`list`, minus [draft] and cross-app access), plus two extensions. */
export const SCENARIOS: readonly string[] = [
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

interface Check {
  id: string;
  name: string;
  description: string;
  status: string;
  errorMessage?: string;
  details?: unknown;
}

interface ScenarioRun {
  scenario: string;
  code: number;
  output: string;
  overall?: "PASSED" | "FAILED";
  passed?: string;
  checks: Check[];
  adapterStderr: string;
}

const resultsRoot = mkdtempSync(join(tmpdir(), "tether-conformance-results-"));
afterAll(() => {
  if (!process.env.TETHER_CONFORMANCE_KEEP_RESULTS) rmSync(resultsRoot, { recursive: true, force: true });
  else console.log(`conformance results kept in ${resultsRoot}`);
});

async function runScenario(scenario: string): Promise<ScenarioRun> {
  const outDir = mkdtempSync(join(resultsRoot, `${scenario.replace(/\W+/g, "_")}-`));
  const child = Bun.spawn(
    [
      process.execPath,
      RUNNER,
      "client",
      "--command",
      `${process.execPath} ${ADAPTER}`,
      "--scenario",
      scenario,
      "--timeout",
      String(CLIENT_TIMEOUT_MS),
      "-o",
      outDir,
    ],
    // The runner's cwd is the temp dir, so nothing (results/) lands in the work tree.
    // The compiled binary unless TETHER_BIN names another: what users run, and far quicker to start.
    {
      cwd: outDir,
      env: { ...process.env, TETHER_BIN: process.env.TETHER_BIN ?? (await ensureHostBinary()), NO_COLOR: "1", FORCE_COLOR: "0" },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const output = stripAnsi(stdout + "\n" + stderr);
  const overall = /OVERALL: (PASSED|FAILED)/.exec(output)?.[1] as ScenarioRun["overall"];
  const passed = /Passed: (\d+\/\d+)/.exec(output)?.[1];
  const checksFile = findFile(outDir, "checks.json");
  const checks: Check[] = checksFile ? JSON.parse(readFileSync(checksFile, "utf8")) : [];
  const stderrFile = findFile(outDir, "stderr.txt");
  const adapterStderr = stderrFile ? readFileSync(stderrFile, "utf8") : "";
  return { scenario, code, output, overall, passed, checks, adapterStderr };
}

function stripAnsi(text: string): string {
  // biome-ignore lint: the escape character is the point
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === name) return path;
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** What a failing scenario shows: the checks that failed or warned, then the tail of tether's output. */
function explain(run: ScenarioRun): string {
  const bad = run.checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
  const lines = [
    `${run.scenario}: OVERALL ${run.overall ?? "(none printed)"}, passed ${run.passed ?? "?"}, runner exit ${run.code}`,
    ...bad.map((c) => `  ${c.status} ${c.id}: ${c.description}${c.errorMessage ? ` — ${c.errorMessage}` : ""}${c.details ? ` ${JSON.stringify(c.details).slice(0, 400)}` : ""}`),
  ];
  if (run.checks.length === 0) lines.push("  (no checks.json)", run.output.split("\n").slice(-30).join("\n"));
  const adapterTail = run.adapterStderr.trimEnd().split("\n").slice(-40).join("\n");
  if (adapterTail) lines.push("  adapter (tether) output, last lines:", adapterTail);
  return lines.join("\n");
}

/** A pool of CONCURRENCY runs; each scenario starts once, when its test first asks for it. */
const waiting: (() => void)[] = [];
let running = 0;
async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENCY) await new Promise<void>((resume) => waiting.push(resume));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const only = process.env.TETHER_CONFORMANCE_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
const selected = only ? SCENARIOS.filter((s) => only.includes(s)) : SCENARIOS;

for (const scenario of selected) {
  test.concurrent(
    `conformance: ${scenario}`,
    async () => {
      const run = await withSlot(() => runScenario(scenario));
      if (run.overall !== "PASSED") throw new Error(explain(run));
      expect(run.overall).toBe("PASSED");
    },
    TEST_TIMEOUT_MS,
  );
}
