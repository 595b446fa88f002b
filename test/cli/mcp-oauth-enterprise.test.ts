// Enterprise-managed authorization (SEP-990) through the real CLI against the fixture's IdP and
// authorization server (--oauth --idp): an ID token handed in or from a login at the IdP, exchanged
// for an ID-JAG (RFC 8693), presented with the JWT bearer grant (RFC 7523), stored, and renewed.
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { expectOk, homePerTest, runTether, type RunResult } from "../support/cli.ts";
import { backdateExpiry, onlyEntry, startTether, writeConfig } from "./oauth-driver.ts";

const each = homePerTest();
const CLIENT_SECRET = "mcp-client-s3cret-value";
const IDP_SECRET = "idp-client-s3cret-value";

async function fixture(extra: string[] = []): Promise<FixtureHandle> {
  const handle = await startHttpFixture(["--oauth", "--idp", "--no-registration", "--static-client", `robot:${CLIENT_SECRET}`, "--idp-client", `tether-idp:${IDP_SECRET}`, ...extra]);
  each.fixtures.push(handle);
  return handle;
}

function configure(fx: FixtureHandle, extra = 'oauth_id_token_env_var = "CORP_ID_TOKEN"\n'): void {
  writeConfig(
    each.home.tetherHome,
    `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.fx]\nurl = "${fx.url}"\n` +
      `oauth_client_id = "robot"\noauth_client_secret_env_var = "ROBOT_SECRET"\n` +
      `oauth_idp_issuer = "${fx.origin}/idp"\noauth_idp_client_id = "tether-idp"\noauth_idp_client_secret_env_var = "IDP_SECRET"\n${extra}`,
  );
}

/** As configure(), with tether authenticating to the IdP by the private key in `keyFile` (private_key_jwt). */
function configureKeyClient(fx: FixtureHandle, keyFile: string): void {
  writeConfig(
    each.home.tetherHome,
    `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.fx]\nurl = "${fx.url}"\n` +
      `oauth_client_id = "robot"\noauth_client_secret_env_var = "ROBOT_SECRET"\n` +
      `oauth_idp_issuer = "${fx.origin}/idp"\noauth_idp_client_id = "tether-idp"\noauth_idp_private_key_file = "${keyFile}"\n` +
      `oauth_id_token_env_var = "CORP_ID_TOKEN"\n`,
  );
}

/** An ID token the fixture's IdP issued to tether-idp: what a CI job or an IdP login elsewhere hands in. */
async function idToken(fx: FixtureHandle): Promise<string> {
  const response = await fetch(`${fx.origin}/_test/idp/id-token`, { method: "POST", body: "alice" });
  return ((await response.json()) as { id_token: string }).id_token;
}

const secretsEnv = { ROBOT_SECRET: CLIENT_SECRET, IDP_SECRET };
const tether = (args: string[], env: Record<string, string> = {}, now?: () => number): Promise<RunResult> =>
  runTether(args, { home: each.home.home, env: { ...secretsEnv, ...env }, now });

function expectNoSecrets(run: RunResult, secrets: string[]): void {
  for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
}

