// Era probes (issue 21 item 7): a slow stdio server is neither declared legacy nor failed early, a
// legacy server that exits on `server/discover` is started again for `initialize`, and a server's
// `protocol` pins its era (no probe at all).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig, type ServerEntry } from "../support/config.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";

let home: ReturnType<typeof makeHome>;
const tether = (args: string[]) => runTether(args, { home: home.home });
const configure = (servers: Record<string, ServerEntry>) => writeConfig(home.configPath, { servers });
const startsFile = () => join(home.home, "starts.txt");
/** How many processes of the fixture tether started so far. */
const starts = () => (existsSync(startsFile()) ? readFileSync(startsFile(), "utf8").trim().split("\n").length : 0);
const erasFile = () => join(home.tetherHome, "protocol-eras.json");

beforeEach(() => {
  home = makeHome();
});
afterEach(() => home.cleanup());

describe("probing (protocol = auto, the default)", () => {
  test("a stdio server that takes 4.5 s to read stdin, under startup_timeout_sec = 6.5: probed as 2026-07-28, then started", async () => {
    // A dual server answers `initialize` too: a probe given up early would make it a 2025 server.
    // The probe's process and the server's own each take 4.5 s; each start has its 6.5 s (2 s to
    // spare for a loaded machine's process start). One budget for both would end at 6.5 s plus the
    // 2 s tether leaves a probe to settle (connect.ts PROBE_SETTLE_MS), before the 9 s they need.
    configure({ slow: stdioFixture(["--era", "dual", "--start-delay", "4500", "--starts-file", startsFile()], { startup_timeout_sec: 6.5 }) });
    const doctor = expectOk(await tether(["mcp", "doctor", "slow"]));
    expect(doctor.stdout).toContain("  protocol:  2026-07-28\n");
    expect(doctor.stdout).toContain("  tools:     8\n");
    expect(starts()).toBe(2);
  }, 60_000);

  test("a legacy stdio server that exits on server/discover is started again for initialize", async () => {
    configure({ strict: stdioFixture(["--exit-on-discover", "--starts-file", startsFile()]) });
    const tools = expectOk(await tether(["mcp", "tools", "strict"]));
    expect(tools.stdout).toContain("echo\t");
    // One process took the probe and exited; a fresh one answered initialize.
    expect(starts()).toBe(2);
    const verdicts = Object.values(JSON.parse(readFileSync(erasFile(), "utf8"))) as { era: string }[];
    expect(verdicts.map((v) => v.era)).toEqual(["legacy"]);
    // The verdict is remembered: the next run starts it once, with initialize.
    expect(expectOk(await tether(["mcp", "call", "strict", "echo", "--arg", "text=again"])).stdout).toBe("again\n");
    expect(starts()).toBe(3);
  });
});

