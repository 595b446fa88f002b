// Workload identity (issue 21 item 5, SEP-1933): oauth_grant = "jwt_bearer" presents the platform's
// token (a file, an env var, or GitHub Actions' OIDC token) at the fixture's authorization server.
// No browser, nothing stored; a refusal is one line, never retried, never another grant.
import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { auth } from "@modelcontextprotocol/client";
import { workloadIdentityProvider } from "../../src/auth/workload-provider.ts";
import { normalizeServer } from "../../src/config/normalize.ts";
import type { HttpServerConfig } from "../../src/config/types.ts";
import { baseEnv, expectOk, homePerTest, runTether, type RunResult } from "../support/cli.ts";
import { createTestContext } from "../support/context.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { writeConfig } from "./oauth-driver.ts";

const each = homePerTest();
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

async function fixture(args: string[]): Promise<FixtureHandle> {
  const handle = await startHttpFixture(["--oauth", "--static-client", "wif-client", ...args]);
  each.fixtures.push(handle);
  return handle;
}

function configure(url: string, keys: string): void {
  writeConfig(each.home.tetherHome, `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.fx]\nurl = "${url}"\noauth_grant = "jwt_bearer"\noauth_client_id = "wif-client"\n${keys}`);
}

const tether = (args: string[], env?: Record<string, string>): Promise<RunResult> => runTether(args, { home: each.home.home, env });
const tokenFile = () => join(each.home.home, "token");

