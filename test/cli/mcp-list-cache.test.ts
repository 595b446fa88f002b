// Cached tool lists (SEP-2549, issue 22): `mcp call` with a fresh cached list sends no tools/list,
// `mcp tools` refreshes it, a stale list is listed again and the call made once more.
import { describe, expect, test } from "bun:test";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { startHttpFixture } from "../support/fixture.ts";

const each = homePerTest();
const tether = (args: string[], now?: () => number) => runTether(args, { home: each.home.home, now });
const listed = async (fixture: { stats(): Promise<any> }) => ((await fixture.stats()).methods["tools/list"] ?? 0) as number;

describe("mcp call with a cached tool list", () => {
  test("2026-07-28 server with ttlMs: the second call lists nothing; mcp tools lists again", async () => {
    const fixture = await startHttpFixture(["--era", "modern", "--ttl-ms", "300000"]);
    each.fixtures.push(fixture);
    writeConfig(each.home.configPath, { servers: { web: { url: fixture.url } } });
    expect(expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=one"])).stdout).toBe("one\n");
    expect(await listed(fixture)).toBe(1);
    expect(expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=two"])).stdout).toBe("two\n");
    expect(await listed(fixture)).toBe(1);
    expectOk(await tether(["mcp", "tools", "web"]));
    expect(await listed(fixture)).toBe(2);
    expectOk(await tether(["mcp", "call", "web", "echo", "--arg", "text=three"]));
    expect(await listed(fixture)).toBe(2);
  });
});
