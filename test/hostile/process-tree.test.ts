// A stdio server's helpers die with it (issue 10, MCP part): helpers that ignore stdin EOF, and
// helpers orphaned by a double fork, are gone after every command, Ctrl-C included.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, expectOk, isProcessAlive, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { ensureHostBinary } from "../support/binary.ts";

let home: ReturnType<typeof makeHome>;
const tether = (args: string[]) => runTether(args, { home: home.home });
beforeEach(() => (home = makeHome()));
afterEach(() => {
  // Never leave a helper behind, even when a test fails.
  for (const pid of helperPids()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  home.cleanup();
});

const pidFile = () => join(home.home, "helpers.pid");
/** The fixture appends one pid per server process it starts (the era probe starts a second one). */
function helperPids(): number[] {
  if (!existsSync(pidFile())) return [];
  return readFileSync(pidFile(), "utf8").split("\n").filter(Boolean).map(Number);
}

/** Alive and not a zombie waiting for a reaper (which no longer runs anything). */
function isRunning(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

async function expectAllGone(pids: number[]): Promise<void> {
  expect(pids.length).toBeGreaterThan(0);
  // SIGKILL is delivered at once, but the kernel may take a moment to tear a process down.
  for (let i = 0; i < 50 && pids.some(isRunning); i++) await Bun.sleep(20);
  expect(pids.filter(isRunning)).toEqual([]);
}

test("a helper that ignores stdin EOF is gone after mcp tools", async () => {
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--fork-helper", pidFile()]) } });
  expectOk(await tether(["mcp", "tools", "fx"]));
  await expectAllGone(helperPids());
});

test("a double-forked helper (its parent gone) is gone after mcp call", async () => {
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--double-fork", pidFile()]) } });
  expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]));
  await expectAllGone(helperPids());
});

test("Ctrl-C during a call ends the server's helpers too", async () => {
  writeConfig(home.configPath, { servers: { fx: stdioFixture(["--fork-helper", pidFile()]) } });
  // A remembered era skips the probe, so the one helper we wait for is the session's.
  expectOk(await tether(["mcp", "tools", "fx"]));
  await expectAllGone(helperPids());
  const before = helperPids().length;
  const child = Bun.spawn([await ensureHostBinary(), "mcp", "call", "fx", "slow", "--arg", "ms=600000"], {
    cwd: home.home,
    env: baseEnv(home.home),
    stdout: "ignore",
    stderr: "pipe",
  });
  for (let i = 0; i < 400 && helperPids().length === before; i++) await Bun.sleep(25);
  await Bun.sleep(300);
  child.kill("SIGINT");
  expect(await child.exited).toBe(130);
  await expectAllGone(helperPids().slice(before));
});
