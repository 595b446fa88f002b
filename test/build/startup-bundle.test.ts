// What the compiled executable loads to start (bench/startup.ts measures the time): citty parses
// argv with src/cli/parse-args.ts, so node:util (~0.8 ms to load) stays out of every start.
import { beforeAll, expect, test } from "bun:test";
import { inspectBundle } from "../../build.ts";

const BUILD_TIMEOUT_MS = 120_000;

let bundle: string;
beforeAll(async () => {
  bundle = await inspectBundle({ otel: false });
}, BUILD_TIMEOUT_MS);

test("citty's parseArgs is tether's port, not node:util's", () => {
  expect(bundle).toContain("parseArgs: only strict: false is supported");
  expect(bundle).not.toContain('"node:util"');
});
