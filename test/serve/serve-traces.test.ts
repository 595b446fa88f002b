// Traces (issue 23) through `tether mcp serve`: a downstream request is a SERVER span continuing
// the client's `_meta.traceparent`, each upstream request its child, and the upstream server
// receives that child's context; with traces off the client's context still reaches it unchanged.
// `baggage` is never passed on.
import { beforeEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { homePerTest } from "../support/cli.ts";
import { stdioFixture } from "../support/config.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { writeConfig } from "../cli/oauth-driver.ts";
import { connectStdioServe } from "./harness.ts";

const each = homePerTest();
let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver({ grpc: false });
  each.fixtures.push(receiver);
});

const CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN = "b7ad6b7169203331";
const CALLER = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
const META = { traceparent: CALLER, tracestate: "caller=1", baggage: "user=alice" };

function setup(traces: boolean): () => { method: string; traceparent?: string; tracestate?: string; baggage?: string }[] {
  const traceFile = join(each.home.home, "upstream-trace.jsonl");
  const otel = traces ? `[otel]\ntrace_exporter = { otlp-http = { endpoint = ${JSON.stringify(receiver.httpUrl)} } }\n` : "";
  writeConfig(each.home.tetherHome, `${otel}\n${stringify({ mcp_servers: { docs: stdioFixture(["--tools", "add", "--trace-file", traceFile]) } })}`);
  return () => (existsSync(traceFile) ? readFileSync(traceFile, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : []);
}

test("a downstream call is a SERVER span in the client's trace; its upstream request is a child, whose context the server receives", async () => {
  const received = setup(true);
  const served = await connectStdioServe(each.home.home);
  await served.client.callTool({ name: "docs__add", arguments: { a: 2, b: 3 }, _meta: META });
  await served.close();

  const spans = await receiver.waitForSpans((got) => got.some((span) => span.name === "tether.serve_request" && span.attributes["mcp.method.name"] === "tools/call"), 15_000);
  const downstream = spans.find((span) => span.name === "tether.serve_request" && span.attributes["mcp.method.name"] === "tools/call")!;
  expect(downstream).toMatchObject({ kind: 2, traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN, traceState: "caller=1" });
  expect(downstream.attributes).toMatchObject({ "gen_ai.tool.name": "docs__add", "network.transport": "pipe" });
  const upstream = spans.find((span) => span.name === "tether.mcp_request" && span.attributes["mcp.method.name"] === "tools/call")!;
  expect(upstream).toMatchObject({ kind: 3, traceId: CALLER_TRACE, parentSpanId: downstream.spanId });
  expect(upstream.attributes).toMatchObject({ "mcp.server": "docs", "gen_ai.tool.name": "add" });

  const call = received().find((line) => line.method === "tools/call")!;
  expect(call).toEqual({ method: "tools/call", traceparent: `00-${CALLER_TRACE}-${upstream.spanId}-01`, tracestate: "caller=1" });
  // A request the client sent without trace context starts a trace of its own.
  const lists = spans.filter((span) => span.name === "tether.serve_request" && span.attributes["mcp.method.name"] === "tools/list");
  for (const list of lists) expect([list.parentSpanId, list.traceId === CALLER_TRACE]).toEqual([undefined, false]);
}, 60_000);

test("with traces off, the client's trace context reaches the upstream unchanged, without baggage", async () => {
  const received = setup(false);
  const served = await connectStdioServe(each.home.home);
  await served.client.callTool({ name: "docs__add", arguments: { a: 1, b: 1 }, _meta: META });
  await served.close();
  const call = received().find((line) => line.method === "tools/call")!;
  expect(call).toEqual({ method: "tools/call", traceparent: CALLER, tracestate: "caller=1" });
  expect(receiver.spanExports).toEqual([]);
}, 60_000);
