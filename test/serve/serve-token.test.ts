// `tether mcp serve --http` requires a token by default, loopback included: it makes one in
// $TETHER_HOME/serve/token, reuses it across restarts and prints how a client uses it (never the
// value); a tether client without it is told exactly that, not to log in.
import { expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { makeHome, runTether } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { connectHttp, servePerTest } from "./harness.ts";

const serve = servePerTest();

test("no --token-env-var: serve makes a 0600 token, prints the lines that use it, and reuses it after a restart", async () => {
  writeConfig(serve.home.configPath, { servers: {} });
  const first = await serve.http([], {}, { defaultToken: true });
  const file = path.join(serve.home.tetherHome, "serve", "token");
  const token = readFileSync(file, "utf8").trim();
  expect(token.length).toBeGreaterThanOrEqual(43);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  expect(first.stderr()).toContain(`clients must send the bearer token in ${file}:\n`);
  expect(first.stderr()).toContain(`  export TETHER_SERVE_TOKEN=$(cat ${file})\n`);
  expect(first.stderr()).toContain(`  tether mcp add NAME --url ${first.url} --bearer-token-env-var TETHER_SERVE_TOKEN\n`);
  expect(first.stderr()).not.toContain(token);

  const refused = await fetch(first.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(refused.status).toBe(401);
  expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="tether"');
  await first.stop();

  const second = await serve.http([], {}, { defaultToken: true });
  expect(readFileSync(file, "utf8").trim()).toBe(token);
  const connected = await connectHttp(second.url, "legacy", { authorization: `Bearer ${token}` });
  await connected.ping();
  await connected.close();
}, 60_000);

test("a tether client without serve's token is told to pass it with --bearer-token-env-var, not to log in", async () => {
  writeConfig(serve.home.configPath, { servers: {} });
  const served = await serve.http([], {}, { defaultToken: true });
  const token = readFileSync(path.join(serve.home.tetherHome, "serve", "token"), "utf8").trim();
  const client = makeHome();
  try {
    await clientStory(served.url, client.home, token);
  } finally {
    client.cleanup();
  }
}, 60_000);

async function clientStory(url: string, home: string, token: string) {
  const added = await runTether(["mcp", "add", "hub", "--url", url], { home: home, process: true });
  expect(added.code).toBe(0);
  expect(added.stderr).not.toContain("mcp login");
  const without = await runTether(["mcp", "tools", "hub"], { home: home, process: true });
  expect(without.code).toBe(1);
  expect(without.stderr).toContain('error: server "hub" is a tether mcp serve that requires its bearer token (HTTP 401)');
  expect(without.stderr).toContain(`tether mcp add hub --url ${url} --bearer-token-env-var TETHER_SERVE_TOKEN`);
  expect(without.stderr).not.toContain("mcp login");

  await runTether(["mcp", "remove", "hub"], { home: home, process: true });
  await runTether(["mcp", "add", "hub", "--url", url, "--bearer-token-env-var", "TETHER_SERVE_TOKEN"], { home: home, process: true });
  const withToken = await runTether(["mcp", "tools", "hub"], { home: home, process: true, env: { TETHER_SERVE_TOKEN: token } });
  expect(withToken.code).toBe(0);
}
