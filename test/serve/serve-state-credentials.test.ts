// Replicas of `tether mcp serve --http --state` in front of an OAuth upstream that rotates refresh
// tokens (each one single-use): a token one replica refreshed is the one the other uses next, through
// the shared state, though each replica started from its own copy of the operator's login.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { loginHeadless, writeConfig } from "../cli/oauth-driver.ts";
import { makeHome } from "../support/cli.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { hasRedisServer, type PrivateRedis, startRedis } from "../support/redis.ts";
import { connectHttp, type HttpServe, startHttpServe } from "./harness.ts";

if (!hasRedisServer) console.warn("serve-state-credentials.test.ts: redis-server is not installed; skipped");

const KEY = "c0".repeat(32); // 32 bytes, hex
let redis: PrivateRedis | undefined;
let secured: FixtureHandle | undefined;
const homes: ReturnType<typeof makeHome>[] = [];
const replicas: HttpServe[] = [];

beforeAll(async () => {
  if (!hasRedisServer) return;
  [redis, secured] = await Promise.all([startRedis(), startHttpFixture(["--oauth", "--tools", "add"])]);
}, 90_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await Promise.all([secured?.stop(), redis?.close()]);
  for (const home of homes) home.cleanup();
});

const add = async (url: string) => {
  const client = await connectHttp(url, "modern");
  try {
    return ((await client.callTool({ name: "secured__add", arguments: { a: 40, b: 2 } })) as CallToolResult).content;
  } finally {
    await client.close();
  }
};

describe.if(hasRedisServer)("upstream OAuth credentials shared by replicas", () => {
  test("a refresh token rotated by replica A is what replica B uses: no refresh fails, each replica's own file is left as it was", async () => {
    const first = makeHome();
    const second = makeHome();
    homes.push(first, second);
    writeConfig(first.tetherHome, stringify({ mcp_oauth_credentials_store: "file", mcp_servers: { secured: { url: secured!.url } } }));
    const login = await loginHeadless("secured", { home: first.home, via: "callback" });
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    // The second machine: the same config and a copy of the same login, as a mounted file would be.
    cpSync(first.tetherHome, second.tetherHome, { recursive: true });
    const fileOf = (home: { tetherHome: string }) => readFileSync(join(home.tetherHome, ".credentials.json"), "utf8");
    const copied = fileOf(second);

    const args = ["--state", redis!.url, "--state-key-env-var", "STATE_KEY"];
    const [a, b] = await Promise.all([startHttpServe(first.home, args, { STATE_KEY: KEY }), startHttpServe(second.home, args, { STATE_KEY: KEY })]);
    replicas.push(a, b);
    const answer = [{ type: "text" as const, text: "42" }];
    expect(await add(a.url)).toEqual(answer);
    expect(await add(b.url)).toEqual(answer);

    // Every access token expires: A refreshes (spending the refresh token both copies hold) ...
    await secured!.expireAllTokens();
    expect(await add(a.url)).toEqual(answer);
    // ... and B, whose own copy holds the spent one, takes the rotated one from the shared state.
    expect(await add(b.url)).toEqual(answer);
    await secured!.expireAllTokens();
    expect(await add(b.url)).toEqual(answer);
    expect(await add(a.url)).toEqual(answer);

    const stats = await secured!.stats();
    expect(stats.oauth?.refreshFailures ?? stats.refreshFailures).toBe(0);
    expect(stats.oauth?.refreshes ?? stats.refreshes).toBeGreaterThanOrEqual(2);
    expect(fileOf(second)).toBe(copied);
    for (const r of [a, b]) expect(r.stderr()).not.toContain(KEY);
  }, 120_000);
});
