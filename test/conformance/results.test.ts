// How the conformance test judges a check whose verdict depends on the machine's speed (sse-retry's
// reconnection timing), with checks shaped as the runner writes them to checks.json.
import { expect, test } from "bun:test";
import { type Check, lateOnlyFromLoad } from "./results.ts";

const timing = (status: string, details: Record<string, unknown>): Check => ({ id: "client-sse-retry-timing", status, details });
const upstream = { expectedRetryMs: 500, minAcceptableMs: 450, maxAcceptableMs: 700, earlyToleranceMs: 50, lateToleranceMs: 200 };

test("sse-retry: a reconnection that came late after waiting the retry interval passes, whatever the runner called it", () => {
  expect(lateOnlyFromLoad(timing("WARNING", { ...upstream, actualDelayMs: 829, tooEarly: false, slightlyLate: true, veryLate: false }))).toBe(true);
  expect(lateOnlyFromLoad(timing("FAILURE", { ...upstream, actualDelayMs: 1700, tooEarly: false, slightlyLate: true, veryLate: true }))).toBe(true);
  // Within the runner's 50 ms early tolerance.
  expect(lateOnlyFromLoad(timing("WARNING", { ...upstream, actualDelayMs: 460 }))).toBe(true);
});

test("sse-retry: a reconnection before the retry interval, or one the runner could not measure, still fails", () => {
  expect(lateOnlyFromLoad(timing("FAILURE", { ...upstream, actualDelayMs: 120, tooEarly: true }))).toBe(false);
  expect(lateOnlyFromLoad(timing("FAILURE", { ...upstream, actualDelayMs: 300 }))).toBe(false);
  expect(lateOnlyFromLoad(timing("WARNING", { postStreamCloseTime: null, getReconnectionTime: 12.5 }))).toBe(false);
  expect(lateOnlyFromLoad(timing("FAILURE", {}))).toBe(false);
});

test("only the retry-timing check is judged this way: no reconnection at all, or any other check, is not excused", () => {
  expect(lateOnlyFromLoad({ id: "client-sse-graceful-reconnect", status: "FAILURE", details: { ...upstream, actualDelayMs: 900, getConnectionCount: 0 } })).toBe(false);
  expect(lateOnlyFromLoad({ id: "client-sse-last-event-id", status: "WARNING", details: { ...upstream, actualDelayMs: 900 } })).toBe(false);
});
