// Both protocol eras through the CLI: a 2025-only server, a strict 2026-07-28 server and a dual one,
// over stdio and streamable HTTP, with the same config; the verdict kept in protocol-eras.json.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig, type ServerEntry } from "../support/config.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { ensureHostBinary } from "../support/binary.ts";

const ERAS = ["legacy", "modern", "dual"] as const;
const REVISION = { legacy: "2025-11-25", modern: "2026-07-28", dual: "2026-07-28" } as const;

let home: ReturnType<typeof makeHome>;
const tether = (args: string[], env?: Record<string, string>) => runTether(args, { home: home.home, env });
const configure = (servers: Record<string, ServerEntry>) => writeConfig(home.configPath, { servers });
const http: Record<string, FixtureHandle> = {};

beforeAll(async () => {
  for (const era of ERAS) http[era] = await startHttpFixture(["--era", era]);
});
afterAll(async () => {
  await Promise.all(Object.values(http).map((f) => f.stop()));
});
beforeEach(() => {
  home = makeHome();
});
afterEach(() => home.cleanup());

function allServers(): Record<string, ServerEntry> {
  const servers: Record<string, ServerEntry> = {};
  for (const era of ERAS) {
    servers[`stdio-${era}`] = stdioFixture(["--era", era]);
    servers[`http-${era}`] = { url: http[era]!.url };
  }
  return servers;
}

describe("one config, every era", () => {
  test("call works on each server; list --status --json and doctor show the negotiated revision", async () => {
    configure(allServers());
    for (const name of Object.keys(allServers())) {
      expect(expectOk(await tether(["mcp", "call", name, "add", "--arg", "a=2", "--arg", "b=3"])).stdout).toBe("5\n");
    }
    const status = JSON.parse(expectOk(await tether(["mcp", "list", "--status", "--json"])).stdout);
    const revisions = Object.fromEntries(status.servers.map((s: { name: string; status: { protocol_version: string } }) => [s.name, s.status.protocol_version]));
    for (const era of ERAS) {
      expect(revisions[`stdio-${era}`]).toBe(REVISION[era]);
      expect(revisions[`http-${era}`]).toBe(REVISION[era]);
    }
    const doctor = await tether(["mcp", "doctor", "http-modern"]);
    expect(expectOk(doctor).stdout).toContain("  protocol:  2026-07-28\n");
  });

  test("the verdict is remembered per server and used on the next run", async () => {
    configure({ s: stdioFixture(["--era", "modern"]), h: { url: http.legacy!.url } });
    expectOk(await tether(["mcp", "list", "--status"]));
    const verdicts = JSON.parse(readFileSync(join(home.tetherHome, "protocol-eras.json"), "utf8"));
    const eras = Object.values(verdicts).map((v) => (v as { era: string }).era).sort();
    expect(eras).toEqual(["legacy", "modern"]);
    // Nothing secret or identifying is written: keys are digests, values the era and the server's advertisement.
    expect(JSON.stringify(verdicts)).not.toContain(http.legacy!.url);
    expect(expectOk(await tether(["mcp", "call", "s", "echo", "--arg", "text=again"])).stdout).toBe("again\n");
  });

  test("a remembered era that stopped working is probed again, and the new verdict kept", async () => {
    // The server's command line stays the same; only its era changes (FIXTURE_ERA in its env).
    const server = (era: string) => stdioFixture([], { env: { FIXTURE_ERA: era } });
    configure({ s: server("modern") });
    expect(expectOk(await tether(["mcp", "doctor", "s"])).stdout).toContain("protocol:  2026-07-28");
    configure({ s: server("legacy") });
    const doctor = expectOk(await tether(["mcp", "doctor", "s"]));
    expect(doctor.stdout).toContain("protocol:  2025-11-25");
    const verdicts = Object.values(JSON.parse(readFileSync(join(home.tetherHome, "protocol-eras.json"), "utf8")));
    expect(verdicts.map((v) => (v as { era: string }).era)).toEqual(["legacy"]);
  });
});

