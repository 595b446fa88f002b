// exec against a hostile model stream (issue 10, item 5): every read is bounded in bytes and time,
// and a bound that the same request would break again is not retried.
import { expect, test } from "bun:test";
import { execPerTest } from "../agent/exec-harness.ts";
import { hostileStep, sseStep } from "../support/mock-responses.ts";
import { responseCreated, sse, textTurn } from "../support/sse.ts";

const setup = execPerTest();

const created = sse([responseCreated("resp_1")]);

test("endless deltas stop at stream_max_bytes with one request, exit 1, and a hint naming the setting", async () => {
  const h = setup([hostileStep("endless-deltas", { sse: created })], { provider: ["stream_max_bytes = 1048576"] });
  const result = await h.run(["go"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("error: the model stream went past 1048576 bytes (stream_max_bytes); it was cut\n");
  expect(result.stderr).toContain("hint: raise stream_max_bytes under [model_providers.mock] in config.toml");
  expect(result.stdout.length).toBeLessThanOrEqual(1048576);
  expect(h.mock.requests).toHaveLength(1);
});

test("an event that never ends stops at stream_max_event_bytes, not retried", async () => {
  const h = setup([hostileStep("unterminated-event", { sse: created })], { provider: ["stream_max_event_bytes = 65536"] });
  const result = await h.run(["go"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("error: an event of the model stream went past 65536 bytes (stream_max_event_bytes); it was cut\n");
  expect(h.mock.requests).toHaveLength(1);
});

test("headers then silence: cut after stream_idle_timeout_sec and retried; a later good stream answers", async () => {
  const h = setup([hostileStep("silence"), sseStep(sse(textTurn("resp_2", ["fine"])))], { provider: ["stream_idle_timeout_sec = 1"] });
  const result = await h.run(["go"]);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe("fine\n");
  expect(result.stderr).toContain("the model stream sent nothing for 1s; retrying in");
  expect(h.mock.requests).toHaveLength(2);
});

test("a stream that keeps going past stream_total_timeout_sec is cut and not retried", async () => {
  const h = setup([hostileStep("endless-deltas", { sse: created, delayMs: 200 })], { provider: ["stream_total_timeout_sec = 1"] });
  const result = await h.run(["go"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("error: the model response took longer than 1s\n");
  expect(result.stderr).toContain("hint: raise stream_total_timeout_sec under [model_providers.mock]");
  expect(h.mock.requests).toHaveLength(1);
});
