// The daemon's real lifecycle through the compiled binary: commands racing to start it start one,
// it outlives the command that started it, and stop ends it. Every daemon is stopped by pid after
// its test.
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureHostBinary } from "../support/binary.ts";
import { expectOk, isProcessAlive, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { seenPids, stopDaemonsUnder } from "../support/daemons.ts";
import { eventually } from "../support/wait.ts";

let binary: string;
let home: ReturnType<typeof makeHome>;
beforeAll(async () => {
  binary = await ensureHostBinary();
}, 300_000);
beforeEach(() => {
  home = makeHome();
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--counter"], { keep_alive: true }) } });
});
afterEach(async () => {
  await stopDaemonsUnder(home.tetherHome);
  home.cleanup();
});

const tether = (args: string[]) => runTether(args, { home: home.home, binary });

describe("compiled binary", () => {
  test("two starts at once start one daemon; the other finds it", async () => {
    const results = await Promise.all([tether(["mcp", "daemon", "start", "--json"]), tether(["mcp", "daemon", "start", "--json"])]);
    const starts = results.map((r) => JSON.parse(expectOk(r).stdout) as { started: boolean; pid: number });
    for (const s of starts) seenPids.add(s.pid);
    expect(starts.map((s) => s.started).sort()).toEqual([false, true]);
    expect(starts[0]!.pid).toBe(starts[1]!.pid);
    const meta = JSON.parse(readFileSync(join(home.tetherHome, "daemon", readdirJson(home.tetherHome)), "utf8")) as { pid: number };
    expect(meta.pid).toBe(starts[0]!.pid);
  });

  test("two first calls at once share one daemon and one server; the daemon outlives them; stop ends it", async () => {
    const results = await Promise.all([tether(["mcp", "call", "fx", "count"]), tether(["mcp", "call", "fx", "count"])]);
    const counts = results.map((r) => /^count (\d+) pid (\d+)\n$/.exec(expectOk(r).stdout)!);
    for (const c of counts) seenPids.add(Number(c[2]));
    expect(counts.map((c) => Number(c[1])).sort()).toEqual([1, 2]);
    expect(counts[0]![2]).toBe(counts[1]![2]!);
    const status = JSON.parse(expectOk(await tether(["mcp", "daemon", "status", "--json"])).stdout) as { pid: number; servers: { calls: number }[] };
    seenPids.add(status.pid);
    // Both commands have exited; the daemon runs on.
    expect(isProcessAlive(status.pid)).toBe(true);
    expect(status.servers[0]!.calls).toBe(2);
    expect(expectOk(await tether(["mcp", "daemon", "stop"])).stdout).toBe(`stopped keep-alive daemon ${status.pid}\n`);
    expect(isProcessAlive(status.pid)).toBe(false);
    const server = Number(counts[0]![2]);
    await eventually(() => !isProcessAlive(server));
    expect(isProcessAlive(server)).toBe(false);
  });
  test("a bad [otel] trace_exporter: the command says so (exit 2) and the daemon still answers", async () => {
    appendFileSync(home.configPath, '\n[otel]\ntrace_exporter = { otlp-grpc = { endpoint = "localhost:4317" } }\n');
    const call = await tether(["mcp", "call", "fx", "count"]);
    expect(call.code).toBe(2);
    expect(call.stderr).toContain('[otel] trace_exporter otlp-grpc: endpoint must be an http(s) URL, got "localhost:4317"');
    // The daemon handles every request (status, open) with traces off rather than leaving it unanswered.
    const start = await tether(["mcp", "daemon", "start", "--json"]);
    const { pid } = JSON.parse(expectOk(start).stdout) as { pid: number };
    seenPids.add(pid);
    expect(expectOk(await tether(["mcp", "daemon", "status"])).stdout).toStartWith(`keep-alive daemon ${pid}\n`);
  });
});

function readdirJson(tetherHome: string): string {
  const files = new Bun.Glob("*.json").scanSync(join(tetherHome, "daemon"));
  const [first] = [...files];
  if (!first) throw new Error("no daemon metadata");
  return first;
}
