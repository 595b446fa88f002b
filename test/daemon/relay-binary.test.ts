// A warm `tether mcp call` handed whole to the keep-alive daemon (cli/daemon-relay.ts, daemon-run.ts),
// through the compiled binary: what the caller prints, its exit code and its stdin are those of a
// run without the daemon; config and environment changes still restart the server; a command the
// daemon should not run is run by the caller; questions are asked on the caller's terminal. Every
// daemon is stopped by pid after its test.
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runInTerminal } from "../agent/exec-harness.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { baseEnv, expectOk, makeHome, type RunResult, runTether } from "../support/cli.ts";
import { type ServerEntry, stdioFixture, writeConfig } from "../support/config.ts";
import { seenPids, stopDaemonsUnder } from "../support/daemons.ts";
import { type MockResponses, sseStep, startMockResponses } from "../support/mock-responses.ts";
import { startHttpFixture } from "../support/fixture.ts";
import { screenText } from "../support/shell-pty.ts";
import { sse, textTurn } from "../support/sse.ts";

let binary: string;
let home: ReturnType<typeof makeHome>;
beforeAll(async () => {
  binary = await ensureHostBinary();
}, 300_000);
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await stopDaemonsUnder(home.tetherHome);
  home.cleanup();
});

const kept = (extra: ServerEntry = {}) => stdioFixture(["--counter"], { keep_alive: true, ...extra });
const tether = (args: string[], options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}) =>
  runTether(args, { home: home.home, binary, ...options });

/** Starts the daemon with debug lines in its log, so a test can tell which calls it ran itself. */
async function startDaemon(): Promise<number> {
  const started = JSON.parse(expectOk(await tether(["mcp", "daemon", "start", "--json"], { env: { TETHER_DEBUG: "1" } })).stdout) as { pid: number };
  seenPids.add(started.pid);
  return started.pid;
}

async function relayedCalls(): Promise<number> {
  const log = expectOk(await tether(["mcp", "daemon", "logs"])).stdout;
  return log.split("\n").filter((line) => line.includes('running "tether mcp call" for a caller')).length;
}

const counted = (result: RunResult) => {
  const match = /^count (\d+) pid (\d+)\n$/.exec(expectOk(result).stdout);
  if (!match) throw new Error(`not a count: ${result.stdout}`);
  seenPids.add(Number(match[2]));
  return { count: Number(match[1]), pid: Number(match[2]) };
};

