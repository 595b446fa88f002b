// `tether mcp serve --auth-issuer`: serve as an MCP resource server. It publishes protected
// resource metadata, challenges with resource_metadata, verifies JWTs from a local issuer (issuer,
// audience, expiry, signature), names a missing scope in a 403, limits each OAuth subject with
// --rate-limit, and a tether client logs in to it with `tether mcp login` and lists tools through it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { startJwtIssuer, type JwtIssuer } from "../support/jwt-issuer.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { loginHeadless, writeConfig as writeTetherConfig } from "../cli/oauth-driver.ts";
import { connectHttp, servePerTest } from "./harness.ts";

const serve = servePerTest();
let issuer: JwtIssuer;
beforeAll(async () => {
  issuer = await startJwtIssuer({ scopes: ["mcp:tools"] });
});
afterAll(() => issuer.stop());

const listTools = (url: string, token?: string) =>
  fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": "2025-06-18",
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });

async function startOAuthServe(extra: string[] = []) {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--tools", "echo"]) } });
  return serve.http(["--auth-issuer", issuer.url, ...extra]);
}

test("publishes protected resource metadata and challenges without a token; no token file is made", async () => {
  const served = await startOAuthServe(["--auth-scopes", "mcp:tools"]);
  const origin = new URL(served.url).origin;
  const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
  for (const url of [metadataUrl, `${origin}/.well-known/oauth-protected-resource`]) {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      resource: served.url,
      authorization_servers: [issuer.url],
      scopes_supported: ["mcp:tools"],
      bearer_methods_supported: ["header"],
    });
  }
  const challenged = await listTools(served.url);
  expect(challenged.status).toBe(401);
  expect(challenged.headers.get("www-authenticate")).toBe(`Bearer scope="mcp:tools", resource_metadata="${metadataUrl}"`);
  expect(existsSync(join(serve.home.tetherHome, "serve", "token"))).toBe(false);
  expect(served.stderr()).toContain(`clients log in with OAuth at ${issuer.url}`);
}, 60_000);

test("a valid JWT is let in; another audience, an expired one, another issuer or a foreign key get 401 invalid_token", async () => {
  const served = await startOAuthServe();
  const good = await issuer.mint({ aud: served.url });
  const client = await connectHttp(served.url, "modern", { authorization: `Bearer ${good}` });
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["docs__echo"]);
  expect(await client.callTool({ name: "docs__echo", arguments: { text: "hi" } })).toMatchObject({ content: [{ type: "text", text: "hi" }] });

  const bad = {
    audience: await issuer.mint({ aud: "https://elsewhere.example/mcp" }),
    "no audience": await issuer.mint({}),
    expired: await issuer.mint({ aud: served.url, expiresIn: -600 }),
    issuer: await issuer.mint({ aud: served.url, iss: "http://127.0.0.1:1/other" }),
    signature: await issuer.mint({ aud: served.url, foreignKey: true }),
    garbage: "not-a-jwt",
  };
  const seen: Record<string, [number, string | null]> = {};
  for (const [name, token] of Object.entries(bad)) {
    const response = await listTools(served.url, token);
    seen[name] = [response.status, /error="([^"]+)"/.exec(response.headers.get("www-authenticate") ?? "")?.[1] ?? null];
    expect(response.headers.get("www-authenticate")).toContain(`resource_metadata="${new URL(served.url).origin}/.well-known/oauth-protected-resource/mcp"`);
  }
  expect(seen).toEqual(Object.fromEntries(Object.keys(bad).map((name) => [name, [401, "invalid_token"]])));
  // The keys were fetched once and kept, not once per request.
  expect(issuer.stats().jwksFetches).toBeLessThanOrEqual(2);
}, 60_000);

test("behind a proxy, --public-url is the resource: metadata, challenge and audience all name it", async () => {
  const served = await startOAuthServe(["--public-url", "https://mcp.example.com/team/mcp"]);
  const origin = new URL(served.url).origin;
  // A proxy may pass the metadata path on as the client asked for it, or map it to serve's own.
  for (const path of ["/.well-known/oauth-protected-resource/team/mcp", "/.well-known/oauth-protected-resource/mcp"]) {
    expect((await (await fetch(`${origin}${path}`)).json()).resource).toBe("https://mcp.example.com/team/mcp");
  }
  expect((await listTools(served.url)).headers.get("www-authenticate")).toBe(
    'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/team/mcp"',
  );
  expect((await listTools(served.url, await issuer.mint({ aud: "https://mcp.example.com/team/mcp" }))).status).toBe(200);
  expect((await listTools(served.url, await issuer.mint({ aud: served.url }))).status).toBe(401);
}, 60_000);

test("an issuer that cannot be reached gets the client 503 with Retry-After, not a 401 that would send it to log in", async () => {
  const gone = await startJwtIssuer();
  const token = await gone.mint({ aud: "http://127.0.0.1/mcp" });
  await gone.stop();
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--tools", "echo"]) } });
  const served = await serve.http(["--auth-issuer", gone.url]);
  const response = await listTools(served.url, token);
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  // Serve itself is up: probes answer.
  expect((await fetch(`${new URL(served.url).origin}/healthz`)).status).toBe(200);
}, 60_000);

