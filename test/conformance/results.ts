// Reading what the official conformance runner wrote with `-o DIR`: one directory per scenario,
// `<name>-<timestamp>` (a name's `/` is a subdirectory: auth/metadata-default), holding
// checks.json and, for client scenarios, the client's stdout.txt and stderr.txt.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { REPO_ROOT } from "../support/cli.ts";

/** The official runner's entry point, run with bun. */
export const RUNNER: string = join(REPO_ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");

export interface Check {
  id: string;
  name?: string;
  description?: string;
  status: string;
  errorMessage?: string;
  details?: unknown;
}

/** The directory of the scenario `name` under `root`, or undefined when the runner wrote none. */
export function resultDir(root: string, name: string): string | undefined {
  const parent = join(root, dirname(name));
  const prefix = `${basename(name)}-`;
  if (!existsSync(parent)) return undefined;
  const dir = readdirSync(parent).find((entry) => entry.startsWith(prefix) && /^\d{4}-\d{2}-\d{2}T[\d-]+Z$/.test(entry.slice(prefix.length)));
  return dir === undefined ? undefined : join(parent, dir);
}

/** A file of a scenario's results ("" when absent). */
export function resultFile(dir: string, file: string): string {
  const path = join(dir, file);
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** The scenario's checks (none when checks.json is absent). */
export function resultChecks(dir: string): Check[] {
  const text = resultFile(dir, "checks.json");
  return text ? (JSON.parse(text) as Check[]) : [];
}

/**
 * Whether a check's bad verdict judges only how fast this machine was, not what tether did. The
 * one such check: sse-retry's `client-sse-retry-timing`. tether (the SDK's transport) schedules the
 * reconnection after exactly the server's `retry:` interval, so a reconnection that came *late*
 * (a WARNING "reconnected slightly late", or in runner versions with an upper bound a FAILURE
 * "very late") was delayed by a loaded machine's timers and process scheduling, not by tether; it
 * passes as long as the details show tether waited at least the interval (less the runner's own
 * early tolerance). Too early, no reconnection (its own check), or no measurement still fail.
 */
export function lateOnlyFromLoad(check: Check): boolean {
  if (check.id !== "client-sse-retry-timing" || (check.status !== "WARNING" && check.status !== "FAILURE")) return false;
  const details = (check.details ?? {}) as Record<string, unknown>;
  const expected = details.expectedRetryMs;
  const actual = details.actualDelayMs;
  if (typeof expected !== "number" || typeof actual !== "number" || details.tooEarly === true) return false;
  const earlyTolerance = typeof details.earlyToleranceMs === "number" ? details.earlyToleranceMs : 0;
  return actual >= expected - earlyTolerance;
}

/** Whether every check of the scenario in `dir` passed (INFO lines aside), and at least one did. */
export function scenarioPassed(dir: string): boolean {
  const checks = resultChecks(dir);
  return checks.some((c) => c.status === "SUCCESS") && checks.every((c) => c.status === "SUCCESS" || c.status === "INFO");
}

/** The server scenarios that passed in a runner's `-o` directory, sorted. */
export function passedScenarios(root: string): string[] {
  return readdirSync(root)
    .map((entry) => /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null && scenarioPassed(join(root, match[0])))
    .map((match) => match[1]!)
    .sort();
}
