// OAuth through the real CLI against the fixture's authorization server: login (callback and paste),
// use, refresh, failures, logout, remove, and what list/doctor show. Credentials go to the 0600 file
// here (mcp_oauth_credentials_store = "file"); keyring modes are in mcp-oauth-keyring.test.ts.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { expectOk, makeHome, runTether, type RunResult } from "../support/cli.ts";
import { backdateExpiry, loginHeadless, onlyEntry, readCredentialFile, startTether, writeConfig, AUTHORIZE_LINE } from "./oauth-driver.ts";

let home: ReturnType<typeof makeHome>;
const fixtures: FixtureHandle[] = [];
const outputs: RunResult[] = [];

beforeEach(() => {
  home = makeHome();
  clockOffset = 0;
});
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
  outputs.length = 0;
  home.cleanup();
});

async function fixture(args: string[] = []): Promise<FixtureHandle> {
  const handle = await startHttpFixture(["--oauth", ...args]);
  fixtures.push(handle);
  return handle;
}

/** config.toml with one HTTP server "fx" and the file credential store. */
function configure(url: string, extra = "", top = 'mcp_oauth_credentials_store = "file"'): void {
  writeConfig(home.tetherHome, `${top}\n\n[mcp_servers.fx]\nurl = "${url}"\n${extra}`);
}

async function tether(args: string[], env?: Record<string, string>): Promise<RunResult> {
  const result = await runTether(args, { home: home.home, env, now: () => Date.now() + clockOffset });
  outputs.push(result);
  return result;
}

async function login(options: Partial<Parameters<typeof loginHeadless>[1]> = {}) {
  const result = await loginHeadless("fx", { home: home.home, via: "callback", ...options });
  outputs.push(result);
  return result;
}


/** No token or client secret ever printed, by any command of the test. */
function expectNoSecretsPrinted(secrets: (string | undefined)[]): void {
  const printed = outputs.map((o) => o.stdout + o.stderr).join("\n");
  for (const secret of secrets.filter(Boolean)) expect(printed).not.toContain(secret!);
}

/** How far tether's clock runs ahead of the real one: moved, not waited for, to expire a token. */
let clockOffset = 0;

/** tether's clock jumps past the stored access token's expiry (the server's clock stays real). */
function untilExpired(): void {
  const expiresAt = onlyEntry(home.tetherHome)?.expiresAt ?? 0;
  clockOffset = Math.max(clockOffset, expiresAt - Date.now() + 1_000);
}

