// Proxy selection, and a real request path through a local forwarding proxy via the CLI.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { proxyFor } from "../../src/net/proxy.ts";
import { makeHome, runTether } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";

describe("proxyFor", () => {
  const env = { HTTPS_PROXY: "http://proxy:3128", http_proxy: "http://plain-proxy:8080", NO_PROXY: "internal.example, .corp.test, api.example.com:8443" };

  test("picks the variable for the scheme", () => {
    expect(proxyFor(new URL("https://mcp.example.com/mcp"), env)).toBe("http://proxy:3128");
    expect(proxyFor(new URL("http://mcp.example.com/mcp"), env)).toBe("http://plain-proxy:8080");
  });

  test("NO_PROXY hosts, domain suffixes and ports bypass it", () => {
    expect(proxyFor(new URL("https://internal.example/x"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://a.b.corp.test/x"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://api.example.com:8443/x"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://api.example.com/x"), env)).toBe("http://proxy:3128");
    expect(proxyFor(new URL("https://notinternal.example/x"), env)).toBe("http://proxy:3128");
    expect(proxyFor(new URL("https://anything/x"), { ...env, NO_PROXY: "*" })).toBeUndefined();
  });

  test("loopback is never proxied; no variables means direct", () => {
    expect(proxyFor(new URL("http://127.0.0.1:8080/mcp"), env)).toBeUndefined();
    expect(proxyFor(new URL("http://localhost/mcp"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://mcp.example.com/mcp"), {})).toBeUndefined();
  });
});

describe("through the CLI", () => {
  let fixture: FixtureHandle;
  let proxy: ReturnType<typeof Bun.serve>;
  const seen: string[] = [];
  beforeAll(async () => {
    fixture = await startHttpFixture();
    // A forwarding proxy: requests arrive in absolute form and are sent on to the fixture.
    proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const target = new URL(request.url);
        seen.push(target.host);
        target.host = `127.0.0.1:${fixture.port}`;
        return fetch(target, { method: request.method, headers: request.headers, body: request.body });
      },
    });
  });
  afterAll(async () => {
    proxy?.stop(true);
    await fixture?.stop();
  });

  test("an HTTP server is reached through HTTP_PROXY", async () => {
    const home = makeHome();
    try {
      writeConfig(home.configPath, { servers: { far: { url: `http://mcp.example.test:${fixture.port}/mcp` } } });
      const result = await runTether(["mcp", "call", "far", "echo", "--arg", "text=proxied"], {
        home: home.home,
        env: { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` },
      });
      expect(result.stderr).toBe("");
      expect(result.stdout).toBe("proxied\n");
      expect(seen).toContain(`mcp.example.test:${fixture.port}`);
    } finally {
      home.cleanup();
    }
  });
});
