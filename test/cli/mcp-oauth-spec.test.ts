// The 2025-11-25 / 2026-07-28 OAuth rules through the real CLI against the fixture's authorization
// server: discovery from the 401's WWW-Authenticate, RFC 9207 iss, insufficient_scope step-up,
// client registrations bound to their issuer, revocation on a new login, machine logins with
// client_credentials, and the AUTH column for a server known to want a login.
import { describe, expect, test } from "bun:test";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { expectOk, homePerTest, runTether, type RunResult } from "../support/cli.ts";
import { loginHeadless, onlyEntry, writeConfig } from "./oauth-driver.ts";

const each = homePerTest();
const fixtures = each.fixtures;

async function fixture(args: string[] = []): Promise<FixtureHandle> {
  const handle = await startHttpFixture(["--oauth", ...args]);
  fixtures.push(handle);
  return handle;
}

function configure(url: string, extra = ""): void {
  writeConfig(each.home.tetherHome, `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.fx]\nurl = "${url}"\n${extra}`);
}

const tether = (args: string[], env?: Record<string, string>): Promise<RunResult> => runTether(args, { home: each.home.home, env });
const login = (extraArgs: string[] = []) => loginHeadless("fx", { home: each.home.home, via: "callback", extraArgs });

describe("discovery", () => {
  test("protected-resource metadata named only in the 401's WWW-Authenticate is found, and its scope asked for", async () => {
    const fx = await fixture(["--prm-in-challenge-only", "--scopes", "mcp:tools,mcp:extra"]);
    configure(fx.url);
    expectOk(await login());
    expect((await fx.stats()).lastAuthorizeQuery.scope).toBe("mcp:tools mcp:extra");
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
  });

  test("a server that answers 401 is 'oauth: not logged in' after mcp add, and a connection says to log in", async () => {
    const fx = await fixture();
    const added = expectOk(await tether(["mcp", "add", "fx", "--url", fx.url]));
    expect(added.stderr).toContain("This server uses OAuth; run: tether mcp login fx\n");
    expect(expectOk(await tether(["mcp", "list"])).stdout).toBe(`fx\thttp\t${fx.url}\tyes\toauth: not logged in\n`);
    const tools = await tether(["mcp", "tools", "fx"]);
    expect(tools.code).toBe(1);
    expect(tools.stderr).toBe(`error: server "fx" needs login (HTTP 401)\nhint: run: tether mcp login fx\n`);
  });

  test("a 401 seen by a connection alone (no mcp add probe) also marks the server", async () => {
    const fx = await fixture();
    configure(fx.url);
    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("\tnone\n");
    expect((await tether(["mcp", "tools", "fx"])).code).toBe(1);
    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("\toauth: not logged in\n");
  });
});

describe("authorization response", () => {
  test("an iss that is not the discovered issuer (RFC 9207 mix-up) is refused and nothing is stored", async () => {
    const fx = await fixture(["--bad-iss"]);
    configure(fx.url);
    const run = await login();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`OAuth login to "fx" failed`);
    expect(run.stderr).toMatch(/issuer/i);
    expect((await fx.stats()).tokenExchanges).toBe(0);
    expect(onlyEntry(each.home.tetherHome)).toBeUndefined();
  });

  test("dynamic registration says it is a native application", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    expect((await fx.stats()).lastRegistrationRequest?.application_type).toBe("native");
  });
});

describe("step-up on 403 insufficient_scope", () => {
  test("a call names the missing scope and the exact login; that login keeps the held scopes", async () => {
    const fx = await fixture(["--scope-required", "add:mcp:math"]);
    configure(fx.url);
    expectOk(await login());
    const call = await tether(["mcp", "call", "fx", "add", "--arg", "a=1", "--arg", "b=2"]);
    expect(call.code).toBe(1);
    expect(call.stderr).toBe(
      `error: server "fx" needs the OAuth scope "mcp:math" (HTTP 403 insufficient_scope)\nhint: run: tether mcp login fx --scopes mcp:math\n`,
    );
    expectOk(await login(["--scopes", "mcp:math"]));
    expect((await fx.stats()).lastAuthorizeQuery.scope).toBe("mcp:tools mcp:math");
    expect(expectOk(await tether(["mcp", "call", "fx", "add", "--arg", "a=1", "--arg", "b=2"])).stdout).toBe("3\n");
  });
});

describe("every era", () => {
  for (const era of ["modern", "dual"]) {
    test(`login, then a call, against a ${era} server`, async () => {
      const fx = await fixture(["--era", era]);
      configure(fx.url);
      expectOk(await login());
      expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
      expect(expectOk(await tether(["mcp", "doctor", "fx"])).stdout).toContain("protocol:  2026-07-28");
    });
  }
});

describe("logging in again", () => {
  test("revokes the previous login's tokens at the server", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    const first = onlyEntry(each.home.tetherHome)!;
    expectOk(await login());
    const revoked = (await fx.stats()).revocations.map((r: { token: string }) => r.token);
    expect(revoked).toContain(first.tokens!.refresh_token!);
    expect(onlyEntry(each.home.tetherHome)!.tokens!.access_token).not.toBe(first.tokens!.access_token);
  });
});

describe("client_credentials (no person, no browser)", () => {
  test("tokens are fetched on demand with the client secret; mcp login is not needed and says so", async () => {
    const fx = await fixture(["--static-client", "robot:s3cret-value"]);
    configure(fx.url, `oauth_grant = "client_credentials"\noauth_client_id = "robot"\noauth_client_secret_env_var = "ROBOT_SECRET"\n`);
    const env = { ROBOT_SECRET: "s3cret-value" };
    const call = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=machine"], env));
    expect(call.stdout).toBe("machine\n");
    expect((await fx.stats()).lastTokenRequest?.grant_type).toBe("client_credentials");
    expect(expectOk(await tether(["mcp", "list"], env)).stdout).toContain("\toauth: client credentials\n");
    const loginRun = await tether(["mcp", "login", "fx", "--no-browser"], env);
    expect(loginRun.code).toBe(2);
    expect(loginRun.stderr).toContain("client credentials");
    expect(call.stdout + call.stderr).not.toContain("s3cret-value");
  });

  test("config names what a client_credentials server is missing, with file and line", async () => {
    configure("https://example.com/mcp", `oauth_grant = "client_credentials"\n`);
    const run = await tether(["mcp", "list"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/config\.toml:\d+.*oauth_grant = "client_credentials" needs 'oauth_client_id'/);
  });
});
