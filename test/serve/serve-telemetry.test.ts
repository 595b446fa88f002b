// Telemetry of `tether mcp serve`: tether.tool_decision (the config's tool policy) and
// tether.tool_result per proxied call (mcp.server, mcp.client) and tether.mcp_request per upstream
// request, exported to a real OTLP collector.
import { beforeEach, expect, test } from "bun:test";
import { stringify } from "smol-toml";
import { homePerTest } from "../support/cli.ts";
import { stdioFixture } from "../support/config.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { writeConfig } from "../cli/oauth-driver.ts";
import { connectHttp, connectStdioServe, startHttpServe } from "./harness.ts";

const each = homePerTest();
let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
  each.fixtures.push(receiver);
});

test("each proxied call is a tether.tool_result; each upstream request a tether.mcp_request", async () => {
  const otel = `[otel]\nexporter = { otlp-http = { endpoint = ${JSON.stringify(`${receiver.httpUrl}/v1/logs`)}, protocol = "json" } }\n`;
  writeConfig(each.home.tetherHome, `${otel}\n${stringify({ mcp_servers: { docs: stdioFixture(["--tools", "add,fail,echo"], { disabled_tools: ["echo"] }) } })}`);
  const served = await connectStdioServe(each.home.home);
  await served.client.callTool({ name: "docs__add", arguments: { a: 2, b: 3 } });
  await served.client.callTool({ name: "docs__fail", arguments: {} });
  // The policy refuses a tool disabled_tools turns off, and says which setting did.
  await expect(served.client.callTool({ name: "docs__echo", arguments: { text: "x" } })).rejects.toThrow(/turned off by enabled_tools \/ disabled_tools of server "docs"/);
  await served.close();

  const records = await receiver.waitForRecords(7, 15_000);
  const decisions = records.filter((r) => r.attributes["event.name"] === "tether.tool_decision");
  expect(decisions.map((r) => [r.attributes.tool_name, r.attributes.decision, r.attributes.source, r.attributes["mcp.server"]])).toEqual([
    ["docs__add", "approved", "config", "docs"],
    ["docs__fail", "approved", "config", "docs"],
    ["docs__echo", "denied", "config", "docs"],
  ]);
  const results = records.filter((r) => r.attributes["event.name"] === "tether.tool_result");
  expect(results.map((r) => [r.attributes.tool_name, r.attributes.success, r.attributes["mcp.server"], r.attributes["mcp.client"]])).toEqual([
    ["docs__add", "true", "docs", "serve-test"],
    ["docs__fail", "false", "docs", "serve-test"],
  ]);
  expect(results[0]!.attributes.output).toBe("5");
  // A decision and its result share the call id.
  expect(decisions[0]!.attributes.call_id).toBe(results[0]!.attributes.call_id);
  const requests = records.filter((r) => r.attributes["event.name"] === "tether.mcp_request");
  expect(requests.map((r) => [r.attributes.method, r.attributes["mcp.server"], r.attributes.success])).toEqual([
    ["tools/call", "docs", "true"],
    ["tools/call", "docs", "true"],
  ]);
  expect(typeof requests[0]!.attributes.duration_ms).toBe("number");
  // Who: the declared name, and serve's id for the connection, the same on every record of it.
  expect(requests.map((r) => r.attributes["mcp.client"])).toEqual(["serve-test", "serve-test"]);
  const ids = new Set([...decisions, ...results, ...requests].map((r) => r.attributes["mcp.client.id"]));
  expect(ids.size).toBe(1);
  expect([...ids][0]).toMatch(/^[0-9a-f]{32}$/);
}, 60_000);

test("over HTTP, mcp.client.id tells sessions and credentials apart, and never carries the token", async () => {
  const otel = `[otel]\nexporter = { otlp-http = { endpoint = ${JSON.stringify(`${receiver.httpUrl}/v1/logs`)}, protocol = "json" } }\n`;
  writeConfig(each.home.tetherHome, `${otel}\n${stringify({ mcp_servers: { docs: stdioFixture(["--tools", "echo"]) } })}`);
  const token = "serve-telemetry-token-0123456789abcdef";
  const served = await startHttpServe(each.home.home, ["--token-env-var", "SERVE_TOKEN"], { SERVE_TOKEN: token });
  each.fixtures.push({ stop: async () => void (await served.stop()) });
  const auth = { authorization: `Bearer ${token}` };
  // Two 2025 sessions that both declare the same name, and one stateless 2026-07-28 client.
  const [a, b, c] = await Promise.all([connectHttp(served.url, "legacy", auth), connectHttp(served.url, "legacy", auth), connectHttp(served.url, "modern", auth)]);
  for (const [client, text] of [[a, "a"], [b, "b"], [c, "c"]] as const) await client.callTool({ name: "docs__echo", arguments: { text } });
  await Promise.all([a.close(), b.close(), c.close()]);

  // Each call: a decision, a result and its upstream request.
  const records = await receiver.waitForRecords(9, 15_000);
  const calls = records.filter((r) => r.attributes["event.name"] === "tether.mcp_request" && r.attributes.method === "tools/call");
  expect(calls).toHaveLength(3);
  const ids = calls.map((r) => r.attributes["mcp.client.id"]);
  expect(new Set(ids).size).toBe(3);
  expect(calls.every((r) => r.attributes["mcp.client"] === "serve-test")).toBe(true);
  expect(JSON.stringify(records)).not.toContain(token);
}, 60_000);