describe("login", () => {
  test("the AUTH column never reads the credential store: a damaged store still lists the login", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    writeFileSync(join(home.tetherHome, ".credentials.json"), "{ not json");
    const list = expectOk(await tether(["mcp", "list"]));
    expect(list.stdout).toBe(`fx\thttp\t${fx.url}\tyes\toauth: logged in\n`);
    expect(list.stderr).toBe("");
  });

  test("headless through the loopback callback; then tools work with the stored token, file 0600, no secret printed", async () => {
    const fx = await fixture();
    configure(fx.url);

    const run = await login();
    expectOk(run);
    expect(run.stdout).toBe(`Logged in to "fx" (scopes: mcp:tools)\n`);
    expect(run.stderr).toContain(`To log in to "fx", open this URL in a browser:`);
    expect(run.stderr).toContain("paste it here");
    expect(run.stderr).toContain("Credentials stored in the credential file (mode 0600)");
    expect(run.page?.status).toBe(200);
    expect(run.page?.body).toContain("You can close this window");

    const redirect = new URL(run.authorizationUrl.searchParams.get("redirect_uri")!);
    expect(redirect.hostname).toBe("127.0.0.1");
    expect(redirect.pathname).toBe("/callback");
    const stats = await fx.stats();
    expect(stats).toMatchObject({ registrations: 1, authorizations: 1, tokenExchanges: 1, refreshes: 0 });
    expect(stats.lastAuthorizeQuery).toMatchObject({ code_challenge_method: "S256", resource: fx.url, scope: "mcp:tools" });
    // auth() starts from the discovery the login made, and the code exchange from auth()'s: each document is read once.
    expect([stats.resourceMetadataReads, stats.serverMetadataReads]).toEqual([1, 1]);
    expect(stats.lastAuthorizeQuery.state.length).toBeGreaterThanOrEqual(32);

    const file = join(home.tetherHome, ".credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(home.tetherHome).mode & 0o777).toBe(0o700);
    const entry = onlyEntry(home.tetherHome)!;
    expect(entry).toMatchObject({ serverName: "fx", serverUrl: fx.url, resourceUrl: fx.url, scopes: ["mcp:tools"] });
    expect(entry.tokens?.issuer).toBe(fx.origin);
    expect(entry.expiresAt).toBeGreaterThan(Date.now());

    const tools = expectOk(await tether(["mcp", "tools", "fx"]));
    expect(tools.stdout).toContain("echo\tEcho the given text back.");
    const call = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]));
    expect(call.stdout).toBe("hi\n");
    expect(expectOk(await tether(["mcp", "list"])).stdout).toBe(`fx\thttp\t${fx.url}\tyes\toauth: logged in\n`);
    const json = JSON.parse(expectOk(await tether(["mcp", "list", "--json"])).stdout);
    expect(json.servers[0].auth).toEqual({ type: "oauth", state: "logged_in", refreshable: true });
    const doctor = expectOk(await tether(["mcp", "doctor", "fx"]));
    expect(doctor.stdout).toContain("auth:      oauth: logged in");
    const get = JSON.parse(expectOk(await tether(["mcp", "get", "fx", "--json"])).stdout);
    expect(get.auth).toEqual({ type: "oauth", state: "logged_in", refreshable: true });
    expect((await fx.stats()).refreshes).toBe(0);

    expectNoSecretsPrinted([entry.tokens?.access_token, entry.tokens?.refresh_token]);
  });

  test("the pasted redirect URL completes the login; a line that is not one is ignored with a note", async () => {
    const fx = await fixture();
    configure(fx.url);

    const run = await login({ via: "paste", pasteFirst: "where do I paste?" });
    expectOk(run);
    expect(run.stdout).toBe(`Logged in to "fx" (scopes: mcp:tools)\n`);
    expect(run.stderr).toContain("note: that is not the redirect URL (it is not a URL)");
    expect((await fx.stats()).tokenExchanges).toBe(1);
    expectOk(await tether(["mcp", "tools", "fx"]));
    expectNoSecretsPrinted([onlyEntry(home.tetherHome)?.tokens?.access_token]);
  });

  test("a callback with the wrong state is ignored with a warning; the login keeps waiting and the real one completes it", async () => {
    const fx = await fixture();
    configure(fx.url);
    const live = await startTether(["mcp", "login", "fx", "--no-browser"], { home: home.home });
    const [, printed] = await live.waitForStderr(AUTHORIZE_LINE);
    const { location } = await (await import("../support/oauth-headless.ts")).followAuthorizeRedirect(new URL(printed!));
    const forged = new URL(location);
    forged.searchParams.set("state", "forged");
    const page = await fetch(forged);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("Not an authorization response");
    await live.waitForStderr(/warning: ignored a request to the login callback: its state is not the one this login sent/);
    expect((await fx.stats()).tokenExchanges).toBe(0);
    expect((await fetch(location)).status).toBe(200);
    const run = await live.finished;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Logged in to "fx" (scopes: mcp:tools)\n`);
  });

  test("a pasted redirect with the wrong state is ignored with a note; the right one completes the login", async () => {
    const fx = await fixture();
    configure(fx.url);
    const live = await startTether(["mcp", "login", "fx", "--no-browser"], { home: home.home });
    const [, printed] = await live.waitForStderr(AUTHORIZE_LINE);
    const { location } = await (await import("../support/oauth-headless.ts")).followAuthorizeRedirect(new URL(printed!));
    const forged = new URL(location);
    forged.searchParams.set("state", "forged");
    live.write(`${forged.href}\n`);
    await live.waitForStderr(/note: that is not the redirect URL \(its state is not the one this login sent/);
    live.write(`${location.href}\n`);
    const run = await live.finished;
    expect(run.code).toBe(0);
    expect((await fx.stats()).tokenExchanges).toBe(1);
  });

  test("error=access_denied ends the login with the server's reason", async () => {
    const fx = await fixture(["--deny"]);
    configure(fx.url);

    const run = await login();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: the authorization server refused the login: access_denied (the fixture was started with --deny)");
    expect(run.page?.status).toBe(400);
    expect(readCredentialFile(home.tetherHome)).toEqual({});
  });

  test("gives up when no answer comes in time (TETHER_LOGIN_TIMEOUT_SEC)", async () => {
    const fx = await fixture();
    configure(fx.url);

    const run = await tether(["mcp", "login", "fx", "--no-browser"], { TETHER_LOGIN_TIMEOUT_SEC: "1" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(AUTHORIZE_LINE);
    expect(run.stderr).toContain("error: no authorization response within 1 second; the login was abandoned");
    expect(run.stderr).toContain("hint: run: tether mcp login fx to start again");
  });

  test("without --no-browser the URL goes to the platform opener, and is printed too", async () => {
    const fx = await fixture();
    configure(fx.url);
    const bin = join(home.home, "bin");
    const opened = join(home.home, "opened-url");
    await Bun.write(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    await Bun.$`chmod +x ${join(bin, "xdg-open")}`;

    const live = await startTether(["mcp", "login", "fx"], { home: home.home, env: { PATH: `${bin}:${process.env.PATH}` } });
    const [, printed] = await live.waitForStderr(AUTHORIZE_LINE);
    await live.waitForStderr(/paste it here/);
    while (!(await Bun.file(opened).exists())) await Bun.sleep(20);
    expect(await Bun.file(opened).text()).toBe(printed!);
    const { location } = await (await import("../support/oauth-headless.ts")).followAuthorizeRedirect(printed!);
    await fetch(location);
    const run = await live.finished;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`Opening your browser to log in to "fx". If it does not open, visit:`);
  });

  test("--scopes overrides oauth_scopes and keeps the scopes already held; oauth_scopes alone is exact", async () => {
    const fx = await fixture();
    configure(fx.url, `oauth_scopes = ["from-config"]\n`);
    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("oauth: not logged in");

    expectOk(await login({ extraArgs: ["--scopes", "mcp:tools,extra"] }));
    expect((await fx.stats()).lastAuthorizeQuery.scope).toBe("mcp:tools extra");
    expect(onlyEntry(home.tetherHome)?.scopes).toEqual(["mcp:tools", "extra"]);

    expectOk(await login());
    expect((await fx.stats()).lastAuthorizeQuery.scope).toBe("from-config");

    // A step-up (`--scopes` as a 403 hint prints it) asks for the union, so nothing held is lost.
    expectOk(await login({ extraArgs: ["--scopes", "more"] }));
    expect((await fx.stats()).lastAuthorizeQuery.scope).toBe("from-config more");
  });

  test("a static oauth_client_id (with its secret from an env var) skips registration", async () => {
    const fx = await fixture(["--no-registration", "--static-client", "tether-static:shh-secret"]);
    configure(fx.url, `oauth_client_id = "tether-static"\noauth_client_secret_env_var = "FX_SECRET"\n`);

    const run = await login({ env: { FX_SECRET: "shh-secret" } });
    expectOk(run);
    const stats = await fx.stats();
    expect(stats.registrations).toBe(0);
    expect(stats.lastAuthorizeQuery.client_id).toBe("tether-static");
    expectOk(await tether(["mcp", "tools", "fx"]));
    expectNoSecretsPrinted(["shh-secret", onlyEntry(home.tetherHome)?.tokens?.access_token]);
  });

  test("a server without dynamic registration and no oauth_client_id: exit 1 saying what to set", async () => {
    const fx = await fixture(["--no-registration"]);
    configure(fx.url);
    const run = await tether(["mcp", "login", "fx", "--no-browser"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: the authorization server of "fx" (${fx.origin}) does not register clients dynamically`);
    expect(run.stderr).toContain(`hint: set oauth_client_id (and oauth_client_secret_env_var) for "fx" in config.toml`);
  });

  test("login or logout on a stdio server is the same usage error (exit 2); on an HTTP server without OAuth, exit 1 with its answer", async () => {
    const plain = await startHttpFixture([]);
    fixtures.push(plain);
    writeConfig(home.tetherHome, `[mcp_servers.local]\ncommand = "local-server"\n\n[mcp_servers.plain]\nurl = "${plain.url}"\n`);

    const stdio = await tether(["mcp", "login", "local", "--no-browser"]);
    expect(stdio.code).toBe(2);
    expect(stdio.stderr).toBe(`error: server "local" is a stdio server; OAuth login is only for HTTP servers (url)\n`);
    const logout = await tether(["mcp", "logout", "local"]);
    expect([logout.code, logout.stderr]).toEqual([2, stdio.stderr]);

    const http = await tether(["mcp", "login", "plain", "--no-browser"]);
    expect(http.code).toBe(1);
    expect(http.stderr).toStartWith(`error: server "plain" does not support OAuth login: it asks for no credentials and publishes no OAuth metadata\n`);
    expect(http.stderr).not.toContain("authorize?");
  });

  test("login to a server that is not running says it is unreachable (exit 1)", async () => {
    writeConfig(home.tetherHome, `[mcp_servers.gone]\nurl = "http://127.0.0.1:9/mcp"\n`);
    const run = await tether(["mcp", "login", "gone", "--no-browser"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toStartWith(`error: server "gone" is unreachable at http://127.0.0.1:9/mcp (`);
    expect(run.stderr).toContain("hint: check that the server is running");
  });

  test("mcp add --url suggests the login when the server advertises OAuth, and not otherwise", async () => {
    const fx = await fixture();
    const plain = await startHttpFixture([]);
    fixtures.push(plain);

    const oauth = expectOk(await tether(["mcp", "add", "fx", "--url", fx.url]));
    expect(oauth.stderr).toBe(`Saved to ${home.configPath}\nThis server uses OAuth; run: tether mcp login fx\n`);
    const none = expectOk(await tether(["mcp", "add", "plain", "--url", plain.url]));
    expect(none.stderr).toBe(`Saved to ${home.configPath}\n`);
  });
});

