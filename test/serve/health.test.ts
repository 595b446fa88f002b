// /healthz answers while the process runs; /readyz follows readiness (upstreams, shared state, drain).
import { expect, test } from "bun:test";
import { healthResponse } from "../../src/serve/health.ts";

const get = (path: string, method = "GET") => new Request(`http://127.0.0.1:1${path}`, { method });

test("probes answer without detail; anything else is not theirs", async () => {
  expect(healthResponse(get("/healthz"), "/healthz", () => false)?.status).toBe(200);
  expect(healthResponse(get("/readyz"), "/readyz", () => true)?.status).toBe(200);
  const notReady = healthResponse(get("/readyz"), "/readyz", () => false)!;
  expect([notReady.status, await notReady.text()]).toEqual([503, "not ready\n"]);
  expect(healthResponse(get("/readyz", "HEAD"), "/readyz", () => true)?.status).toBe(200);
  expect(healthResponse(get("/readyz", "POST"), "/readyz", () => true)?.status).toBe(405);
  expect(healthResponse(get("/mcp"), "/mcp", () => true)).toBeUndefined();
});