describe("a warm call through the daemon", () => {
  test("runs in the daemon: state lasts, output and exit codes are those of a run without it", async () => {
    writeConfig(home.configPath, { servers: { fx: kept() } });
    await startDaemon();
    const first = counted(await tether(["mcp", "call", "fx", "count"]));
    const second = counted(await tether(["mcp", "call", "fx", "count"]));
    expect(second).toEqual({ count: first.count + 1, pid: first.pid });
    expect(await relayedCalls()).toBe(2);

    // Each of these, relayed and without the daemon (--no-keep-alive), prints the same and exits the same.
    for (const args of [
      ["mcp", "call", "fx", "echo", "--arg", "text=hi", "--json"],
      ["mcp", "call", "fx", "fail", "--arg", "message=no luck"],
      ["mcp", "call", "fx", "nope"],
      ["mcp", "call", "fx", "add", "--arg", "a=x", "--arg", "b=2"],
    ]) {
      const relayed = await tether(args);
      const cold = await tether([...args, "--no-keep-alive"]);
      expect({ args, ...relayed }).toEqual({ args, ...cold });
    }
    expect((await tether(["mcp", "call", "fx", "fail"])).code).toBe(1);
    expect((await tether(["mcp", "call", "fx", "nope"])).code).toBe(2);
    // The four relayed runs above, and the two after them; the --no-keep-alive ones were the callers' own.
    expect(await relayedCalls()).toBe(8);
  }, 120_000);

  test("stdin reaches the command (--arg k=@-); files are read and written in the caller's directory", async () => {
    writeConfig(home.configPath, { servers: { fx: kept() } });
    await startDaemon();
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=@-"], { stdin: "from stdin" })).stdout).toBe("from stdin\n");
    writeFileSync(join(home.home, "note.txt"), "from a file");
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=@note.txt"], { cwd: home.home })).stdout).toBe("from a file\n");
    expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=kept", "--out", "result.json"], { cwd: home.home })).stdout).toBe("");
    expect(JSON.parse(readFileSync(join(home.home, "result.json"), "utf8"))).toEqual({ content: [{ type: "text", text: "kept" }] });
    expect(await relayedCalls()).toBe(3);
  }, 60_000);

  test("a config change or an environment change restarts the server", async () => {
    writeConfig(home.configPath, { servers: { fx: kept({ env: { FIXTURE_TOKEN: "${TOKEN}" } }) } });
    await startDaemon();
    const first = counted(await tether(["mcp", "call", "fx", "count"], { env: { TOKEN: "a" } }));
    const sameEnv = await tether(["mcp", "call", "fx", "count"], { env: { TOKEN: "a" } });
    expect(counted(sameEnv).pid).toBe(first.pid);
    const otherEnv = await tether(["mcp", "call", "fx", "count"], { env: { TOKEN: "b" } });
    const afterEnv = counted(otherEnv);
    expect(afterEnv).toEqual({ count: 1, pid: afterEnv.pid });
    expect(afterEnv.pid).not.toBe(first.pid);
    expect(otherEnv.stderr).toContain('server "fx" changed (config or environment); the keep-alive daemon restarted it');

    writeConfig(home.configPath, { servers: { fx: kept({ env: { FIXTURE_TOKEN: "${TOKEN}", OTHER: "1" } }) } });
    const otherConfig = await tether(["mcp", "call", "fx", "count"], { env: { TOKEN: "b" } });
    expect(counted(otherConfig).pid).not.toBe(afterEnv.pid);
    expect(otherConfig.stderr).toContain('server "fx" changed (config or environment); the keep-alive daemon restarted it');
    expect(await relayedCalls()).toBe(4);
  }, 120_000);

  test("an HTTP server: its headers from the caller's environment; a changed value restarts it", async () => {
    const web = await startHttpFixture(["--counter", "--require-header", "X-Key: k1"]);
    try {
      writeConfig(home.configPath, { servers: { web: { url: web.url, keep_alive: true, env_http_headers: { "X-Key": "WEB_KEY" }, http_headers: { "X-Region": "${REGION}" } } } });
      await startDaemon();
      const env = (region: string) => ({ env: { WEB_KEY: "k1", REGION: region } });
      const count = (result: RunResult) => Number(/^count (\d+) /.exec(expectOk(result).stdout)?.[1]);
      expect(count(await tether(["mcp", "call", "web", "count"], env("eu")))).toBe(1);
      expect(count(await tether(["mcp", "call", "web", "count"], env("eu")))).toBe(2);
      const changed = await tether(["mcp", "call", "web", "count"], env("us"));
      expect(count(changed)).toBe(3);
      expect(changed.stderr).toBe('server "web" changed (config or environment); the keep-alive daemon restarted it\n');
      // Without the key in its environment, the caller's call fails as it would without the daemon.
      const keyless = await tether(["mcp", "call", "web", "count"], { env: { REGION: "us" } });
      expect(keyless.code).not.toBe(0);
      expect(keyless).toEqual(await tether(["mcp", "call", "web", "count", "--no-keep-alive"], { env: { REGION: "us" } }));
      expect(await relayedCalls()).toBe(4);
    } finally {
      await web.stop();
    }
  }, 60_000);

  test("a server that is not kept alive is run by the caller, even with the daemon up", async () => {
    writeConfig(home.configPath, { servers: { fx: kept(), cold: stdioFixture(["--counter"]) } });
    await startDaemon();
    const first = counted(await tether(["mcp", "call", "cold", "count"]));
    const second = counted(await tether(["mcp", "call", "cold", "count"]));
    // A new server each time: the caller's own.
    expect([first.count, second.count]).toEqual([1, 1]);
    expect(second.pid).not.toBe(first.pid);
    // An unknown server's error is the caller's own too.
    const unknown = await tether(["mcp", "call", "nosuch", "count"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no server named "nosuch"');
    expect(await relayedCalls()).toBe(0);
  }, 60_000);

  test("a relative --config finds the daemon; one with `..` in it is run by the caller, on the same server", async () => {
    writeConfig(home.configPath, { servers: { fx: kept() } });
    await startDaemon();
    const first = counted(await tether(["mcp", "call", "fx", "count", "--config", ".tether/config.toml"], { cwd: home.home }));
    expect(await relayedCalls()).toBe(1);
    const second = counted(await tether(["mcp", "call", "fx", "count", "--config", "../.tether/config.toml"], { cwd: home.tetherHome }));
    expect(second).toEqual({ count: first.count + 1, pid: first.pid });
    expect(await relayedCalls()).toBe(1);
  }, 60_000);

  test("Ctrl-C stops the call as it would without the daemon (exit 130), and the server stays up", async () => {
    writeConfig(home.configPath, { servers: { fx: kept() } });
    await startDaemon();
    const before = counted(await tether(["mcp", "call", "fx", "count"]));
    const child = Bun.spawn([binary, "mcp", "call", "fx", "slow", "--arg", "ms=20000"], {
      cwd: home.home,
      env: baseEnv(home.home),
      stdout: "pipe",
      stderr: "pipe",
    });
    // Once the daemon has taken the call on (its log says so), the caller is interrupted.
    for (let i = 0; i < 200 && (await relayedCalls()) < 2; i++) await Bun.sleep(50);
    child.kill("SIGINT");
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(code).toBe(130);
    expect(stderr).toContain("error: interrupted");
    const after = counted(await tether(["mcp", "call", "fx", "count"]));
    expect(after).toEqual({ count: before.count + 1, pid: before.pid });
  }, 60_000);
});

describe("questions through the daemon", () => {
  let mock: MockResponses;
  beforeEach(() => {
    mock = startMockResponses([sseStep(sse(textTurn("resp_1", ["four"])))]);
  });
  afterEach(async () => {
    await mock.stop();
  });

  test("a sampling request is asked on the caller's terminal, and the answer typed there is used", async () => {
    writeConfig(home.configPath, {
      top: { model: "gpt-test", model_provider: "mock", model_providers: { mock: { base_url: mock.url, env_key: "MOCK_KEY" } }, sampling: "ask" },
      servers: { fx: stdioFixture(["--features", "--era", "modern"], { keep_alive: true }) },
    });
    await startDaemon();
    const result = await runInTerminal(
      ["mcp", "call", "fx", "sample", "--arg", "prompt=What is 2+2?"],
      [{ expect: "send it to the model? yes / No: ", send: "y\r" }],
      // The model's key is in the caller's environment only.
      baseEnv(home.home, { MOCK_KEY: "test-key" }),
      home.home,
    );
    const output = screenText(result.output.split("\n").map((line) => line.slice(line.lastIndexOf("\r") + 1)).join("\n"));
    expect(result.code).toBe(0);
    expect(output).toContain('server "fx" asks to use the model (sampling):\n');
    expect(output).toContain("sampled [gpt-test, endTurn]: four\n");
    expect(mock.requests).toHaveLength(1);
    expect(await relayedCalls()).toBe(1);
  }, 120_000);
});
