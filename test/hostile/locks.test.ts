// Locks and temp files under crashes and contention (issue 10, items 4 and 10): a dead writer's
// lock is taken over at once, many writers at once all succeed, nothing is left behind.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { ensureHostBinary } from "../support/binary.ts";
import { baseEnv, expectOk, makeHome, runTether } from "../support/cli.ts";

let home: ReturnType<typeof makeHome>;
// Separate processes: the lock is between processes.
const tether = (args: string[]) => runTether(args, { home: home.home, process: true });
beforeEach(() => {
  home = makeHome();
  mkdirSync(home.tetherHome, { recursive: true, mode: 0o700 });
});
afterEach(() => home.cleanup());

/** A PID that belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const child = Bun.spawn(["true"]);
  await child.exited;
  return child.pid;
}

const serverNames = () => Object.keys((parse(readFileSync(home.configPath, "utf8")) as any).mcp_servers ?? {}).sort();

test("a lock whose writer is dead, or whose PID now belongs to another process, is taken over", async () => {
  const lock = `${home.configPath}.lock`;
  writeFileSync(lock, JSON.stringify({ pid: await deadPid() }));
  expectOk(await tether(["mcp", "add", "one", "--", "cmd"]));
  writeFileSync(lock, String(await deadPid())); // the bare PID an older tether wrote
  expectOk(await tether(["mcp", "add", "two", "--", "cmd"]));
  writeFileSync(lock, JSON.stringify({ pid: process.pid, start: "0" })); // a live PID, but not the process that took the lock
  expectOk(await tether(["mcp", "add", "three", "--", "cmd"]));
  expect(existsSync(lock)).toBe(false);
  expect(serverNames()).toEqual(["one", "three", "two"]);
});

test("100 concurrent writers (70 mcp add, 30 interleaved mcp remove) all succeed", async () => {
  const existing = Array.from({ length: 30 }, (_, i) => `[mcp_servers.old${i}]\ncommand = "cmd"\n`).join("\n");
  writeFileSync(home.configPath, existing);
  const runs = [];
  for (let i = 0; i < 70; i++) {
    runs.push(tether(["mcp", "add", `new${i}`, "--", "cmd", String(i)]));
    if (i % 7 < 3) runs.push(tether(["mcp", "remove", `old${Math.floor(i / 7) * 3 + (i % 7)}`]));
  }
  expect(runs).toHaveLength(100);
  const results = await Promise.all(runs);
  const failed = results.filter((r) => r.code !== 0);
  expect(failed.map((r) => r.stderr)).toEqual([]);
  expect(serverNames()).toEqual(Array.from({ length: 70 }, (_, i) => `new${i}`).sort());
}, 300_000);

test("after 20 writers killed with SIGKILL at random moments, every next write goes through", async () => {
  for (let i = 0; i < 20; i++) {
    const child = Bun.spawn([await ensureHostBinary(), "mcp", "add", `killed${i}`, "--", "cmd"], {
      cwd: home.home,
      env: baseEnv(home.home),
      stdout: "ignore",
      stderr: "ignore",
    });
    await Bun.sleep(Math.random() * 250);
    child.kill("SIGKILL");
    await child.exited;
    expectOk(await tether(["mcp", "add", `after${i}`, "--", "cmd"]));
  }
  const names = serverNames();
  for (let i = 0; i < 20; i++) expect(names).toContain(`after${i}`);
  expect(readdirSync(home.tetherHome).filter((name) => name.endsWith(".tmp") || name.endsWith(".lock"))).toEqual([]);
}, 300_000);

test("an existing TETHER_HOME with a loose mode is made 0700 by the next write", async () => {
  chmodSync(home.tetherHome, 0o755);
  expectOk(await tether(["mcp", "add", "one", "--", "cmd"]));
  expect(statSync(home.tetherHome).mode & 0o777).toBe(0o700);
});

test("temp files left by killed writers are removed by the next write; a live writer's are kept", async () => {
  const dead = await deadPid();
  const orphans = [`.validated-configs.${dead}.abc123.tmp`, `config.toml.${dead}.def456.tmp`, `config.toml.lock.${dead}.0a1b.tmp`];
  const live = `config.toml.${process.pid}.zz9.tmp`;
  for (const name of [...orphans, live]) writeFileSync(join(home.tetherHome, name), "partial");
  expectOk(await tether(["mcp", "add", "one", "--", "cmd"]));
  const left = readdirSync(home.tetherHome);
  for (const name of orphans) expect(left).not.toContain(name);
  expect(left).toContain(live);
});