describe("protocol pins the era", () => {
  test('"2025-11-25": initialize at once, one process, nothing probed or remembered', async () => {
    configure({ strict: stdioFixture(["--exit-on-discover", "--starts-file", startsFile()], { protocol: "2025-11-25" }) });
    const doctor = expectOk(await tether(["mcp", "doctor", "strict"]));
    expect(doctor.stdout).toContain('  protocol:  2025-11-25 (pinned: protocol = "2025-11-25")\n');
    expect(starts()).toBe(1);
    expect(existsSync(erasFile())).toBe(false);
  });

  test('"2026-07-28": server/discover on the server\'s own pipe, one process; the next run reuses what it offered', async () => {
    configure({ modern: stdioFixture(["--era", "modern", "--starts-file", startsFile()], { protocol: "2026-07-28" }) });
    const doctor = expectOk(await tether(["mcp", "doctor", "modern"]));
    expect(doctor.stdout).toContain('  protocol:  2026-07-28 (pinned: protocol = "2026-07-28")\n');
    expect(starts()).toBe(1);
    expect(expectOk(await tether(["mcp", "call", "modern", "echo", "--arg", "text=pinned"])).stdout).toBe("pinned\n");
    expect(starts()).toBe(2);
    const json = JSON.parse(expectOk(await tether(["mcp", "doctor", "modern", "--json"])).stdout).servers[0];
    expect(json).toMatchObject({ protocol: "2026-07-28", protocol_version: "2026-07-28" });
  });

  test("a server that does not speak the pinned era: one line naming the pin, and how to let tether probe", async () => {
    configure({ old: stdioFixture([], { protocol: "2026-07-28" }) });
    const run = await tether(["mcp", "tools", "old"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: server "old" does not speak protocol 2026-07-28, which config.toml pins for it');
    expect(run.stderr).toContain('hint: set protocol = "auto" for "old" in config.toml to let tether probe its era\n');

    configure({ new: stdioFixture(["--era", "modern"], { protocol: "2025-11-25" }) });
    const refused = await tether(["mcp", "tools", "new"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: server "new" does not speak protocol 2025-11-25, which config.toml pins for it');
    expect(refused.stderr).toContain('hint: set protocol = "auto" for "new" in config.toml');
  });

  describe("over HTTP", () => {
    const http: Record<string, FixtureHandle> = {};
    beforeAll(async () => {
      http.legacy = await startHttpFixture(["--era", "legacy"]);
      http.modern = await startHttpFixture(["--era", "modern"]);
    });
    afterAll(async () => {
      await Promise.all(Object.values(http).map((f) => f.stop()));
    });

    test("each pin reaches its server; the wrong one fails naming the pin", async () => {
      configure({
        old: { url: http.legacy!.url, protocol: "2025-11-25" },
        new: { url: http.modern!.url, protocol: "2026-07-28" },
        wrong: { url: http.legacy!.url, protocol: "2026-07-28" },
      });
      const status = JSON.parse((await tether(["mcp", "list", "--status", "--json"])).stdout);
      const seen = Object.fromEntries(status.servers.map((s: { name: string; status: { state: string; protocol_version?: string } }) => [s.name, `${s.status.state} ${s.status.protocol_version}`]));
      expect(seen.old).toBe("ok 2025-11-25");
      expect(seen.new).toBe("ok 2026-07-28");
      expect(seen.wrong).toStartWith("error");
      const wrong = await tether(["mcp", "tools", "wrong"]);
      expect(wrong.stderr).toContain('error: server "wrong" does not speak protocol 2026-07-28, which config.toml pins for it');
    });
  });
});

describe("the protocol key and --protocol", () => {
  test("mcp add --protocol writes it; mcp get shows it (text and --json)", async () => {
    expectOk(await tether(["mcp", "add", "docs", "--protocol", "2025-11-25", "--", "docs-server"]));
    expect(readFileSync(home.configPath, "utf8")).toContain('protocol = "2025-11-25"');
    expect(expectOk(await tether(["mcp", "get", "docs"])).stdout).toContain("  protocol:                   2025-11-25\n");
    expect(JSON.parse(expectOk(await tether(["mcp", "get", "docs", "--json"])).stdout).protocol).toBe("2025-11-25");
    // Unset means auto, and is not shown.
    expectOk(await tether(["mcp", "add", "web", "--url", "http://127.0.0.1:9/mcp"]));
    expect(JSON.parse(expectOk(await tether(["mcp", "get", "web", "--json"])).stdout).protocol).toBeUndefined();
    expectOk(await tether(["mcp", "add", "auto", "--protocol", "auto", "--", "x"]));
    expect(expectOk(await tether(["mcp", "get", "auto"])).stdout).toMatch(/ {2}protocol: +auto\n/);
  });

  test("a bad --protocol is a usage error (exit 2) naming the values; nothing is written", async () => {
    const run = await tether(["mcp", "add", "docs", "--protocol", "2025-06-18", "--", "docs-server"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --protocol must be 2025-11-25, 2026-07-28, auto (got "2025-06-18")\n');
    expect(existsSync(home.configPath)).toBe(false);
  });

  test("a bad protocol in config.toml is a config error (exit 2) with its line", async () => {
    configure({ docs: { command: "docs-server", protocol: "latest" } });
    const run = await tether(["mcp", "list"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("protocol");
    expect(run.stderr).toContain(`${home.configPath}:`);
  });
});
