// The main-thread tracer's modes (src/telemetry/traces.ts): what it records, and what context an
// outgoing request carries, with traces exported, only propagated, or off.
import { expect, test } from "bun:test";
import { exportingTracer, inSpan, NOOP_TRACER, propagatingTracer, type QueuedSpan } from "../../src/telemetry/traces.ts";
import { parseTraceparent } from "../../src/telemetry/trace-context.ts";

const CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const UNSAMPLED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

function recording(rootName = "tether.exec") {
  const spans: QueuedSpan[] = [];
  let clock = 1_000;
  const tracer = exportingTracer({ rootName, startedAt: 500, now: () => clock++, sink: { add: (span) => void spans.push(span), shutdown: async () => {} } });
  return { tracer, spans };
}

test("exporting: children of the active span; the root ends last, at shutdown, with the run's failure", async () => {
  const { tracer, spans } = recording();
  let outgoing: string | undefined;
  await inSpan(tracer, "tether.turn", {}, async () => {
    await inSpan(tracer, "tether.tool_call", {}, async () => {
      await Promise.resolve();
      outgoing = tracer.outgoing()?.traceparent;
    });
  });
  tracer.fail(new Error("stopped after 1 turn\nmore"));
  await tracer.shutdown();
  const [call, turn, root] = spans;
  expect([call![0], turn![0], root![0]]).toEqual(["tether.tool_call", "tether.turn", "tether.exec"]);
  expect([call![4], turn![4], root![4]]).toEqual([turn![3], root![3], ""]);
  expect(outgoing).toBe(`00-${call![2]}-${call![3]}-01`);
  expect([root![6], root![8], root![9]]).toEqual([500, 2, "stopped after 1 turn"]);
  // Nothing after shutdown.
  tracer.start("late").end();
  expect(spans).toHaveLength(3);
});

test("exporting, an unsampled remote parent: its context goes on with flag 00, nothing is recorded", async () => {
  const { tracer, spans } = recording();
  const parent = parseTraceparent(UNSAMPLED)!;
  let outgoing: string | undefined;
  await inSpan(tracer, "tether.serve_request", { parent }, async () => {
    await inSpan(tracer, "tether.mcp_request", {}, async () => {
      outgoing = tracer.outgoing()?.traceparent;
    });
  });
  expect(outgoing).toBe(UNSAMPLED);
  expect(spans).toEqual([]);
});

test("exporting, a sampled remote parent: the span is its child, marked remote, with its tracestate", async () => {
  const { tracer, spans } = recording();
  await inSpan(tracer, "tether.serve_request", { parent: parseTraceparent(CALLER, "k=v")! }, async () => {});
  const [span] = spans;
  expect([span![2], span![4], span![5], span![11]]).toEqual(["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true, "k=v"]);
});

test("propagating only: outgoing requests carry the inherited context, or a relayed one inside its span", async () => {
  const tracer = propagatingTracer(parseTraceparent(CALLER));
  expect(tracer.outgoing()?.traceparent).toBe(CALLER);
  let inside: string | undefined;
  await inSpan(tracer, "tether.serve_request", { parent: parseTraceparent(UNSAMPLED)! }, async () => {
    inside = tracer.outgoing()?.traceparent;
  });
  expect(inside).toBe(UNSAMPLED);
  // A relay with nothing inherited and a request without context: nothing goes out.
  const relay = propagatingTracer();
  await inSpan(relay, "tether.serve_request", { parent: null }, async () => expect(relay.outgoing()).toBeUndefined());
});

test("off: nothing goes out and nothing is recorded", async () => {
  expect(NOOP_TRACER.propagating).toBe(false);
  expect(await inSpan(NOOP_TRACER, "x", {}, async () => NOOP_TRACER.outgoing())).toBeUndefined();
});
