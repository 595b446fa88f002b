// DPoP (RFC 9449, SEP-1932) through the CLI, in process, against the fixture's authorization server
// in its DPoP mode (test/support/oauth-server.ts, which verifies every proof with jose): the login's
// token request carries a proof, calls present `Authorization: DPoP` with a fresh proof each time,
// nonce challenges are answered at the token endpoint and at the MCP server, and a refresh keeps
// the key. The "browser" is headless: ctx.openUrl follows the authorize redirect to the callback.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { calculateJwkThumbprint } from "jose";
import { runCli } from "../../src/cli/run.ts";
import type { StoredCredentials } from "../../src/auth/store/credentials.ts";
import { baseEnv, expectOk, homePerTest, type RunResult } from "../support/cli.ts";
import { createTestContext, type TestContext } from "../support/context.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { followAuthorizeRedirect } from "../support/oauth-headless.ts";
import type { DpopSeen } from "../support/oauth-server.ts";
import { onlyEntry, writeConfig } from "./oauth-driver.ts";

const each = homePerTest();
const outputs: RunResult[] = [];
/** How far tether's clock runs ahead of the real one: moved, not waited for, to expire a token. */
let clockOffset = 0;

async function fixture(args: string[]): Promise<FixtureHandle> {
  const handle = await startHttpFixture(["--oauth", ...args]);
  each.fixtures.push(handle);
  outputs.length = 0;
  clockOffset = 0;
  return handle;
}

function configure(url: string, extra = ""): void {
  writeConfig(each.home.tetherHome, `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.fx]\nurl = "${url}"\n${extra}`);
}

/** tether in process; `mcp login` "opens" the URL by following it to the loopback callback. */
async function tether(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const made: TestContext[] = [];
  const code = await runCli(args, ({ configPath }) => {
    const ctx = createTestContext({
      env: baseEnv(each.home.home, env),
      cwd: each.home.home,
      configPath,
      now: () => Date.now() + clockOffset,
      openUrl: async (url) => {
        const { location } = await followAuthorizeRedirect(url);
        await (await fetch(location)).text();
      },
    });
    made.push(ctx);
    return ctx;
  });
  const result = { stdout: made.map((c) => c.stdout()).join(""), stderr: made.map((c) => c.stderr()).join(""), code };
  outputs.push(result);
  return result;
}

const dpopSeen = async (fx: FixtureHandle): Promise<DpopSeen> => (await fx.stats()).dpop;
const entry = (): StoredCredentials => onlyEntry(each.home.tetherHome)!;
const thumbprintOf = (credentials: StoredCredentials) => calculateJwkThumbprint({ kty: "EC", crv: credentials.dpopKey!.jwk.crv, x: credentials.dpopKey!.jwk.x, y: credentials.dpopKey!.jwk.y });

/** The private key and the tokens never show in anything tether printed. */
function expectNothingSecretPrinted(credentials: StoredCredentials): void {
  const printed = outputs.map((o) => o.stdout + o.stderr).join("\n");
  for (const secret of [credentials.dpopKey?.jwk.d, credentials.tokens?.access_token, credentials.tokens?.refresh_token]) {
    if (secret) expect(printed).not.toContain(secret);
  }
}

