// The fixture MCP/OAuth server, driven by the SDK's own client the way tether will drive it.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  auth,
  discoverAuthorizationServerMetadata,
  type OAuthClientProvider,
  refreshAuthorization,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InvalidGrantError, ServerError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { type FixtureHandle, startHttpFixture, stdioFixtureCommand } from "./fixture.ts";
import { followAuthorizeRedirect } from "./oauth-headless.ts";
import { wireProgress } from "./progress.ts";

const REDIRECT_URL = "http://127.0.0.1:53682/callback";

/** The smallest OAuthClientProvider: memory only, "opens the browser" by following /authorize headlessly. */
class MemoryOAuthProvider implements OAuthClientProvider {
  client?: OAuthClientInformationMixed;
  savedTokens?: OAuthTokens;
  verifier = "";
  lastRedirect?: { code?: string; state?: string; error?: string };
  readonly expectedState = `state-${Math.random().toString(36).slice(2)}`;

  constructor(client?: OAuthClientInformationMixed) {
    this.client = client;
  }
  get redirectUrl() {
    return REDIRECT_URL;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "fixture test", redirect_uris: [REDIRECT_URL], token_endpoint_auth_method: "none" };
  }
  state() {
    return this.expectedState;
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.savedTokens = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.lastRedirect = await followAuthorizeRedirect(url);
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery") {
    if (scope === "all" || scope === "client") this.client = undefined;
    if (scope === "all" || scope === "tokens") this.savedTokens = undefined;
  }
}

/** `tether mcp login`, headless: discovery, registration, authorize, callback, exchange. */
async function login(fixture: FixtureHandle, provider: MemoryOAuthProvider): Promise<void> {
  expect(await auth(provider, { serverUrl: fixture.url })).toBe("REDIRECT");
  expect(provider.lastRedirect?.state).toBe(provider.expectedState);
  const code = provider.lastRedirect?.code;
  expect(code).toBeString();
  expect(await auth(provider, { serverUrl: fixture.url, authorizationCode: code })).toBe("AUTHORIZED");
}

async function connect(url: string, opts: ConstructorParameters<typeof StreamableHTTPClientTransport>[1] = {}) {
  const client = new Client({ name: "fixture-test", version: "0.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), opts));
  return client;
}

const textOf = (result: any): string => result.content.map((c: any) => (c.type === "text" ? c.text : "")).join("");

const fixtures: FixtureHandle[] = [];
const clients: Client[] = [];
/**
 * Children of stdio transports, killed after each test: under Bun, the 1.x SDK's transport close()
 * aborts a signal that does not end the child, so a server that never answered would outlive the run.
 */
const children: number[] = [];
function stdioTransport(extra: string[]): StdioClientTransport {
  const { command, args } = stdioFixtureCommand(extra);
  const transport = new StdioClientTransport({ command, args, stderr: "pipe" });
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    if (transport.pid !== null) children.push(transport.pid);
  };
  return transport;
}
async function start(args: string[]): Promise<FixtureHandle> {
  const fixture = await startHttpFixture(args);
  fixtures.push(fixture);
  return fixture;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
});

describe("stdio mode", () => {
  test("lists tools, round-trips echo and add, reports errors and images, and logs to stderr", async () => {
    const transport = stdioTransport(["--name", "stdio-fx", "--version", "2.0.0"]);
    let stderr = "";
    transport.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "fixture-test", version: "0.0.0" });
    clients.push(client);
    await client.connect(transport);

    expect(client.getServerVersion()).toMatchObject({ name: "stdio-fx", version: "2.0.0" });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["echo", "add", "slow", "fail", "crash", "big", "image", "progress"]);
    expect(tools.every((t) => typeof t.description === "string" && t.description.length > 0)).toBe(true);
    expect(tools.find((t) => t.name === "add")?.inputSchema.required).toEqual(["a", "b"]);

    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "hi there" } }))).toBe("hi there");
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 40 } }))).toBe("42");
    const failed = await client.callTool({ name: "fail", arguments: {} });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe("tool failed");
    const image: any = await client.callTool({ name: "image", arguments: {} });
    expect(image.content.map((c: any) => c.type)).toEqual(["image", "text"]);
    expect(textOf(await client.callTool({ name: "big", arguments: { bytes: 5000 } }))).toBe("x".repeat(5000));
    expect(stderr).toContain(`fixture: started (pid ${transport.pid})`);
  });

  test("--tools and --many-tools shape the list", async () => {
    const client = new Client({ name: "fixture-test", version: "0.0.0" });
    clients.push(client);
    await client.connect(stdioTransport(["--tools", "echo", "--many-tools", "3"]));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["echo", "tool_1", "tool_2", "tool_3"]);
  });
});

