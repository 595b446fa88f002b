// W3C Trace Context as tether reads it (TRACEPARENT, a downstream request's _meta) and writes it.
import { expect, test } from "bun:test";
import { formatTraceparent, inheritedTraceContext, parseTraceparent, traceFields } from "../../src/telemetry/trace-context.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

test("a valid traceparent: ids, the sampled flag, the tracestate kept", () => {
  expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, "a=1,b=2")).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true, remote: true, traceState: "a=1,b=2" });
  expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
  // A later version is read as 00, its extra fields ignored.
  expect(parseTraceparent(`01-${TRACE}-${SPAN}-03-extra`)).toMatchObject({ traceId: TRACE, sampled: true });
});

test.each([
  ["uppercase hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
  ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
  ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
  ["version ff", `ff-${TRACE}-${SPAN}-01`],
  ["version 00 with more fields", `00-${TRACE}-${SPAN}-01-x`],
  ["short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
  ["not a string", 42],
  ["empty", ""],
])("%s is ignored, not an error", (_what, value) => {
  expect(parseTraceparent(value)).toBeUndefined();
});

test("TRACEPARENT and TRACESTATE from the environment; an oversized tracestate is dropped", () => {
  expect(inheritedTraceContext({ TRACEPARENT: `00-${TRACE}-${SPAN}-01`, TRACESTATE: "v=1" })).toMatchObject({ traceId: TRACE, traceState: "v=1" });
  expect(inheritedTraceContext({ TRACEPARENT: `00-${TRACE}-${SPAN}-01`, TRACESTATE: "x".repeat(9_000) })?.traceState).toBeUndefined();
  expect(inheritedTraceContext({})).toBeUndefined();
});

test("what goes out: traceparent, tracestate when there is one, never baggage", () => {
  expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, sampled: false })).toBe(`00-${TRACE}-${SPAN}-00`);
  expect(traceFields({ traceId: TRACE, spanId: SPAN, sampled: true })).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
  expect(traceFields({ traceId: TRACE, spanId: SPAN, sampled: true, traceState: "a=1" })).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: "a=1" });
});