describe("tools that must run as tasks (2025-11-25)", () => {
  let tasks: FixtureHandle;
  beforeAll(async () => {
    tasks = await startHttpFixture(["--task-tool"]);
  });
  afterAll(() => tasks.stop());

  test("mcp call runs it as a task: status on stderr, the result on stdout; a failed task is an error", async () => {
    configure({ t: { url: tasks.url } });
    const done = expectOk(await tether(["mcp", "call", "t", "long_task", "--arg", "ms=300"]));
    expect(done.stdout).toBe("finished after 300ms\n");
    expect(done.stderr).toMatch(/^task \S+: working\ntask \S+: completed\n$/);
    const failed = await tether(["mcp", "call", "t", "long_task", "--arg", "ms=50", "--arg", "fail=true"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("the job failed\n");
    expect(failed.stderr).toContain("task ");
    expect(failed.stderr).toContain(": failed\n");
  });

  /** Starts `mcp call t long_task`, sends SIGINT once the task exists at the server; the exit code and the last task's status. */
  async function interruptTaskCall(extraArgs: string[]): Promise<[number | null, string | undefined]> {
    configure({ t: { url: tasks.url } });
    const child = Bun.spawn([await ensureHostBinary(), "mcp", "call", "t", "long_task", "--arg", "ms=60000", ...extraArgs], {
      env: { PATH: process.env.PATH!, HOME: home.home, TETHER_HOME: home.tetherHome, NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const before = ((await tasks.stats()).tasks as string[]).length;
    for (let i = 0; i < 200 && ((await tasks.stats()).tasks as string[]).length === before; i++) await Bun.sleep(20);
    child.kill("SIGINT");
    const code = await child.exited;
    return [code, ((await tasks.stats()).tasks as string[]).at(-1)];
  }

  test("Ctrl-C cancels the task at the server and exits 130", async () => {
    expect(await interruptTaskCall([])).toEqual([130, "cancelled"]);
  });

  test("Ctrl-C while the server is still answering the task's creation: the task is cancelled all the same", async () => {
    // The task exists at the server 400 ms before its id reaches tether.
    expect(await interruptTaskCall(["--arg", "answer_delay_ms=400"])).toEqual([130, "cancelled"]);
  });
});

describe("lists are complete", () => {
  test("every page of tools/list is read (nextCursor), over stdio and HTTP", async () => {
    const paged = await startHttpFixture(["--page-size", "7", "--many-tools", "30"]);
    try {
      configure({ s: stdioFixture(["--page-size", "7", "--many-tools", "30"]), h: { url: paged.url } });
      for (const name of ["s", "h"]) {
        const tools = JSON.parse(expectOk(await tether(["mcp", "tools", name, "--json"])).stdout).tools;
        expect(tools).toHaveLength(38);
        expect(tools.at(-1).name).toBe("tool_30");
      }
      expect(expectOk(await tether(["mcp", "call", "h", "tool_30"])).stdout).toBe("tool_30\n");
    } finally {
      await paged.stop();
    }
  });
});

test("a server listing more than 10,000 tools is an error naming it", async () => {
  configure({ huge: stdioFixture(["--page-size", "5000", "--many-tools", "10001"]) });
  const run = await tether(["mcp", "tools", "huge"]);
  expect(run.code).toBe(1);
  expect(run.stderr).toStartWith(`error: server "huge" lists 10009 tools, more than tether reads (10000)\n`);
});

test("the compiled binary reaches all six (2025-only, strict 2026-07-28, dual; stdio and HTTP) with one config", async () => {
  configure(allServers());
  const status = JSON.parse(expectOk(await runTether(["mcp", "list", "--status", "--json"], { home: home.home, process: true })).stdout);
  const seen = Object.fromEntries(status.servers.map((s: { name: string; status: { state: string; protocol_version: string } }) => [s.name, `${s.status.state} ${s.status.protocol_version}`]));
  expect(seen).toEqual({
    "stdio-legacy": "ok 2025-11-25",
    "http-legacy": "ok 2025-11-25",
    "stdio-modern": "ok 2026-07-28",
    "http-modern": "ok 2026-07-28",
    "stdio-dual": "ok 2026-07-28",
    "http-dual": "ok 2026-07-28",
  });
  const call = await runTether(["mcp", "call", "stdio-modern", "echo", "--arg", "text=compiled"], { home: home.home, process: true });
  expect(expectOk(call).stdout).toBe("compiled\n");
});