describe("http mode", () => {
  test("serves streamable HTTP on 127.0.0.1 and stop() ends the process", async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), "fixture-")), "pid");
    const fixture = await start(["--name", "http-fx", "--pid-file", pidFile]);
    expect(fixture.url).toBe(`http://127.0.0.1:${fixture.port}/mcp`);
    expect(readFileSync(pidFile, "utf8").trim()).toBe(String(fixture.pid));

    const client = await connect(fixture.url);
    clients.push(client);
    expect(client.getServerVersion()?.name).toBe("http-fx");
    expect((await client.listTools()).tools.length).toBe(8);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "over http" } }))).toBe("over http");
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 1.5, b: 2 } }))).toBe("3.5");

    await fixture.stop();
    expect(() => process.kill(fixture.pid, 0)).toThrow();
    expect(existsSync(pidFile)).toBe(true);
  });

  test("--token requires the bearer; --require-header requires the header", async () => {
    const fixture = await start(["--token", "s3cret", "--require-header", "X-Team: blue"]);
    const noToken = await fetch(fixture.url, { method: "POST", headers: { "X-Team": "blue" }, body: "{}" });
    expect(noToken.status).toBe(401);
    expect((await noToken.json()).error).toBe("unauthorized");

    const error = await connect(fixture.url, { requestInit: { headers: { "X-Team": "blue" } } }).catch((e) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect(error.code).toBe(401);

    const noHeader = await connect(fixture.url, { requestInit: { headers: { Authorization: "Bearer s3cret" } } }).catch(
      (e) => e,
    );
    expect(noHeader.code).toBe(400);

    const client = await connect(fixture.url, {
      requestInit: { headers: { Authorization: "Bearer s3cret", "X-Team": "blue" } },
    });
    clients.push(client);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "ok" } }))).toBe("ok");
    expect((await fixture.stats()).lastHeaders["x-team"]).toBe("blue");
  });

  test("--sse-legacy refuses the streamable POST and serves SSEClientTransport on the same URL", async () => {
    const fixture = await start(["--sse-legacy"]);
    const error = await connect(fixture.url).catch((e) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect(error.code).toBe(405);

    const client = new Client({ name: "fixture-test", version: "0.0.0" });
    clients.push(client);
    await client.connect(new SSEClientTransport(new URL(fixture.url)));
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 2, b: 2 } }))).toBe("4");
  });

  test("--exit-on-start fails startHttpFixture with the child's stderr", async () => {
    const error = await startHttpFixture(["--exit-on-start", "7"]).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain("exited with code 7");
    expect(error.message).toContain("fixture: fatal: config missing");
  });
});

describe("misbehaviour", () => {
  const stdioClient = async (extra: string[]) => {
    const transport = stdioTransport(extra);
    let stderr = "";
    transport.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "fixture-test", version: "0.0.0" });
    clients.push(client);
    return { client, transport, stderr: () => stderr };
  };

  test("stdio --hang never answers initialize; --garbage never answers properly", async () => {
    const hung = await stdioClient(["--hang"]);
    expect(await hung.client.connect(hung.transport, { timeout: 300 }).catch((e) => e)).toBeInstanceOf(Error);
    const garbled = await stdioClient(["--garbage"]);
    expect(await garbled.client.connect(garbled.transport, { timeout: 300 }).catch((e) => e)).toBeInstanceOf(Error);
  });

  test("crash ends the process with code 3 after saying so; progress reports each step", async () => {
    const { client, transport, stderr } = await stdioClient([]);
    await client.connect(transport);
    const steps = wireProgress(client);
    const done = await client.callTool({ name: "progress", arguments: { steps: 3, ms: 50 } }, undefined, { onprogress: () => {} });
    expect(textOf(done)).toBe("done 3");
    expect(steps).toEqual([1, 2, 3]);

    const closed = new Promise<void>((resolve) => (client.onclose = resolve));
    expect(await client.callTool({ name: "crash", arguments: {} }).catch((e) => e)).toBeInstanceOf(Error);
    await closed;
    expect(stderr()).toContain("fixture: crashing");
  });

  test("http --hang accepts and never answers, but stats still work", async () => {
    const fixture = await start(["--hang"]);
    const hung = await fetch(fixture.url, { method: "POST", body: "{}", signal: AbortSignal.timeout(300) }).catch(
      (e) => e,
    );
    expect(hung).toBeInstanceOf(Error);
    expect((await fixture.stats()).mcpRequests).toBe(0);
  });
});

