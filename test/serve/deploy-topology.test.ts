// compose.yaml's topology without containers: a private redis-server, the two replicas as compose
// runs them (their flags and environment names taken from the file; loopback ports, and the test's
// own config with the fixture upstream), and Debian's nginx running the repository's nginx.conf
// with its ports rewritten. Clients of both eras call a tool through nginx, round-robin.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { makeHome } from "../support/cli.ts";
import { composeReplicas, readDeployFile, serveArgvOf } from "../support/deploy.ts";
import { hasNginx, type PrivateNginx, startNginx } from "../support/nginx.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../support/redis.ts";
import { connectHttp, type Era, type HttpServe, startHttpServe } from "./harness.ts";

const missing = [hasNginx ? "" : "nginx", hasRedisServer ? "" : "redis-server"].filter(Boolean);
if (missing.length) console.warn(`skipped: the deploy topology test needs ${missing.join(" and ")} (.ci/run installs them)`);

const token = randomBytes(32).toString("hex");
const stateKey = randomBytes(32).toString("hex");
const home = makeHome();
let redis: PrivateRedis | undefined;
let nginx: PrivateNginx | undefined;
const replicas: HttpServe[] = [];

/** What compose's environment names, with this run's values. */
function replicaEnv(names: string[], replica: number): Record<string, string> {
  const values: Record<string, string> = {
    TETHER_SERVE_TOKEN: token,
    TETHER_STATE_KEY: stateKey,
    TETHER_STATE_URL: redis!.url,
    TETHER_HOME: join(home.home, `replica-${replica}`),
  };
  for (const name of names) if (!(name in values)) values[name] = "";
  return values;
}

/** compose's argv for a replica, on the harness's loopback bind and the test's config. */
function replicaArgv(command: string[]): string[] {
  const argv = serveArgvOf(command);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === "--http" || flag === "--config") i++; // the harness binds 127.0.0.1:0; the test's config
    if (flag === "--config") out.push(flag, home.configPath);
    else if (flag !== "--http") out.push(flag);
  }
  return out;
}

beforeAll(async () => {
  if (missing.length) return;
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--era", "dual", "--tools", "echo"]) } });
  redis = await startRedis();
  const upstreams: Record<string, string> = {};
  for (const [index, [name, service]] of composeReplicas().entries()) {
    const served = await startHttpServe(home.home, replicaArgv(service.command), replicaEnv(Object.keys(service.environment), index));
    replicas.push(served);
    const argv = serveArgvOf(service.command);
    const bound = argv[argv.indexOf("--http") + 1]!.split(":").at(-1);
    upstreams[`${name}:${bound}`] = new URL(served.url).host;
  }
  nginx = await startNginx(readDeployFile("nginx.conf"), upstreams);
}, 120_000);

afterAll(async () => {
  await nginx?.close();
  await Promise.all(replicas.map((r) => r.stop()));
  await redis?.close();
  home.cleanup();
});

async function callsThroughNginx(era: Era): Promise<void> {
  const before = nginx!.upstreamLog().length;
  const client = await connectHttp(`${nginx!.url}/mcp`, era, { authorization: `Bearer ${token}` });
  try {
    for (let i = 0; i < 6; i++) {
      const text = `${era} call ${i}`;
      expect(await client.callTool({ name: "fx__echo", arguments: { text } })).toMatchObject({ content: [{ type: "text", text }] });
    }
  } finally {
    await client.close();
  }
  // Round-robin: both replicas answered some of this client's requests.
  const served = new Set(nginx!.upstreamLog().slice(before).map((line) => line.split(" ")[0]));
  expect([...served].sort()).toEqual(replicas.map((r) => new URL(r.url).host).sort());
}

test.skipIf(missing.length > 0)("a 2026-07-28 client calls a tool through nginx, its requests spread over both replicas", async () => {
  await callsThroughNginx("modern");
}, 60_000);

test.skipIf(missing.length > 0)("a 2025 client's session crosses both replicas through nginx (state in Redis)", async () => {
  await callsThroughNginx("legacy");
}, 60_000);

test.skipIf(missing.length > 0)("/healthz and /readyz answer through nginx without a token", async () => {
  for (const path of ["/healthz", "/readyz", "/healthz", "/readyz"]) {
    const answer = await fetch(`${nginx!.url}${path}`);
    await answer.body?.cancel();
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
  }
});

test.skipIf(missing.length > 0)("a request without the token is refused through nginx as it is by serve", async () => {
  const answer = await fetch(`${nginx!.url}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  await answer.body?.cancel();
  expect(answer.status).toBe(401);
  expect(answer.headers.get("www-authenticate")).toContain("Bearer");
});

// Last: it leaves one replica down.
test.skipIf(missing.length > 0)("with one replica stopped, nginx sends every call to the other (a refused connection is retried there)", async () => {
  await replicas[1]!.stop();
  const client = await connectHttp(`${nginx!.url}/mcp`, "modern", { authorization: `Bearer ${token}` });
  try {
    for (let i = 0; i < 4; i++) {
      const text = `after the stop ${i}`;
      expect(await client.callTool({ name: "fx__echo", arguments: { text } })).toMatchObject({ content: [{ type: "text", text }] });
    }
  } finally {
    await client.close();
  }
}, 60_000);
