// `tether mcp login NAME --device` (RFC 8628) against the fixture's device-flow authorization server:
// in process with a clock that the waits move instead of passing, and once through the compiled
// binary (a real wait, and Ctrl-C).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { baseEnv, expectOk, makeHome, runTether, type RunResult } from "../support/cli.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { onlyEntry, writeConfig } from "./oauth-driver.ts";

let home: ReturnType<typeof makeHome>;
const fixtures: FixtureHandle[] = [];

/** tether's clock: each wait it asks for moves it on at once, and is recorded. */
let clock = 0;
let waits: number[] = [];

beforeEach(() => {
  home = makeHome();
  clock = Date.now();
  waits = [];
});
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
  home.cleanup();
});

async function fixture(args: string[] = []): Promise<FixtureHandle> {
  const handle = await startHttpFixture(["--oauth", ...args]);
  fixtures.push(handle);
  return handle;
}

function configure(url: string, extra = ""): void {
  writeConfig(home.tetherHome, `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.fx]\nurl = "${url}"\n${extra}`);
}

async function tether(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}): Promise<RunResult> {
  return runTether(args, {
    home: home.home,
    env: options.env,
    now: () => clock,
    sleep: async (ms, signal) => {
      waits.push(ms);
      clock += ms;
      await Bun.sleep(0);
      if (signal?.aborted) throw signal.reason;
    },
    tty: options.tty ? { stderr: true } : undefined,
  });
}

const DENIED_OR_EXPIRED_HINT = "hint: run: tether mcp login fx\n";

