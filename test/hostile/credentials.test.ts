// One authorization server cannot poison every stored login (issue 10, item 2): a bad `expires_in`
// is treated as unknown, and a malformed entry of the credential file is skipped on its own.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { loginHeadless, readCredentialFile, writeConfig } from "../cli/oauth-driver.ts";

const each = homePerTest();
const fixtures = each.fixtures;

async function oauthFixture(args: string[] = []): Promise<FixtureHandle> {
  const handle = await startHttpFixture(["--oauth", ...args]);
  fixtures.push(handle);
  return handle;
}

function configure(servers: Record<string, string>): void {
  const tables = Object.entries(servers).map(([name, url]) => `[mcp_servers.${name}]\nurl = "${url}"\n`);
  writeConfig(each.home.tetherHome, `mcp_oauth_credentials_store = "file"\n\n${tables.join("\n")}`);
}

const tether = (args: string[]) => runTether(args, { home: each.home.home });
const login = async (name: string) => expectOk(await loginHeadless(name, { home: each.home.home, via: "callback" }));

test('"expires_in": 1e308 from one server leaves the other logins readable: tools, list and logout work', async () => {
  const good = await oauthFixture();
  const bad = await oauthFixture(["--expires-in", "1e308"]);
  configure({ good: good.url, bad: bad.url });
  await login("good");
  await login("bad");

  const text = readFileSync(join(each.home.tetherHome, ".credentials.json"), "utf8");
  expect(text).not.toContain("null");
  expect(expectOk(await tether(["mcp", "call", "good", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
  expect(expectOk(await tether(["mcp", "call", "bad", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
  expect(expectOk(await tether(["mcp", "list"])).stdout).toBe(
    `good\thttp\t${good.url}\tyes\toauth: logged in\nbad\thttp\t${bad.url}\tyes\toauth: logged in\n`,
  );
  expect(expectOk(await tether(["mcp", "logout", "good"])).stdout).toContain('Logged out of "good"');
  expect(Object.values(readCredentialFile(each.home.tetherHome)).map((entry) => entry.serverName)).toEqual(["bad"]);
});

for (const expiresIn of ["0", "-5"]) {
  test(`"expires_in": ${expiresIn} is an unknown expiry: the fresh login works and no command refreshes`, async () => {
    const fx = await oauthFixture([`--expires-in=${expiresIn}`]);
    configure({ fx: fx.url });
    await login("fx");
    expect(Object.values(readCredentialFile(each.home.tetherHome))[0]!.expiresAt).toBeUndefined();
    expectOk(await tether(["mcp", "tools", "fx"]));
    expectOk(await tether(["mcp", "tools", "fx"]));
    expect((await fx.stats()).refreshes).toBe(0);
    expect(expectOk(await tether(["mcp", "list"])).stdout).toBe(`fx\thttp\t${fx.url}\tyes\toauth: logged in\n`);
  });
}

test("a malformed entry is skipped with a warning naming its server; other servers keep working", async () => {
  const good = await oauthFixture();
  const other = await oauthFixture();
  configure({ good: good.url, other: other.url });
  await login("good");
  await login("other");
  const file = join(each.home.tetherHome, ".credentials.json");
  const entries = JSON.parse(readFileSync(file, "utf8"));
  const otherKey = Object.keys(entries).find((key) => key.startsWith("other|"))!;
  entries[otherKey] = { serverName: "other", tokens: "not an object" };
  writeFileSync(file, JSON.stringify(entries));

  expect(expectOk(await tether(["mcp", "call", "good", "echo", "--arg", "text=hi"])).stdout).toBe("hi\n");
  const broken = await tether(["mcp", "tools", "other"]);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toContain(`warning: the stored login of server "other" in ${file} is malformed and was skipped; run: tether mcp login other\n`);
  expectOk(await login("other"));
  expectOk(await tether(["mcp", "tools", "other"]));
});
