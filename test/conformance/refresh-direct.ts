// Refreshes direct-passes.json: runs the conformance suite's server scenarios directly against each
// upstream of ./upstreams.ts (over HTTP), at each requirement set, and records which pass. The
// serve test then holds `tether mcp serve` to exactly that list. Run after changing an upstream,
// the fixture, or the suite's version:
//
//   node_modules/.bin/bun test/conformance/refresh-direct.ts
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { passedScenarios } from "./results.ts";
import { type DirectPasses, DIRECT_PASSES_PATH, REQUIREMENTS, runSuite, UPSTREAMS } from "./upstreams.ts";

const passes: DirectPasses = {};
for (const upstream of UPSTREAMS) {
  const running = await upstream.start("http");
  try {
    passes[upstream.name] = {};
    for (const requirements of REQUIREMENTS) {
      if (!upstream.speaks.includes(requirements)) {
        passes[upstream.name]![requirements] = [];
        continue;
      }
      const dir = mkdtempSync(join(tmpdir(), "tether-conformance-direct-"));
      try {
        const summary = await runSuite(running.url!, requirements, dir);
        const passed = passedScenarios(dir);
        passes[upstream.name]![requirements] = passed;
        process.stderr.write(`${upstream.name} @ ${requirements}: ${passed.length} scenarios pass directly\n${summary.split("\n")[0]}\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await running.stop();
  }
}
writeFileSync(DIRECT_PASSES_PATH, `${JSON.stringify(passes, null, 2)}\n`);
process.stderr.write(`wrote ${DIRECT_PASSES_PATH}\n`);