describe("using and refreshing a login", () => {
  test("an access token past its expiry is refreshed before the request, transparently, and saved", async () => {
    const fx = await fixture(["--token-lifetime", "6"]);
    configure(fx.url);
    expectOk(await login());
    const before = onlyEntry(home.tetherHome)!;
    untilExpired();
    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("oauth: expired");
    const listed = JSON.parse(expectOk(await tether(["mcp", "list", "--json"])).stdout);
    expect(listed.servers[0].auth).toEqual({ type: "oauth", state: "expired", refreshable: true });

    const tools = expectOk(await tether(["mcp", "tools", "fx"]));
    expect(tools.stdout).toContain("echo");
    expect(tools.stderr).toBe("");
    const after = onlyEntry(home.tetherHome)!;
    expect((await fx.stats()).refreshes).toBe(1);
    expect(after.tokens?.refresh_token).not.toBe(before.tokens?.refresh_token);
    expect(after.tokens?.access_token).not.toBe(before.tokens?.access_token);
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt!);
    expect(after.clientInformation).toEqual(before.clientInformation);
    expectNoSecretsPrinted([before.tokens?.refresh_token, after.tokens?.refresh_token, after.tokens?.access_token]);
  });

  test("a token the server rejects (401) before its expiry is refreshed once and saved", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    const before = onlyEntry(home.tetherHome)!;
    await fx.expireAllTokens();

    const call = expectOk(await tether(["mcp", "call", "fx", "add", "--arg", "a=1", "--arg", "b=2"]));
    expect(call.stdout).toBe("3\n");
    expect((await fx.stats()).refreshes).toBe(1);
    expect(onlyEntry(home.tetherHome)?.tokens?.refresh_token).not.toBe(before.tokens?.refresh_token);
    expectOk(await tether(["mcp", "tools", "fx"]));
    expect((await fx.stats()).refreshes).toBe(1);
  });

  test("a revoked refresh token (invalid_grant) says run: tether mcp login and deletes the credentials", async () => {
    const fx = await fixture(["--token-lifetime", "3"]);
    configure(fx.url);
    expectOk(await login());
    const before = onlyEntry(home.tetherHome)!;
    await fx.revokeAllRefreshTokens();
    untilExpired();

    const tools = await tether(["mcp", "tools", "fx"]);
    expect(tools.code).toBe(1);
    expect(tools.stderr).toBe(
      `error: server "fx": the authorization server rejected the stored login (invalid_grant: refresh token is unknown, spent or revoked); its credentials were deleted\nhint: run: tether mcp login fx\n`,
    );
    const left = onlyEntry(home.tetherHome)!;
    expect(left.tokens).toBeUndefined();
    expect(left.clientInformation).toBeUndefined();
    expect(JSON.stringify(readCredentialFile(home.tetherHome))).not.toContain(before.tokens!.refresh_token!);
    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("oauth: not logged in");

    const again = await tether(["mcp", "tools", "fx"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: server "fx" needs login (HTTP 401)\nhint: run: tether mcp login fx\n`);
    expectOk(await login());
    expectOk(await tether(["mcp", "tools", "fx"]));
  });

  test("invalid_grant on the refresh after a 401 also deletes and says run: tether mcp login", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    await fx.expireAllTokens();
    await fx.revokeAllRefreshTokens();

    const tools = await tether(["mcp", "tools", "fx"]);
    expect(tools.code).toBe(1);
    expect(tools.stderr).toBe(
      `error: server "fx": the authorization server rejected the stored login; its credentials were deleted\nhint: run: tether mcp login fx\n`,
    );
    expect(onlyEntry(home.tetherHome)?.tokens).toBeUndefined();
    expect((await fx.stats()).registrations).toBe(1);
  });

  test("a 5xx during the refresh keeps the credentials; once the server recovers they work", async () => {
    const fx = await fixture(["--token-lifetime", "3"]);
    configure(fx.url);
    expectOk(await login());
    const before = onlyEntry(home.tetherHome)!;
    await fx.setRefreshMode("500");
    untilExpired();

    const tools = await tether(["mcp", "tools", "fx"]);
    expect(tools.code).toBe(1);
    expect(tools.stderr).toBe(
      `error: server "fx": could not refresh the OAuth access token (server_error: refresh-mode is 500); the stored credentials were kept\nhint: try again later, or run: tether mcp login fx\n`,
    );
    expect(onlyEntry(home.tetherHome)).toEqual(before);

    await fx.setRefreshMode("ok");
    expectOk(await tether(["mcp", "tools", "fx"]));
    expect((await fx.stats()).refreshes).toBe(1);
  });

  test("a network error during the refresh keeps the credentials", async () => {
    const fx = await fixture(["--token-lifetime", "3"]);
    configure(fx.url);
    expectOk(await login());
    const before = onlyEntry(home.tetherHome)!;
    untilExpired();
    await fx.stop();

    const tools = await tether(["mcp", "tools", "fx"]);
    expect(tools.code).toBe(1);
    expect(tools.stderr).toStartWith(`error: server "fx": could not refresh the OAuth access token (`);
    expect(tools.stderr).toContain("); the stored credentials were kept\nhint: try again later, or run: tether mcp login fx\n");
    expect(onlyEntry(home.tetherHome)).toEqual(before);
  });

  test("a 5xx during the refresh after a 401 keeps the credentials too", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    const before = onlyEntry(home.tetherHome)!;
    await fx.expireAllTokens();
    await fx.setRefreshMode("500");

    const tools = await tether(["mcp", "tools", "fx"]);
    expect(tools.code).toBe(1);
    expect(tools.stderr).toContain("refreshing it failed (server error or network problem); the stored credentials were kept");
    expect(tools.stderr).toContain("hint: try again later, or run: tether mcp login fx");
    expect(onlyEntry(home.tetherHome)).toEqual(before);
    await fx.setRefreshMode("ok");
    expectOk(await tether(["mcp", "tools", "fx"]));
  });

  test("two tethers at once with an expired access token: both succeed, the server sees one refresh", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    // Two processes on the real clock: the stored expiry is moved into the past instead of waited for.
    backdateExpiry(home.tetherHome);

    const both = () => runTether(["mcp", "tools", "fx"], { home: home.home, process: true });
    const [first, second] = await Promise.all([both(), both()]);
    expectOk(first);
    expectOk(second);
    const stats = await fx.stats();
    expect(stats.refreshes).toBe(1);
    expect(stats.refreshFailures).toBe(0);
  });

  test("two tethers at once whose token the server rejected (401): both succeed, no refresh token spent twice", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    await fx.expireAllTokens();

    const [first, second] = await Promise.all([tether(["mcp", "tools", "fx"]), tether(["mcp", "tools", "fx"])]);
    expectOk(first);
    expectOk(second);
    const stats = await fx.stats();
    expect(stats.refreshFailures).toBe(0);
    expect(stats.refreshes).toBeGreaterThanOrEqual(1);
    expect(onlyEntry(home.tetherHome)?.tokens).toBeDefined();
  });
});

describe("logout and remove", () => {
  test("logout revokes at the server, deletes the credentials, and says so when there are none", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    const entry = onlyEntry(home.tetherHome)!;

    const out = expectOk(await tether(["mcp", "logout", "fx"]));
    expect(out.stdout).toBe(`Logged out of "fx": deleted its stored OAuth credentials\n`);
    expect(out.stderr).toBe(`Revoked its tokens at ${fx.origin}/revoke\n`);
    const revocations = (await fx.stats()).revocations;
    expect(revocations.map((r: { kind: string; token_type_hint: string }) => [r.kind, r.token_type_hint])).toEqual([
      ["refresh", "refresh_token"],
      ["access", "access_token"],
    ]);
    expect(readCredentialFile(home.tetherHome)).toEqual({});
    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("\tnone\n");

    const again = expectOk(await tether(["mcp", "logout", "fx"]));
    expect(again.stdout).toBe(`No stored OAuth credentials for "fx"; nothing to do\n`);
    const tools = await tether(["mcp", "tools", "fx"]);
    expect(tools.code).toBe(1);
    // Nothing was sent, so the server's 401 means "log in", not "your credentials were rejected".
    expect(tools.stderr).toBe(`error: server "fx" needs login (HTTP 401)\nhint: run: tether mcp login fx\n`);
    expectNoSecretsPrinted([entry.tokens?.access_token, entry.tokens?.refresh_token]);
  });

  test("a failed revocation is a warning; the credentials are deleted anyway", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());
    await fx.stop();

    const out = expectOk(await tether(["mcp", "logout", "fx"]));
    expect(out.stdout).toBe(`Logged out of "fx": deleted its stored OAuth credentials\n`);
    expect(out.stderr).toStartWith("warning: could not revoke its tokens at the server: ");
    expect(readCredentialFile(home.tetherHome)).toEqual({});
  });

  test("mcp remove also deletes the server's stored credentials", async () => {
    const fx = await fixture();
    configure(fx.url);
    expectOk(await login());

    const out = expectOk(await tether(["mcp", "remove", "fx"]));
    expect(out.stdout).toBe(`Removed server "fx" from ${home.configPath}\n`);
    expect(out.stderr).toBe(`Deleted the stored OAuth credentials of "fx"\n`);
    expect(readCredentialFile(home.tetherHome)).toEqual({});
  });
});