describe("an ID token handed in (oauth_id_token_env_var)", () => {
  test("mcp login exchanges it at the IdP and presents the ID-JAG to the authorization server; tools work and the login is stored", async () => {
    const fx = await fixture();
    configure(fx);
    const token = await idToken(fx);
    const login = expectOk(await tether(["mcp", "login", "fx"], { CORP_ID_TOKEN: token }));
    expect(login.stdout).toBe('Logged in to "fx" (scopes: mcp:tools)\n');
    expect(login.stderr).not.toContain("http://"); // no browser, no URL

    const stats = await fx.stats();
    const exchange = stats.idpLastExchangeRequest;
    expect(exchange.grant_type).toBe("urn:ietf:params:oauth:grant-type:token-exchange");
    expect(exchange.requested_token_type).toBe("urn:ietf:params:oauth:token-type:id-jag");
    expect(exchange.subject_token_type).toBe("urn:ietf:params:oauth:token-type:id_token");
    expect(exchange.subject_token).toBe(token);
    expect(exchange.audience).toBe(fx.origin); // the MCP authorization server's issuer
    expect(exchange.resource).toBe(fx.url); // the MCP server's resource
    expect(exchange.client_id).toBe("tether-idp");
    expect(stats.jwtBearerGrants).toBe(1);
    expect(stats.lastTokenRequest.grant_type).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(stats.lastJwtBearer.clientAuth).toBe("basic");
    expect(stats.lastJwtBearer.claims).toMatchObject({ sub: "alice", client_id: "robot", resource: fx.url, aud: fx.origin });

    const stored = onlyEntry(each.home.tetherHome)!;
    expect(stored.tokens?.access_token).toBeString();
    expect(stored.tokens?.refresh_token).toBeUndefined();
    expect(stored.resourceUrl).toBe(fx.url);

    // Later commands use the stored login: no ID token needed, no second exchange.
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=corp"])).stdout).toBe("corp\n");
    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("\toauth: logged in\n");
    const get = expectOk(await tether(["mcp", "get", "fx"])).stdout;
    expect(get).toContain(`  oauth_idp_issuer:           ${fx.origin}/idp\n`);
    expect(get).toContain("  oauth_id_token_env_var:     CORP_ID_TOKEN\n");
    expect((await fx.stats()).idpExchanges).toBe(1);
    expectNoSecrets(login, [token, CLIENT_SECRET, IDP_SECRET, stored.tokens!.access_token]);
  });

  test("without a login, the first mcp call exchanges it by itself; an expired access token is renewed silently", async () => {
    // The metadata is named only in the 401's WWW-Authenticate: the silent login reads the challenge as mcp login does.
    const fx = await fixture(["--prm-in-challenge-only"]);
    configure(fx);
    const env = { CORP_ID_TOKEN: await idToken(fx) };
    const call = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=first"], env));
    expect(call.stdout).toBe("first\n");
    expect(expectOk(await tether(["mcp", "list"], env)).stdout).toContain("\toauth: logged in\n");
    expect((await fx.stats()).idpExchanges).toBe(1);

    // The access token expires (no refresh token in this grant): the next command exchanges again, no browser.
    backdateExpiry(each.home.tetherHome);
    const later = expectOk(await tether(["mcp", "tools", "fx"], env));
    expect(later.stdout).toContain("echo");
    expect((await fx.stats()).idpExchanges).toBe(2);
    expect((await fx.stats()).jwtBearerGrants).toBe(2);
    expectNoSecrets(later, [env.CORP_ID_TOKEN]);
  });

  test("a login and a silent renewal each read the protected-resource and authorization-server metadata once", async () => {
    const fx = await fixture();
    configure(fx);
    const env = { CORP_ID_TOKEN: await idToken(fx) };
    expectOk(await tether(["mcp", "login", "fx"], env));
    const afterLogin = await fx.stats();
    expect([afterLogin.resourceMetadataReads, afterLogin.serverMetadataReads]).toEqual([1, 1]);

    backdateExpiry(each.home.tetherHome);
    expectOk(await tether(["mcp", "tools", "fx"], env));
    const afterRenewal = await fx.stats();
    expect(afterRenewal.idpExchanges).toBe(2);
    expect([afterRenewal.resourceMetadataReads - afterLogin.resourceMetadataReads, afterRenewal.serverMetadataReads - afterLogin.serverMetadataReads]).toEqual([1, 1]);
  });

  test("an ID token the IdP refuses: one line naming the server and the IdP's reason, a hint, no token in the output", async () => {
    const fx = await fixture();
    configure(fx);
    const bad = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.not-signed";
    for (const args of [["mcp", "login", "fx"], ["mcp", "tools", "fx"]]) {
      const run = await tether(args, { CORP_ID_TOKEN: bad });
      expect(run.code).toBe(1);
      const lines = run.stderr.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^error: server "fx": the identity provider refused to exchange the ID token \(Token exchange failed: invalid_grant/);
      expect(lines.at(-1)).toBe("hint: put a fresh ID token in $CORP_ID_TOKEN, or unset it and run: tether mcp login fx");
      expectNoSecrets(run, [bad, CLIENT_SECRET, IDP_SECRET]);
    }
    expect((await fx.stats()).jwtBearerGrants).toBe(0);
    expect(onlyEntry(each.home.tetherHome)?.tokens).toBeUndefined();
  });

  test("a client secret the IdP refuses points at the IdP client settings, not at the ID token", async () => {
    const fx = await fixture();
    configure(fx);
    const run = await tether(["mcp", "tools", "fx"], { CORP_ID_TOKEN: await idToken(fx), IDP_SECRET: "wrong-idp-secret" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: server "fx": the identity provider refused to exchange the ID token (Token exchange failed: invalid_client');
    expect(run.stderr).toContain('hint: check oauth_idp_client_id ("tether-idp") and the secret in $IDP_SECRET\n');
    expectNoSecrets(run, ["wrong-idp-secret"]);
  });
});

describe("a private key at the IdP (oauth_idp_private_key_file)", () => {
  test("the token exchange authenticates with a private_key_jwt client assertion, the key never shown", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const keyFile = join(each.home.home, "idp-key.pem");
    const publicFile = join(each.home.home, "idp-public.pem");
    writeFileSync(keyFile, privatePem, { mode: 0o600 });
    writeFileSync(publicFile, publicKey.export({ type: "spki", format: "pem" }).toString());
    const fx = await startHttpFixture(["--oauth", "--idp", "--no-registration", "--static-client", `robot:${CLIENT_SECRET}`, "--idp-key-client", `tether-idp:${publicFile}`]);
    each.fixtures.push(fx);
    configureKeyClient(fx, keyFile);
    const run = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=keyed"], { CORP_ID_TOKEN: await idToken(fx) }));
    expect(run.stdout).toBe("keyed\n");
    const stats = await fx.stats();
    expect([stats.idpKeyAuths, stats.idpExchanges]).toEqual([1, 1]);
    expect(stats.idpLastExchangeRequest.client_assertion_type).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    expect(stats.idpLastExchangeRequest.client_secret).toBeUndefined();
    expectNoSecrets(run, [privatePem.split("\n")[1]!]);
  });

  test("a key file that is not one: the error names oauth_idp_private_key_file, the setting that points at it", async () => {
    const keyFile = join(each.home.home, "idp-key.pem");
    writeFileSync(keyFile, "not a key\n", { mode: 0o600 });
    const fx = await fixture();
    configureKeyClient(fx, keyFile);
    const run = await tether(["mcp", "tools", "fx"], { CORP_ID_TOKEN: await idToken(fx) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: server "fx": oauth_idp_private_key_file ${keyFile} holds no PEM private key\n`);
  });
});

describe("a login at the IdP (no ID token handed in)", () => {
  test("mcp login --no-browser prints the IdP's URL; its callback gives the ID token that is exchanged; an expired login says how to log in again", async () => {
    const fx = await fixture();
    configure(fx, "");
    const live = await startTether(["mcp", "login", "fx", "--no-browser"], { home: each.home.home, env: secretsEnv });
    const [, printed] = await live.waitForStderr(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/idp\/authorize\?\S+)$/m);
    const authorize = new URL(printed!);
    await live.waitForStderr(new RegExp(`^To log in to "fx" at your identity provider \\(${fx.origin}/idp\\), open this URL in a browser:$`, "m"));
    expect(authorize.searchParams.get("scope")).toBe("openid");
    expect(authorize.searchParams.get("client_id")).toBe("tether-idp");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    const redirect = await fetch(authorize, { redirect: "manual" });
    const callback = await fetch(new URL(redirect.headers.get("location")!));
    expect(callback.status).toBe(200);
    const login = expectOk(await live.finished);
    expect(login.stdout).toBe('Logged in to "fx" (scopes: mcp:tools)\n');
    const stats = await fx.stats();
    expect([stats.idpLogins, stats.idpExchanges, stats.jwtBearerGrants]).toEqual([1, 1, 1]);
    expect(stats.idpMetadataReads).toBe(1); // the exchange takes the IdP's token endpoint from the login's read
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=sso"])).stdout).toBe("sso\n");

    backdateExpiry(each.home.tetherHome);
    const expired = await tether(["mcp", "tools", "fx"]);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain("hint: run: tether mcp login fx");
  });
});

describe("config", () => {
  const configureRaw = (extra: string) =>
    writeConfig(each.home.tetherHome, `[mcp_servers.fx]\nurl = "https://mcp.example.com/mcp"\n${extra}`);

  test("an incomplete enterprise setup is named with file and line", async () => {
    const cases: [string, RegExp][] = [
      [`oauth_idp_issuer = "https://idp.example.com"\n`, /config\.toml:3.*'oauth_idp_issuer' needs 'oauth_idp_client_id'/],
      [
        `oauth_idp_issuer = "https://idp.example.com"\noauth_idp_client_id = "t"\noauth_client_id = "c"\n`,
        /config\.toml:3.*'oauth_idp_issuer' needs 'oauth_client_secret_env_var' \(tether's client at the MCP server's authorization server\)/,
      ],
      [`oauth_id_token_env_var = "TOKEN"\n`, /config\.toml:3.*'oauth_id_token_env_var' is only used with 'oauth_idp_issuer'/],
      [
        `oauth_idp_issuer = "https://idp.example.com"\noauth_idp_client_id = "t"\noauth_idp_client_secret_env_var = "S"\noauth_idp_private_key_file = "k.pem"\n`,
        /config\.toml:6.*set either 'oauth_idp_client_secret_env_var' or 'oauth_idp_private_key_file', not both/,
      ],
      [`oauth_idp_issuer = "http://idp.example.com"\n`, /config\.toml:3.*'oauth_idp_issuer' must be an https:\/\/ URL/],
      [
        `oauth_idp_issuer = "https://idp.example.com"\noauth_idp_client_id = "t"\noauth_client_id = "c"\noauth_client_secret_env_var = "S"\noauth_grant = "client_credentials"\n`,
        /config\.toml:7.*'oauth_grant' and 'oauth_idp_issuer' are two ways to a token; keep one/,
      ],
    ];
    for (const [extra, message] of cases) {
      configureRaw(extra);
      const run = await tether(["mcp", "list"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});

describe("mcp login --device at the identity provider", () => {
  test("the user code is the IdP's; its ID token is exchanged as from a browser login, and tools work", async () => {
    const fx = await fixture();
    configure(fx, "");
    const run = expectOk(
      await runTether(["mcp", "login", "fx", "--device"], { home: each.home.home, env: secretsEnv, sleep: async () => {} }),
    );
    expect(run.stderr).toContain(`Or open ${fx.origin}/idp/device and enter the code: IDPC-0DE1\n`);
    expect(run.stdout).toBe('Logged in to "fx" (scopes: mcp:tools)\n');
    const stats = await fx.stats();
    expect(stats.idpDeviceLogins).toBe(1);
    expect(stats.idpLogins).toBe(0); // no browser login at the IdP
    expect(stats.idpExchanges).toBe(1);
    expect(stats.jwtBearerGrants).toBe(1);
    expect(stats.idpMetadataReads).toBe(1);
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=device"])).stdout).toBe("device\n");
    expectNoSecrets(run, [CLIENT_SECRET, IDP_SECRET, onlyEntry(each.home.tetherHome)!.tokens!.access_token]);
  });

  test("an IdP without device login: one line naming what is missing, and the paste-back way", async () => {
    const fx = await fixture(["--idp-no-device"]);
    configure(fx, "");
    const run = await tether(["mcp", "login", "fx", "--device"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: the identity provider of "fx" (${fx.origin}/idp) has no device_authorization_endpoint\nhint: run: tether mcp login fx --no-browser (open the URL anywhere, paste the redirect back)\n`,
    );
  });
});
