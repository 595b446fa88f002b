// What commands may show of a server: secret-bearing values masked.
import { expect, test } from "bun:test";
import { describeServer, displayUrl, serverTarget } from "../../src/config/describe.ts";
import { normalizeServer } from "../../src/config/normalize.ts";

test("a password inside a URL is masked; other URLs are unchanged", () => {
  expect(displayUrl("https://bot:hunter2@mcp.example.com/mcp")).toBe("https://bot:*****@mcp.example.com/mcp");
  expect(displayUrl("https://mcp.example.com/mcp?x=1")).toBe("https://mcp.example.com/mcp?x=1");
  expect(displayUrl("http://127.0.0.1:8080/mcp")).toBe("http://127.0.0.1:8080/mcp");
  const server = normalizeServer("w", { url: "https://bot:hunter2@mcp.example.com/mcp" });
  expect(serverTarget(server)).not.toContain("hunter2");
  expect(JSON.stringify(describeServer(server))).not.toContain("hunter2");
});

test("env and header values are masked, names are kept", () => {
  const stdio = describeServer(normalizeServer("s", { command: "x", env: { TOKEN: "abc" } }));
  expect(stdio.env).toEqual({ TOKEN: "*****" });
  const http = describeServer(normalizeServer("h", { url: "https://e.com/mcp", http_headers: { "X-Key": "k" } }));
  expect(http.http_headers).toEqual({ "X-Key": "*****" });
});
