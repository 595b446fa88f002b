// The official conformance suite's server scenarios through `tether mcp serve --http --no-prefix`:
// every scenario an upstream passes directly (direct-passes.json, refreshed by refresh-direct.ts)
// must pass through serve fronting that upstream, at each requirement set, over each transport
// serve reaches it by (./upstreams.ts: the fixture's conformance catalog on stdio and HTTP,
// server-everything on stdio). One suite run per (upstream, transport, requirement set), all
// side by side; each test then reads its scenario's checks.
//
//   node_modules/.bin/bun test ./test/conformance/serve-conformance.test.ts
//
// Serve runs with `--sse-poll 1`, so the suite's SSE polling scenario (a 1.5 s call) has its
// stream closed by serve and resumed from serve's event store.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeHome } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { type HttpServe, startHttpServe } from "../serve/harness.ts";
import { resultChecks, resultDir } from "./results.ts";
import { type Requirements, REQUIREMENTS, readDirectPasses, runSuite, type Running, UPSTREAMS } from "./upstreams.ts";

const direct = readDirectPasses();

interface Run {
  label: string;
  upstream: string;
  transport: "stdio" | "http";
  requirements: Requirements;
  scenarios: string[];
  dir: string;
  /** The runner's summary and stderr, shown when a scenario has no results. */
  output: string;
}

const runs: Run[] = UPSTREAMS.flatMap((upstream) =>
  upstream.transports.flatMap((transport) =>
    REQUIREMENTS.filter((requirements) => (direct[upstream.name]?.[requirements] ?? []).length > 0).map((requirements) => ({
      label: `${upstream.name} (${transport}) @ ${requirements}`,
      upstream: upstream.name,
      transport,
      requirements,
      scenarios: direct[upstream.name]![requirements]!,
      dir: mkdtempSync(join(tmpdir(), "tether-serve-conformance-")),
      output: "",
    })),
  ),
);

const homes: ReturnType<typeof makeHome>[] = [];
const started: Running[] = [];
const serves: HttpServe[] = [];

beforeAll(async () => {
  // One serve per (upstream, transport), shared by its requirement sets.
  await Promise.all(
    UPSTREAMS.flatMap((upstream) =>
      upstream.transports.map(async (transport) => {
        const mine = runs.filter((r) => r.upstream === upstream.name && r.transport === transport);
        if (mine.length === 0) return;
        const running = await upstream.start(transport);
        started.push(running);
        const home = makeHome();
        homes.push(home);
        writeConfig(home.configPath, { servers: { [upstream.name]: running.entry } });
        const served = await startHttpServe(home.home, ["--no-prefix", "--sse-poll", "1"]);
        serves.push(served);
        for (const run of mine) run.output = await runSuite(served.url, run.requirements, run.dir);
      }),
    ),
  );
}, 150_000);

afterAll(async () => {
  await Promise.all(serves.map((s) => s.stop()));
  await Promise.all(started.map((s) => s.stop()));
  for (const home of homes) home.cleanup();
  for (const run of runs) rmSync(run.dir, { recursive: true, force: true });
});

test("direct-passes.json lists scenarios for every upstream at both requirement sets", () => {
  for (const upstream of UPSTREAMS) for (const requirements of REQUIREMENTS) expect(direct[upstream.name]?.[requirements]).toBeArray();
  expect(direct["fixture-conformance"]!["2025-11-25"]!.length).toBeGreaterThan(30);
  for (const upstream of UPSTREAMS) for (const requirements of upstream.speaks) expect(direct[upstream.name]![requirements]!.length).toBeGreaterThan(0);
});

for (const run of runs) {
  for (const scenario of run.scenarios) {
    test(`${run.label}: ${scenario} passes through serve as it does directly`, () => {
      const dir = resultDir(run.dir, `server-${scenario}`);
      if (!dir) throw new Error(`${scenario}: the runner wrote no results\n${run.output}`);
      const checks = resultChecks(dir);
      const bad = checks.filter((c) => c.status !== "SUCCESS" && c.status !== "INFO");
      if (bad.length > 0 || checks.length === 0) {
        throw new Error(`${scenario} failed:\n${bad.map((c) => `  ${c.status} ${c.id}: ${c.errorMessage ?? ""}`).join("\n") || "  (no checks)"}`);
      }
      expect(checks.some((c) => c.status === "SUCCESS")).toBe(true);
    });
  }
}