test("a token without a required scope gets 403 insufficient_scope naming it; --auth-audience replaces the resource", async () => {
  const served = await startOAuthServe(["--auth-scopes", "mcp:tools,mcp:admin", "--auth-audience", "api://gateway"]);
  const narrow = await issuer.mint({ aud: "api://gateway", scope: "mcp:tools" });
  const response = await listTools(served.url, narrow);
  expect(response.status).toBe(403);
  const challenge = response.headers.get("www-authenticate")!;
  expect(challenge).toStartWith('Bearer error="insufficient_scope"');
  expect(challenge).toContain('scope="mcp:tools mcp:admin"');
  expect((await response.json()).error_description).toBe("the token lacks the scope mcp:admin");

  const wide = await issuer.mint({ aud: "api://gateway", scope: "mcp:tools mcp:admin" });
  expect((await listTools(served.url, wide)).status).toBe(200);
  // The resource itself is no longer the audience.
  expect((await listTools(served.url, await issuer.mint({ aud: served.url, scope: "mcp:tools mcp:admin" }))).status).toBe(401);
}, 60_000);

test("--rate-limit counts per OAuth subject: over the limit 429 with Retry-After, another subject unaffected", async () => {
  const served = await startOAuthServe(["--rate-limit", "3/min"]);
  const alice = [await issuer.mint({ aud: served.url, sub: "alice" }), await issuer.mint({ aud: served.url, sub: "alice" })];
  const bob = await issuer.mint({ aud: served.url, sub: "bob" });
  // Two tokens of one subject share its count.
  const statuses = [];
  for (const token of [alice[0], alice[1], alice[0], alice[1]]) statuses.push((await listTools(served.url, token)).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const limited = await listTools(served.url, alice[0]);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect((await listTools(served.url, bob)).status).toBe(200);
}, 60_000);

test("without OAuth, --rate-limit counts per token", async () => {
  writeConfig(serve.home.configPath, { servers: { docs: stdioFixture(["--tools", "echo"]) } });
  const served = await serve.http(["--token-env-var", "SERVE_TOKEN", "--rate-limit", "2/min"], { SERVE_TOKEN: "t0ken-for-rate-limits-0123456789" });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await listTools(served.url, "t0ken-for-rate-limits-0123456789")).status);
  expect(statuses).toEqual([200, 200, 429]);
}, 60_000);

test("the OAuth subject is in telemetry (enduser.id), and the token is not", async () => {
  const receiver = await startOtlpReceiver();
  try {
    writeConfig(serve.home.configPath, {
      servers: { docs: stdioFixture(["--tools", "echo"]) },
      top: { otel: { exporter: { "otlp-http": { endpoint: `${receiver.httpUrl}/v1/logs`, protocol: "json" } } } },
    });
    const served = await serve.http(["--auth-issuer", issuer.url]);
    const token = await issuer.mint({ aud: served.url, sub: "alice@example.com" });
    const client = await connectHttp(served.url, "modern", { authorization: `Bearer ${token}` });
    await client.callTool({ name: "docs__echo", arguments: { text: "x" } });
    await client.close();
    const records = await receiver.waitForRecords(3, 15_000);
    const call = records.find((r) => r.attributes["event.name"] === "tether.mcp_request" && r.attributes.method === "tools/call");
    expect(call?.attributes["enduser.id"]).toBe("alice@example.com");
    expect(call?.attributes["mcp.client.id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(records)).not.toContain(token);
  } finally {
    await receiver.stop();
  }
}, 60_000);

test("flag combinations: --auth-issuer with a static token, an http issuer off loopback, a bad --rate-limit are usage errors", async () => {
  const home = makeHome();
  try {
    const cases: [string[], RegExp][] = [
      [["--auth-issuer", issuer.url, "--token-env-var", "T"], /--auth-issuer and --token-env-var are two ways in/],
      [["--auth-issuer", issuer.url, "--no-token"], /--auth-issuer and --no-token contradict each other/],
      [["--auth-issuer", "http://issuer.example.com"], /--auth-issuer must be https \(plain http only on a loopback host\)/],
      [["--auth-scopes", "a"], /--auth-scopes needs --auth-issuer/],
      [["--rate-limit", "lots"], /--rate-limit wants N\/min/],
      [["--auth-issuer", issuer.url, "--http", "0.0.0.0:0"], /needs --public-url/],
    ];
    for (const [args, message] of cases) {
      const result = await runTether(["mcp", "serve", "--http", "127.0.0.1:0", ...args], { home: home.home });
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
      expect(result.stderr.trim().split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
    }
  } finally {
    home.cleanup();
  }
}, 60_000);

test("tether logs in to tether: `tether mcp login` finds serve's metadata, gets a token from the issuer, and lists tools through serve", async () => {
  const served = await startOAuthServe(["--auth-scopes", "mcp:tools"]);
  const client = makeHome();
  try {
    writeTetherConfig(client.tetherHome, `mcp_oauth_credentials_store = "file"\n\n${stringify({ mcp_servers: { gw: { url: served.url } } })}`);
    const before = await runTether(["mcp", "tools", "gw"], { home: client.home });
    expect(before.code).not.toBe(0);
    expect(before.stderr).toContain("tether mcp login gw");
    const login = expectOk(await loginHeadless("gw", { home: client.home, via: "callback" }));
    expect(login.stdout).toBe(`Logged in to "gw" (scopes: mcp:tools)\n`);
    // The client asked the issuer for a token for serve (RFC 8707), which serve accepts as its audience.
    expect(issuer.stats().lastTokenRequest?.resource).toBe(served.url);
    const tools = expectOk(await runTether(["mcp", "tools", "gw"], { home: client.home }));
    expect(tools.stdout).toContain("docs__echo");
    expect(expectOk(await runTether(["mcp", "call", "gw", "docs__echo", "--arg", "text=through"], { home: client.home })).stdout).toBe("through\n");
  } finally {
    client.cleanup();
  }
}, 90_000);