describe("mcp login --device", () => {
  test("prints the URL with the code, the URL and the code; polls through authorization_pending; stores a login that tools and refresh use", async () => {
    const fx = await fixture(["--device", "--device-script", "pending,pending,ok"]);
    configure(fx.url);

    const run = expectOk(await tether(["mcp", "login", "fx", "--device"]));
    const code = /enter the code: (\S+)\n/.exec(run.stderr)?.[1];
    expect(code).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(run.stderr).toContain(`  ${fx.origin}/device?user_code=${code}\n`);
    expect(run.stderr).toContain(`Or open ${fx.origin}/device and enter the code: ${code}\n`);
    expect(run.stderr).not.toContain("█"); // no QR code when stderr is not a terminal
    expect(run.stdout).toBe('Logged in to "fx" (scopes: mcp:tools)\n');
    // No interval from the server: RFC 8628's 5 s between polls.
    expect(waits).toEqual([5000, 5000, 5000]);

    const stats = await fx.stats();
    expect(stats.devicePolls).toBe(3);
    expect([stats.resourceMetadataReads, stats.serverMetadataReads]).toEqual([1, 1]);
    expect(stats.lastRegistrationRequest.grant_types).toEqual(["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]);
    expect(stats.lastDeviceAuthorizationRequest).toMatchObject({ scope: "mcp:tools", resource: `${fx.origin}/mcp` });
    expect(stats.lastTokenRequest).toMatchObject({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", resource: `${fx.origin}/mcp` });

    const entry = onlyEntry(home.tetherHome)!;
    expect(entry.scopes).toEqual(["mcp:tools"]);
    expect(entry.resourceUrl).toBe(`${fx.origin}/mcp`);
    expect(entry.tokens?.refresh_token).toBeString();
    expect(run.stderr + run.stdout).not.toContain(entry.tokens!.access_token);

    expect(expectOk(await tether(["mcp", "tools", "fx"])).stdout).toContain("echo");
    await fx.expireAllTokens();
    expectOk(await tether(["mcp", "tools", "fx"]));
    expect((await fx.stats()).refreshes).toBe(1);

    const list = expectOk(await tether(["mcp", "list"]));
    expect(list.stdout).toContain("oauth: logged in");
  });

  test("a second device login reuses the registration and revokes the first login's tokens; a configured confidential client registers nothing", async () => {
    const fx = await fixture(["--device", "--device-interval", "1", "--static-client", "pre:shh"]);
    configure(fx.url);
    expectOk(await tether(["mcp", "login", "fx", "--device"]));
    const first = onlyEntry(home.tetherHome)!.tokens!.refresh_token;
    expectOk(await tether(["mcp", "login", "fx", "--device"]));
    let stats = await fx.stats();
    expect(stats.registrations).toBe(1);
    expect(stats.revocations.map((r: { token: string }) => r.token)).toContain(first);

    configure(fx.url, 'oauth_client_id = "pre"\noauth_client_secret_env_var = "PRE_SECRET"\n');
    const run = expectOk(await tether(["mcp", "login", "fx", "--device"], { env: { PRE_SECRET: "shh" } }));
    expect(run.stderr + run.stdout).not.toContain("shh");
    stats = await fx.stats();
    expect(stats.registrations).toBe(1);
    expect(stats.lastDeviceAuthorizationRequest.client_id).toBeUndefined(); // Basic authentication, as at the token endpoint
    expect(onlyEntry(home.tetherHome)!.clientInformation?.client_id).toBe("pre");
  });

  test("slow_down adds 5 s to the server's interval for every later poll", async () => {
    const fx = await fixture(["--device", "--device-interval", "1", "--device-script", "pending,slow_down,pending,ok"]);
    configure(fx.url);
    expectOk(await tether(["mcp", "login", "fx", "--device"]));
    expect(waits).toEqual([1000, 1000, 6000, 6000]);
    expect((await fx.stats()).devicePolls).toBe(4);
  });

  test("access_denied ends the login in one line and the command to start again", async () => {
    const fx = await fixture(["--device", "--device-interval", "1", "--device-script", "pending,denied"]);
    configure(fx.url);
    const run = await tether(["mcp", "login", "fx", "--device"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEndWith(`error: the device login to "fx" was denied at the authorization server (access_denied)\n${DENIED_OR_EXPIRED_HINT}`);
    expect(run.stdout).toBe("");
    expect(onlyEntry(home.tetherHome)?.tokens).toBeUndefined();
  });

  test("expired_token from the server ends the login", async () => {
    const fx = await fixture(["--device", "--device-interval", "1", "--device-script", "pending,expired"]);
    configure(fx.url);
    const run = await tether(["mcp", "login", "fx", "--device"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEndWith(`error: the device code for "fx" expired before the login was approved (it lived 10 min)\n${DENIED_OR_EXPIRED_HINT}`);
  });

  test("expires_in reached on tether's clock ends the login without another poll", async () => {
    const fx = await fixture(["--device", "--device-expires-in", "60", "--device-interval", "20", "--device-script", "pending"]);
    configure(fx.url);
    const run = await tether(["mcp", "login", "fx", "--device"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toEndWith(`error: the device code for "fx" expired before the login was approved (it lived 1 min)\n${DENIED_OR_EXPIRED_HINT}`);
    // Polls at 20 s and 40 s; at 60 s the code is dead and is not presented again.
    expect((await fx.stats()).devicePolls).toBe(2);
  });

  test("an authorization server without a device_authorization_endpoint: one line, and the paste-back way", async () => {
    const fx = await fixture();
    configure(fx.url);
    const run = await tether(["mcp", "login", "fx", "--device"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: the authorization server of "fx" (${fx.origin}) has no device_authorization_endpoint\n` +
        "hint: run: tether mcp login fx --no-browser (open the URL anywhere, paste the redirect back)\n",
    );
  });

  test("--device with --no-browser or --browser is a usage error", async () => {
    for (const flag of ["--no-browser", "--browser"]) {
      const run = await tether(["mcp", "login", "fx", "--device", flag]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`error: --device and ${flag} cannot be used together`);
    }
  });

  test("the server's text is made safe before it is printed; a non-https verification URL is refused", async () => {
    const fx = await fixture(["--device", "--device-interval", "1", "--device-user-code", "\u001b[2JAB\u0007CD"]);
    configure(fx.url);
    const run = expectOk(await tether(["mcp", "login", "fx", "--device"]));
    expect(run.stderr).toContain("enter the code: ^[[2JAB^GCD\n");
    expect(run.stderr).not.toContain("\u001b");

    const hostile = await fixture(["--device", "--device-verification-uri", "file:///etc/passwd"]);
    configure(hostile.url);
    const refused = await tether(["mcp", "login", "fx", "--device"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: the authorization server of "fx" sent a verification URL that is not https; it was not shown\n');
    expect(refused.stderr).not.toContain("/etc/passwd");
  });

  test("where the authorization server offers DPoP, the device login binds its tokens to a stored key that later calls prove", async () => {
    const fx = await fixture(["--device", "--device-script", "ok", "--dpop", "--dpop-nonce"]);
    configure(fx.url);
    expectOk(await tether(["mcp", "login", "fx", "--device"]));
    const entry = onlyEntry(home.tetherHome)!;
    expect(entry.dpopKey?.alg).toBe("ES256");
    expect(entry.tokens?.token_type).toBe("DPoP");

    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=bound"])).stdout).toBe("bound\n");
    const seen = (await fx.stats()).dpop;
    const polls = seen.tokenRequests.filter((r: { grantType: string }) => r.grantType === "urn:ietf:params:oauth:grant-type:device_code");
    expect(polls.at(-1)).toMatchObject({ proof: true, nonce: "fixture-as-nonce" });
    expect(seen.mcpRequests.length).toBeGreaterThan(0);
    expect(seen.mcpRequests.every((r: { scheme: string; jkt: string }) => r.scheme === "DPoP" && r.jkt === polls.at(-1).jkt)).toBe(true);
  });

  test("on a terminal the URL with the code is also a QR code", async () => {
    const fx = await fixture(["--device", "--device-interval", "1"]);
    configure(fx.url);
    const run = expectOk(await tether(["mcp", "login", "fx", "--device"], { tty: true }));
    const lines = run.stderr.split("\n").filter((line) => /^[█▀▄ ]+$/.test(line) && line.includes("▀"));
    expect(lines.length).toBeGreaterThan(10);
  });
});

describe("mcp login --device, compiled binary", () => {
  test("logs in with real waits, and Ctrl-C while waiting stops with exit 130 and no stack", async () => {
    const binary = await ensureHostBinary();
    const fx = await fixture(["--device", "--device-interval", "1", "--device-script", "pending,ok"]);
    configure(fx.url);
    const ok = await runTether(["mcp", "login", "fx", "--device"], { home: home.home, binary });
    expectOk(ok);
    expect(ok.stdout).toBe('Logged in to "fx" (scopes: mcp:tools)\n');
    expect(ok.stderr).toContain("enter the code:");

    const waiting = await fixture(["--device", "--device-interval", "1", "--device-script", "pending"]);
    configure(waiting.url);
    const child = Bun.spawn([binary, "mcp", "login", "fx", "--device"], { cwd: home.home, env: baseEnv(home.home), stdout: "pipe", stderr: "pipe", timeout: 60_000 });
    let stderr = "";
    const decoder = new TextDecoder();
    const reader = (async () => {
      for await (const chunk of child.stderr as unknown as AsyncIterable<Uint8Array>) stderr += decoder.decode(chunk, { stream: true });
    })();
    // Once it has polled, it is in the wait between polls.
    for (let i = 0; i < 600 && ((await waiting.stats()).devicePolls ?? 0) < 1; i++) await Bun.sleep(50);
    child.kill("SIGINT");
    const code = await child.exited;
    await reader;
    expect(code).toBe(130);
    expect(stderr).toContain("enter the code:");
    expect(stderr).toEndWith("error: interrupted\n");
    expect(stderr).not.toContain("    at ");
  }, 120_000);
});