describe("oauth mode", () => {
  test("login end to end with the SDK's auth(), then an authorized MCP call", async () => {
    const fixture = await start(["--oauth"]);
    const anonymous = await fetch(fixture.url, { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe(
      `Bearer error="invalid_token", resource_metadata="${fixture.origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`,
    );

    const provider = new MemoryOAuthProvider();
    await login(fixture, provider);
    expect(provider.savedTokens).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "mcp:tools" });

    const client = await connect(fixture.url, { authProvider: provider });
    clients.push(client);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "authorized" } }))).toBe("authorized");

    const stats = await fixture.stats();
    expect(stats).toMatchObject({ registrations: 1, authorizations: 1, tokenExchanges: 1, refreshes: 0 });
    expect(stats.lastAuthorizeQuery).toMatchObject({
      response_type: "code",
      code_challenge_method: "S256",
      redirect_uri: REDIRECT_URL,
      resource: fixture.url,
      state: provider.expectedState,
    });
  });

  test("refresh rotates tokens; a spent or revoked refresh token gets invalid_grant", async () => {
    const fixture = await start(["--oauth", "--token-lifetime", "120"]);
    const provider = new MemoryOAuthProvider();
    await login(fixture, provider);
    const first = provider.savedTokens!;

    // With a refresh token stored, auth() refreshes instead of redirecting.
    expect(await auth(provider, { serverUrl: fixture.url })).toBe("AUTHORIZED");
    const second = provider.savedTokens!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.expires_in).toBe(120);

    const metadata = await discoverAuthorizationServerMetadata(fixture.origin);
    const refresh = (refreshToken: string) =>
      refreshAuthorization(fixture.origin, {
        metadata,
        clientInformation: provider.client!,
        refreshToken,
        resource: new URL(fixture.url),
      });
    expect(await refresh(first.refresh_token!).catch((e) => e)).toBeInstanceOf(InvalidGrantError);

    await fixture.setRefreshMode("500");
    expect(await refresh(second.refresh_token!).catch((e) => e)).toBeInstanceOf(ServerError);
    await fixture.setRefreshMode("ok");

    await fixture.revokeAllRefreshTokens();
    expect(await refresh(second.refresh_token!).catch((e) => e)).toBeInstanceOf(InvalidGrantError);
    expect((await fixture.stats()).refreshes).toBe(1);
  });

  test("an expired access token is refreshed by the transport on 401", async () => {
    const fixture = await start(["--oauth"]);
    const provider = new MemoryOAuthProvider();
    await login(fixture, provider);
    await fixture.expireAllTokens();

    const client = await connect(fixture.url, { authProvider: provider });
    clients.push(client);
    expect(textOf(await client.callTool({ name: "add", arguments: { a: 1, b: 1 } }))).toBe("2");
    expect((await fixture.stats()).refreshes).toBe(1);
  });

  test("revoke records the token and it stops working", async () => {
    const fixture = await start(["--oauth"]);
    const provider = new MemoryOAuthProvider();
    await login(fixture, provider);
    const { access_token } = provider.savedTokens!;

    const revoked = await fetch(`${fixture.origin}/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: access_token, token_type_hint: "access_token" }),
    });
    expect(revoked.status).toBe(200);
    expect((await fixture.stats()).revocations).toEqual([
      { token: access_token, token_type_hint: "access_token", kind: "access", clientId: provider.client!.client_id },
    ]);
    const after = await fetch(fixture.url, { method: "POST", headers: { Authorization: `Bearer ${access_token}` } });
    expect(after.status).toBe(401);
  });

  test("--static-client with --no-registration, and --deny", async () => {
    const fixture = await start(["--oauth", "--no-registration", "--static-client", "tether-static:shh"]);
    const metadata = await discoverAuthorizationServerMetadata(fixture.origin);
    expect(metadata?.registration_endpoint).toBeUndefined();
    const provider = new MemoryOAuthProvider({ client_id: "tether-static", client_secret: "shh" });
    await login(fixture, provider);
    expect((await fixture.stats()).registrations).toBe(0);

    const denying = await start(["--oauth", "--deny"]);
    const denied = new MemoryOAuthProvider();
    expect(await auth(denied, { serverUrl: denying.url })).toBe("REDIRECT");
    expect(denied.lastRedirect).toMatchObject({ error: "access_denied", state: denied.expectedState });
  });
});