describe("from a file (a Kubernetes projected service-account token)", () => {
  test("each run presents the file's current token; mcp list says so; mcp login has nothing to do; nothing is stored", async () => {
    const fx = await fixture(["--trusted-assertion", "k8s-token-one", "--trusted-assertion", "k8s-token-two"]);
    configure(fx.url, `oauth_assertion_file = "${tokenFile()}"\n`);
    writeFileSync(tokenFile(), "k8s-token-one\n");
    const call = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=workload"]));
    expect(call.stdout).toBe("workload\n");
    writeFileSync(tokenFile(), "k8s-token-two\n");
    expectOk(await tether(["mcp", "tools", "fx"]));
    const stats = await fx.stats();
    expect(stats.jwtBearerAssertions).toEqual(["k8s-token-one", "k8s-token-two"]);
    expect(stats.grantTypes).toEqual([JWT_BEARER, JWT_BEARER]);
    // Client authentication "none": the client id in the body.
    expect(stats.lastTokenRequest).toMatchObject({ grant_type: JWT_BEARER, client_id: "wif-client", resource: fx.url });

    expect(expectOk(await tether(["mcp", "list"])).stdout).toContain("\toauth: workload identity (file)\n");
    const login = await tether(["mcp", "login", "fx", "--no-browser"]);
    expect(login.code).toBe(2);
    expect(login.stderr).toContain(`server "fx" logs in by itself with the platform's token (oauth_grant = "jwt_bearer"); there is nothing to do`);
    expect(existsSync(join(each.home.tetherHome, ".credentials.json"))).toBe(false);
    expect(call.stdout + call.stderr + login.stderr).not.toContain("k8s-token");
  });

  test("the second token request of one client reads the file again (the token rotated)", async () => {
    const fx = await fixture(["--trusted-assertion", "before-rotation", "--trusted-assertion", "after-rotation"]);
    configure(fx.url, `oauth_assertion_file = "${tokenFile()}"\n`);
    const env = baseEnv(each.home.home);
    const ctx = createTestContext({ env, cwd: each.home.home });
    const server = normalizeServer("fx", { url: fx.url, oauth_grant: "jwt_bearer", oauth_client_id: "wif-client", oauth_assertion_file: tokenFile() }) as HttpServerConfig;
    const provider = workloadIdentityProvider(ctx, server);
    writeFileSync(tokenFile(), "before-rotation");
    expect(await auth(provider, { serverUrl: fx.url, fetchFn: ctx.fetch })).toBe("AUTHORIZED");
    const first = provider.tokens()!.access_token;
    writeFileSync(tokenFile(), "after-rotation");
    expect(await auth(provider, { serverUrl: fx.url, fetchFn: ctx.fetch })).toBe("AUTHORIZED");
    expect(provider.tokens()!.access_token).not.toBe(first);
    // The authorization server's refresh token is not kept: the platform's token is the grant.
    expect(provider.tokens()!.refresh_token).toBeUndefined();
    expect((await fx.stats()).jwtBearerAssertions).toEqual(["before-rotation", "after-rotation"]);
  });

  test("an authorization server that quotes the token back in its refusal: the token is shown as [redacted]", async () => {
    const fx = await fixture(["--trusted-assertion", "some-other-token"]);
    configure(fx.url, `oauth_assertion_file = "${tokenFile()}"\n`);
    writeFileSync(tokenFile(), "untrusted-k8s-token\n");
    const run = await tether(["mcp", "tools", "fx"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("refused the workload identity token (invalid_grant: assertion [redacted] is not trusted)");
    expect(run.stdout + run.stderr).not.toContain("untrusted-k8s-token");
    expect((await fx.stats()).jwtBearerAssertions).toEqual(["untrusted-k8s-token"]);
  });

  test("a missing file is one line naming it", async () => {
    const fx = await fixture(["--trusted-assertion", "x"]);
    configure(fx.url, `oauth_assertion_file = "${tokenFile()}"\n`);
    const run = await tether(["mcp", "tools", "fx"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`oauth_assertion_file ${tokenFile()} does not exist`);
  });
});

describe("from an env var", () => {
  test("the token in the named variable is the grant; the client secret, when set, authenticates the client", async () => {
    const fx = await fixture(["--static-client", "wif-secret-client:s3cret-value", "--trusted-assertion", "env-token"]);
    writeConfig(
      each.home.tetherHome,
      `[mcp_servers.fx]\nurl = "${fx.url}"\noauth_grant = "jwt_bearer"\noauth_client_id = "wif-secret-client"\noauth_client_secret_env_var = "WIF_SECRET"\noauth_assertion_env_var = "WIF_TOKEN"\n`,
    );
    const run = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=env"], { WIF_TOKEN: "env-token", WIF_SECRET: "s3cret-value" }));
    expect(run.stdout).toBe("env\n");
    const stats = await fx.stats();
    expect(stats.jwtBearerAssertions).toEqual(["env-token"]);
    // client_secret_basic: the secret is in the Authorization header, not the body.
    expect(stats.lastTokenRequest.client_secret).toBeUndefined();
    expect(run.stdout + run.stderr).not.toContain("env-token");
  });
});

describe("GitHub Actions OIDC", () => {
  const actionsEnv = (fx: FixtureHandle) => ({
    ACTIONS_ID_TOKEN_REQUEST_URL: `${fx.origin}/_test/github-oidc?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "gh-request-token",
  });

  test("the job's token is requested for the authorization server's issuer and presented", async () => {
    const fx = await fixture(["--github-oidc"]);
    configure(fx.url, `oauth_assertion_platform = "github-actions"\n`);
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=ci"], actionsEnv(fx))).stdout).toBe("ci\n");
    const stats = await fx.stats();
    expect(stats.githubOidcRequests).toEqual([{ audience: fx.origin, authorization: "bearer gh-request-token" }]);
    expect(stats.jwtBearerAssertions).toHaveLength(1);
    expect(stats.jwtBearerAssertions[0]).toStartWith("gh-oidc_");
  });

  test("a refusal (here: oauth_assertion_audience the server does not accept) is one line; no retry, no other grant", async () => {
    const fx = await fixture(["--github-oidc"]);
    configure(fx.url, `oauth_assertion_platform = "github-actions"\noauth_assertion_audience = "api://somewhere-else"\n`);
    const run = await tether(["mcp", "tools", "fx"], actionsEnv(fx));
    expect(run.code).toBe(1);
    expect(run.stderr).toStartWith(
      `error: server "fx": the authorization server refused the workload identity token (invalid_grant: assertion audience is api://somewhere-else, not ${fx.origin})\n`,
    );
    expect(run.stderr.split("\n").filter((line) => line.startsWith("error:"))).toHaveLength(1);
    const stats = await fx.stats();
    expect(stats.githubOidcRequests.map((r: { audience: string }) => r.audience)).toEqual(["api://somewhere-else"]);
    expect(stats.grantTypes).toEqual([JWT_BEARER]);
    expect(run.stderr).not.toContain("gh-oidc_");
  });

  test("outside a job (no ACTIONS_ID_TOKEN_REQUEST_*): says what is missing", async () => {
    const fx = await fixture(["--github-oidc"]);
    configure(fx.url, `oauth_assertion_platform = "github-actions"\n`);
    const run = await tether(["mcp", "tools", "fx"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set");
    expect(run.stderr).toContain("id-token: write");
  });
});

describe("config", () => {
  const cases: [string, string][] = [
    ["", `oauth_grant = "jwt_bearer" needs the platform's token: set one of oauth_assertion_file, oauth_assertion_env_var, oauth_assertion_platform`],
    [`oauth_assertion_file = "/t"\noauth_assertion_env_var = "T"\n`, "set one of oauth_assertion_file, oauth_assertion_env_var, not 2"],
    [`oauth_assertion_env_var = "T"\noauth_assertion_audience = "a"\n`, "'oauth_assertion_audience' is only used with oauth_assertion_platform"],
    [`oauth_assertion_platform = "gitlab"\n`, "oauth_assertion_platform"],
  ];
  for (const [keys, message] of cases) {
    test(`names the problem with file and line: ${message.slice(0, 60)}`, async () => {
      configure("https://example.com/mcp", keys);
      const run = await tether(["mcp", "list"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/config\.toml:\d+/);
      expect(run.stderr).toContain(message);
    });
  }

  test("jwt_bearer needs a client id; assertion keys need jwt_bearer", async () => {
    writeConfig(each.home.tetherHome, `[mcp_servers.fx]\nurl = "https://example.com/mcp"\noauth_grant = "jwt_bearer"\noauth_assertion_env_var = "T"\n`);
    expect((await tether(["mcp", "list"])).stderr).toContain(`oauth_grant = "jwt_bearer" needs 'oauth_client_id'`);
    writeConfig(each.home.tetherHome, `[mcp_servers.fx]\nurl = "https://example.com/mcp"\noauth_assertion_file = "/t"\n`);
    expect((await tether(["mcp", "list"])).stderr).toContain(`'oauth_assertion_file' is only used with oauth_grant = "jwt_bearer"`);
  });
});