describe("DPoP advertised by the authorization server, with nonces at both servers", () => {
  test("login binds the token to a stored key; calls present it as DPoP with fresh proofs; a refresh keeps the key", async () => {
    const fx = await fixture(["--dpop", "--dpop-nonce", "--token-lifetime", "3600"]);
    configure(fx.url);

    const login = expectOk(await tether(["mcp", "login", "fx"]));
    expect(login.stdout).toBe('Logged in to "fx" (scopes: mcp:tools)\n');
    const stored = entry();
    expect(stored.tokens?.token_type).toBe("DPoP");
    expect(stored.dpopKey?.alg).toBe("ES256");
    const jkt = await thumbprintOf(stored);

    // The code exchange: a proof without a nonce, the use_dpop_nonce challenge, then the same key with the nonce.
    let seen = await dpopSeen(fx);
    const exchange = seen.tokenRequests.filter((r) => r.grantType === "authorization_code");
    expect(exchange.map((r) => [r.proof, r.jkt, r.nonce, r.error])).toEqual([
      [true, jkt, undefined, undefined],
      [true, jkt, "fixture-as-nonce", undefined],
    ]);
    expect(seen.asNonceChallenges).toBe(1);

    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=one"])).stdout).toBe("one\n");
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=two"])).stdout).toBe("two\n");
    seen = await dpopSeen(fx);
    expect(seen.mcpRequests.length).toBeGreaterThan(2);
    expect(new Set(seen.mcpRequests.map((r) => r.scheme))).toEqual(new Set(["DPoP"]));
    expect(seen.mcpRequests.every((r) => r.jkt === jkt && r.error === undefined)).toBe(true);
    const jtis = seen.mcpRequests.map((r) => r.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    // Each run starts without the MCP server's nonce: challenged once, answered once.
    expect(seen.rsNonceChallenges).toBeGreaterThanOrEqual(2);
    expect(seen.mcpRequests.some((r) => r.nonce === "fixture-rs-nonce")).toBe(true);

    // Past the expiry on tether's clock: the refresh is signed with the same key, and the new token stays bound to it.
    clockOffset = stored.expiresAt! - Date.now() + 1_000;
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=three"])).stdout).toBe("three\n");
    seen = await dpopSeen(fx);
    const refreshes = seen.tokenRequests.filter((r) => r.grantType === "refresh_token");
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    expect(refreshes.every((r) => r.proof && r.jkt === jkt)).toBe(true);
    expect(refreshes.at(-1)?.nonce).toBe("fixture-as-nonce");
    expect((await fx.stats()).refreshes).toBe(1);
    const refreshed = entry();
    expect(refreshed.tokens?.access_token).not.toBe(stored.tokens?.access_token);
    expect(refreshed.tokens?.token_type).toBe("DPoP");
    expect(refreshed.dpopKey).toEqual(stored.dpopKey);

    expectOk(await tether(["mcp", "get", "fx"]));
    expectOk(await tether(["mcp", "list", "--status", "--json"]));
    expectNothingSecretPrinted(refreshed);
  });

  test("a token the MCP server stops taking is refreshed through the SDK with the same key", async () => {
    const fx = await fixture(["--dpop", "--dpop-nonce"]);
    configure(fx.url);
    expectOk(await tether(["mcp", "login", "fx"]));
    const stored = entry();
    await fx.expireAllTokens();
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=again"])).stdout).toBe("again\n");
    const refreshes = (await dpopSeen(fx)).tokenRequests.filter((r) => r.grantType === "refresh_token");
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    expect(refreshes.every((r) => r.jkt === refreshes[0]!.jkt && r.jkt !== undefined)).toBe(true);
    expect(refreshes[0]!.jkt).toBe(await thumbprintOf(stored));
    expect(entry().dpopKey).toEqual(stored.dpopKey);
    expect(entry().tokens?.access_token).not.toBe(stored.tokens?.access_token);
  });

  test("a new login replaces the key; logout deletes it with the tokens", async () => {
    const fx = await fixture(["--dpop"]);
    configure(fx.url);
    expectOk(await tether(["mcp", "login", "fx"]));
    const first = entry();
    expectOk(await tether(["mcp", "login", "fx"]));
    const second = entry();
    expect(second.dpopKey).toBeDefined();
    expect(await thumbprintOf(second)).not.toBe(await thumbprintOf(first));
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");

    expectOk(await tether(["mcp", "logout", "fx"]));
    expect(onlyEntry(each.home.tetherHome)).toBeUndefined();
    expectNothingSecretPrinted(first);
    expectNothingSecretPrinted(second);
  });
});

test("a stored key that no longer loads says to log in again, without quoting it", async () => {
  const fx = await fixture(["--dpop"]);
  configure(fx.url);
  expectOk(await tether(["mcp", "login", "fx"]));
  const file = join(each.home.tetherHome, ".credentials.json");
  const entries = JSON.parse(readFileSync(file, "utf8"));
  const [key] = Object.keys(entries);
  const damaged = "damaged-private-part-0123456789";
  entries[key!].dpopKey.jwk.d = damaged;
  writeFileSync(file, JSON.stringify(entries), { mode: 0o600 });
  const run = await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('server "fx": its stored DPoP key cannot be used');
  expect(run.stderr).toContain("hint: run: tether mcp login fx");
  expect(run.stderr).not.toContain(damaged);
});

describe("oauth_dpop", () => {
  test("true: proofs go to an authorization server that does not advertise DPoP, and its bound token is used", async () => {
    const fx = await fixture(["--dpop-unadvertised"]);
    configure(fx.url, "oauth_dpop = true\n");
    expectOk(await tether(["mcp", "login", "fx"]));
    expect(entry().tokens?.token_type).toBe("DPoP");
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
    const seen = await dpopSeen(fx);
    expect(seen.tokenRequests.every((r) => r.proof && !r.error)).toBe(true);
    expect(new Set(seen.mcpRequests.map((r) => r.scheme))).toEqual(new Set(["DPoP"]));
  });

  test("false: no proof even where it is advertised; a Bearer token and no key stored", async () => {
    const fx = await fixture(["--dpop"]);
    configure(fx.url, "oauth_dpop = false\n");
    expectOk(await tether(["mcp", "login", "fx"]));
    expect(entry().tokens?.token_type).toBe("Bearer");
    expect(entry().dpopKey).toBeUndefined();
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
    const seen = await dpopSeen(fx);
    expect(seen.tokenRequests.map((r) => r.proof)).toEqual([false]);
    expect(new Set(seen.mcpRequests.map((r) => r.scheme))).toEqual(new Set(["Bearer"]));
    expect(expectOk(await tether(["mcp", "get", "fx"])).stdout).toContain("oauth_dpop");
  });

  test("client credentials: the machine login's token is bound to a key of this run and presented as DPoP", async () => {
    const fx = await fixture(["--dpop", "--dpop-nonce", "--static-client", "ci:ci-secret"]);
    configure(fx.url, 'oauth_grant = "client_credentials"\noauth_client_id = "ci"\noauth_client_secret_env_var = "CI_SECRET"\n');
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"], { CI_SECRET: "ci-secret" })).stdout).toBe("hi\n");
    const seen = await dpopSeen(fx);
    const tokenRequests = seen.tokenRequests.filter((r) => r.grantType === "client_credentials");
    expect(tokenRequests.at(-1)).toMatchObject({ proof: true, nonce: "fixture-as-nonce" });
    expect(new Set(seen.mcpRequests.map((r) => r.scheme))).toEqual(new Set(["DPoP"]));
    expect(seen.mcpRequests.every((r) => r.jkt === tokenRequests.at(-1)!.jkt)).toBe(true);
  });

  test("with bearer_token_env_var is a config error naming the key", async () => {
    configure("http://127.0.0.1:9/mcp", 'oauth_dpop = true\nbearer_token_env_var = "T"\n');
    const run = await tether(["mcp", "list"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("'oauth_dpop' applies to OAuth logins");
  });
});
