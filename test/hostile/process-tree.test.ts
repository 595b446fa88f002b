// A stdio server's helpers die with it (issue 10, MCP part): helpers that ignore stdin EOF, and
// helpers orphaned by a double fork, are gone after every command, Ctrl-C included.
import { beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { baseEnv, expectOk, homePerTest, isProcessAlive, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { helperPids } from "../support/fixture-hostile.ts";
import { eventually, waitUntil } from "../support/wait.ts";

const each = homePerTest();
const tether = (args: string[]) => runTether(args, { home: each.home.home });
/** The fixture appends one pid per server process it starts (the era probe starts a second one). */
const pidFile = () => join(each.home.home, "helpers.pid");
const helpers = () => helperPids(pidFile());
beforeEach(() => {
  // Never leave a helper behind, even when a test fails: stopped before the home (and its pid file) goes.
  each.fixtures.push({
    stop: async () => {
      for (const pid of helpers()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    },
  });
});

async function expectAllGone(pids: number[]): Promise<void> {
  expect(pids.length).toBeGreaterThan(0);
  // SIGKILL is delivered at once, but the kernel may take a moment to tear a process down.
  await eventually(() => !pids.some(isProcessAlive));
  expect(pids.filter(isProcessAlive)).toEqual([]);
}

test("a helper that ignores stdin EOF is gone after mcp tools", async () => {
  writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--fork-helper", pidFile()]) } });
  expectOk(await tether(["mcp", "tools", "fx"]));
  await expectAllGone(helpers());
});

test("a double-forked helper (its parent gone) is gone after mcp call", async () => {
  writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--double-fork", pidFile()]) } });
  expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi"]));
  await expectAllGone(helpers());
});

test("Ctrl-C during a call ends the server's helpers too", async () => {
  writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--fork-helper", pidFile()]) } });
  // A remembered era skips the probe, so the one helper we wait for is the session's.
  expectOk(await tether(["mcp", "tools", "fx"]));
  await expectAllGone(helpers());
  const before = helpers().length;
  const child = Bun.spawn([await ensureHostBinary(), "mcp", "call", "fx", "slow", "--arg", "ms=600000"], {
    cwd: each.home.home,
    env: baseEnv(each.home.home),
    stdout: "ignore",
    stderr: "pipe",
  });
  await waitUntil(() => helpers().length > before, "the fixture's helper to start");
  await Bun.sleep(300);
  child.kill("SIGINT");
  expect(await child.exited).toBe(130);
  await expectAllGone(helpers().slice(before));
});
