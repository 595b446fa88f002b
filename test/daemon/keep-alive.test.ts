// Keep-alive through the commands, in process: the first `mcp call` of a keep_alive server starts
// the config's daemon (a real process: the compiled test executable, see Context.daemonCommand),
// later ones reuse the same server process.
// Every daemon started here is stopped after its test, by pid.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, isProcessAlive, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig, type ServerEntry } from "../support/config.ts";
import { seenPids, stopDaemonsUnder } from "../support/daemons.ts";
import { startHttpFixture } from "../support/fixture.ts";
import { daemonFiles } from "../../src/daemon/paths.ts";
import { fixtureServer, setupExec } from "../agent/exec-harness.ts";
import { sseStep } from "../support/mock-responses.ts";
import { completed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";
import { eventually } from "../support/wait.ts";

let home: ReturnType<typeof makeHome>;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await stopDaemonsUnder(home.tetherHome);
  home.cleanup();
});

const counter = (extra: ServerEntry = {}, args: string[] = []) => stdioFixture(["--counter", ...args], extra);
const tether = (args: string[], env: Record<string, string> = {}) => runTether(args, { home: home.home, env });
/**
 * A command facing a SIGSTOPped daemon: its waits for the status and for the process to end
 * shortened from the product's 2 s and 8 s, which would only make these tests wait longer.
 */
const HUNG_DAEMON_WAITS = { statusMs: 1_000, stopMs: 1_000 };
const tetherOnHung = (args: string[]) => runTether(args, { home: home.home, daemonWaits: HUNG_DAEMON_WAITS });
/** `count N pid P` → [N, P]. */
const counted = (stdout: string): [number, number] => {
  const match = /^count (\d+) pid (\d+)\n$/.exec(stdout);
  if (!match) throw new Error(`not a count: ${JSON.stringify(stdout)}`);
  seenPids.add(Number(match[2]));
  return [Number(match[1]), Number(match[2])];
};

interface StatusJson {
  running: boolean;
  pid?: number;
  socket: string;
  servers?: { name: string; state: string; pid: number | null; calls: number; restarts: number }[];
}

async function status(): Promise<StatusJson> {
  const result = expectOk(await tether(["mcp", "daemon", "status", "--json"]));
  const parsed = JSON.parse(result.stdout) as StatusJson;
  if (parsed.pid) seenPids.add(parsed.pid);
  return parsed;
}

describe("a keep_alive server", () => {
  beforeEach(() => writeConfig(home.configPath, { servers: { fx: counter({ keep_alive: true }) } }));

  test("keeps its state across commands: one server process counts across two calls", async () => {
    const [first, pid] = counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    const [second, samePid] = counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    expect([first, second]).toEqual([1, 2]);
    expect(samePid).toBe(pid);
    const daemon = await status();
    expect(daemon.running).toBe(true);
    expect(daemon.servers).toMatchObject([{ name: "fx", state: "running", pid, calls: 2, restarts: 0 }]);
  });

  test("tools, resources and prompts go through the daemon too", async () => {
    writeConfig(home.configPath, { servers: { fx: counter({ keep_alive: true }, ["--features"]) } });
    expect(expectOk(await tether(["mcp", "tools", "fx"])).stdout).toContain("count\t");
    expect(expectOk(await tether(["mcp", "prompts", "fx"])).code).toBe(0);
    expect(expectOk(await tether(["mcp", "resources", "fx"])).code).toBe(0);
    const [n] = counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    expect(n).toBe(1);
    expect((await status()).servers?.[0]?.restarts).toBe(0);
  });

  test("the socket lives in a directory only this user can enter", async () => {
    expectOk(await tether(["mcp", "daemon", "start"]));
    const daemon = await status();
    expect(statSync(join(home.tetherHome, "daemon")).mode & 0o777).toBe(0o700);
    expect(daemon.socket.startsWith(join(home.tetherHome, "daemon"))).toBe(true);
    expect(statSync(daemon.socket).mode & 0o077).toBe(0);
  });

  test("a server that crashed is started again on next use, and the command says so", async () => {
    const [, pid] = counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    const crashed = await tether(["mcp", "call", "fx", "crash"]);
    expect(crashed.code).toBe(1);
    expect(crashed.stderr).toContain('error: server "fx" exited while running "crash"');
    const again = expectOk(await tether(["mcp", "call", "fx", "count"]));
    const [n, newPid] = counted(again.stdout);
    expect(n).toBe(1);
    expect(newPid).not.toBe(pid);
    expect(again.stderr).toBe('server "fx" had stopped; the keep-alive daemon started it again\n');
    expect((await status()).servers?.[0]?.restarts).toBe(1);
  });

  test("stop ends the daemon and its servers, and removes its socket; status then says none runs", async () => {
    const [, serverPid] = counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    const daemon = await status();
    const stopped = expectOk(await tether(["mcp", "daemon", "stop"]));
    expect(stopped.stdout).toBe(`stopped keep-alive daemon ${daemon.pid}\n`);
    expect(isProcessAlive(daemon.pid!)).toBe(false);
    // The server is closed by the daemon on its way out (bounded: a slow machine).
    await eventually(() => !isProcessAlive(serverPid));
    expect(isProcessAlive(serverPid)).toBe(false);
    expect(() => statSync(daemon.socket)).toThrow();
    const after = expectOk(await tether(["mcp", "daemon", "status"]));
    expect(after.stderr).toBe(`no keep-alive daemon runs for ${home.configPath}\n`);
    expect(expectOk(await tether(["mcp", "daemon", "stop"])).stderr).toBe(`no keep-alive daemon was running for ${home.configPath}\n`);
  });

  test("stop ends a daemon that does not answer (SIGSTOPped): no status, so its metadata's pid is killed after the wait", async () => {
    counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    const daemon = await status();
    process.kill(daemon.pid!, "SIGSTOP");
    try {
      const stopped = expectOk(await tetherOnHung(["mcp", "daemon", "stop"]));
      expect(stopped.stdout).toBe(`stopped keep-alive daemon ${daemon.pid}\n`);
      await eventually(() => !isProcessAlive(daemon.pid!));
      expect(isProcessAlive(daemon.pid!)).toBe(false);
      expect(() => statSync(daemon.socket)).toThrow();
    } finally {
      try {
        process.kill(daemon.pid!, "SIGCONT");
      } catch {
        // Killed, as it should be.
      }
    }
  }, 40_000);

  test("a call finds the daemon hung (SIGSTOPped): it is killed and a new daemon serves the call", async () => {
    counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    const hung = await status();
    process.kill(hung.pid!, "SIGSTOP");
    try {
      const call = expectOk(await tetherOnHung(["mcp", "call", "fx", "count"]));
      expect(call.stderr).toContain(`the keep-alive daemon ${hung.pid} does not answer; stopping it`);
      // A new daemon, so a new server: the count starts again.
      expect(counted(call.stdout)[0]).toBe(1);
      expect(isProcessAlive(hung.pid!)).toBe(false);
      expect((await status()).pid).not.toBe(hung.pid);
    } finally {
      try {
        process.kill(hung.pid!, "SIGCONT");
      } catch {
        // Killed, as it should be.
      }
    }
  }, 40_000);

  test("logs shows the daemon's log", async () => {
    expect(expectOk(await tether(["mcp", "daemon", "logs"])).stderr).toContain("no keep-alive daemon log yet");
    expectOk(await tether(["mcp", "call", "fx", "count"]));
    const daemon = await status();
    const logs = expectOk(await tether(["mcp", "daemon", "logs"]));
    expect(logs.stdout).toContain(`keep-alive daemon ${daemon.pid} listening on ${daemon.socket}`);
    expect(expectOk(await tether(["mcp", "daemon", "logs", "--lines", "1"])).stdout.split("\n").length).toBe(2);
  });

  test("logs --lines takes a whole number of at least 1", async () => {
    for (const lines of ["0", "two", "1.5"]) {
      const bad = await tether(["mcp", "daemon", "logs", "--lines", lines]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`--lines wants a whole number of at least 1, got "${lines}"`);
    }
  });

  test("a daemon killed outright leaves a socket that the next command cleans up", async () => {
    expectOk(await tether(["mcp", "call", "fx", "count"]));
    const daemon = await status();
    const server = daemon.servers![0]!.pid!;
    process.kill(daemon.pid!, "SIGKILL");
    process.kill(server, "SIGKILL");
    await eventually(() => !isProcessAlive(daemon.pid!));
    const [n] = counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    expect(n).toBe(1);
    const next = await status();
    expect(next.pid).not.toBe(daemon.pid);
  });
});

describe("an HTTP server", () => {
  test("is kept too: one connection serves both calls; a changed header value restarts it", async () => {
    const web = await startHttpFixture(["--counter", "--require-header", "X-Key: k1"]);
    const env = (region: string) => ({ WEB_KEY: "k1", REGION: region });
    try {
      writeConfig(home.configPath, { servers: { web: { url: web.url, keep_alive: true, env_http_headers: { "X-Key": "WEB_KEY" }, http_headers: { "X-Region": "${REGION}" } } } });
      expect(counted(expectOk(await tether(["mcp", "call", "web", "count"], env("eu"))).stdout)[0]).toBe(1);
      expect(counted(expectOk(await tether(["mcp", "call", "web", "count"], env("eu"))).stdout)[0]).toBe(2);
      expect((await status()).servers).toMatchObject([{ name: "web", state: "running", pid: null, calls: 2, restarts: 0 }]);
      const changed = expectOk(await tether(["mcp", "call", "web", "count"], env("us")));
      expect(changed.stderr).toBe('server "web" changed (config or environment); the keep-alive daemon restarted it\n');
      // The server's own count goes on (HTTP state is the server's); the daemon's connection is new.
      expect(counted(changed.stdout)[0]).toBe(3);
      expect((await status()).servers).toMatchObject([{ name: "web", restarts: 1 }]);
    } finally {
      await web.stop();
    }
  });
});

describe("stale files", () => {
  test("metadata naming a pid the system gave to another process: that process is left alone, the files are cleaned", async () => {
    writeConfig(home.configPath, { servers: { fx: counter({ keep_alive: true }) } });
    const stranger = Bun.spawn(["sleep", "60"]);
    try {
      const dir = join(home.tetherHome, "daemon");
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const key = daemonFiles({ paths: { home: home.tetherHome, config: home.configPath, userHome: home.home }, env: {} }).key;
      writeFileSync(join(dir, `${key}.json`), JSON.stringify({ pid: stranger.pid, socket: join(dir, `${key}.sock`) }));
      expect(expectOk(await tether(["mcp", "daemon", "stop"])).stderr).toBe(`no keep-alive daemon was running for ${home.configPath}\n`);
      expect(existsSync(join(dir, `${key}.json`))).toBe(false);
      writeFileSync(join(dir, `${key}.json`), JSON.stringify({ pid: stranger.pid, socket: join(dir, `${key}.sock`) }));
      expect(counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout)[0]).toBe(1);
      expect(isProcessAlive(stranger.pid)).toBe(true);
    } finally {
      stranger.kill("SIGKILL");
    }
  });
});

describe("idle exit", () => {
  test("the daemon exits after keep_alive_idle_sec without use, and closes its servers", async () => {
    writeConfig(home.configPath, { servers: { fx: counter({ keep_alive: true }) }, top: { keep_alive_idle_sec: 1 } });
    const [, serverPid] = counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout);
    const daemon = await status();
    // Bounded loosely: a loaded machine may take a while past the second.
    await eventually(() => !isProcessAlive(daemon.pid!));
    expect(isProcessAlive(daemon.pid!)).toBe(false);
    await eventually(() => !isProcessAlive(serverPid));
    expect(isProcessAlive(serverPid)).toBe(false);
    expect((await status()).running).toBe(false);
  });
});

describe("--keep-alive and --no-keep-alive", () => {
  test("--keep-alive keeps a server that does not set keep_alive; --no-keep-alive starts its own", async () => {
    writeConfig(home.configPath, { servers: { fx: counter() } });
    expect(counted(expectOk(await tether(["mcp", "call", "fx", "count", "--keep-alive"])).stdout)[0]).toBe(1);
    expect(counted(expectOk(await tether(["mcp", "call", "fx", "count", "--keep-alive"])).stdout)[0]).toBe(2);
    expect(counted(expectOk(await tether(["mcp", "call", "fx", "count"])).stdout)[0]).toBe(1);
    writeConfig(home.configPath, { servers: { fx: counter({ keep_alive: true }) } });
    expect(counted(expectOk(await tether(["mcp", "call", "fx", "count", "--no-keep-alive"])).stdout)[0]).toBe(1);
  });
});

describe("config changes", () => {
  test("a changed entry, or a changed value of what its environment uses, restarts that server only", async () => {
    const servers = (extra: ServerEntry = {}) => ({
      a: counter({ keep_alive: true, env: { WHO: "${WHO:-nobody}" }, ...extra }),
      b: counter({ keep_alive: true }),
    });
    writeConfig(home.configPath, { servers: servers() });
    const count = async (name: string, env: Record<string, string> = {}) => {
      const result = expectOk(await tether(["mcp", "call", name, "count"], env));
      return { n: counted(result.stdout)[0], stderr: result.stderr };
    };
    expect((await count("a")).n).toBe(1);
    expect((await count("b")).n).toBe(1);
    // An unrelated variable changes nothing.
    expect((await count("a", { UNRELATED: "x" })).n).toBe(2);
    // WHO is what a's env resolves from: a restarts, b keeps counting.
    const changed = await count("a", { WHO: "ann" });
    expect(changed).toEqual({ n: 1, stderr: 'server "a" changed (config or environment); the keep-alive daemon restarted it\n' });
    expect((await count("b")).n).toBe(2);
    // An edit to a's entry restarts a (b's entry is the same: it keeps counting).
    writeConfig(home.configPath, { servers: servers({ tool_timeout_sec: 30 }) });
    expect((await count("a", { WHO: "ann" })).n).toBe(1);
    expect((await count("b")).n).toBe(3);
  });
});

for (const era of ["legacy", "modern"] as const) {
  describe(`${era} era: what a kept server asks is answered by the command that called`, () => {
    const kept = (extra: ServerEntry = {}) => stdioFixture(["--features", "--era", era], { keep_alive: true, ...extra });

    test("an elicitation reaches the command whose call caused it, and its answer reaches the server", async () => {
      writeConfig(home.configPath, { servers: { fx: kept() } });
      const answered = expectOk(await tether(["mcp", "call", "fx", "ask", "--input", "name=Ada", "--input", "count=2"]));
      expect(answered.stdout).toBe('accept {"name":"Ada","count":2}\n');
      // Without answers, this command (piped) declines and says what was asked, as without the daemon.
      const declined = expectOk(await tether(["mcp", "call", "fx", "ask"]));
      expect(declined.stdout).toBe("decline\n");
      expect(declined.stderr).toContain('server "fx" asked for input, and there is no terminal to ask on; declined:');
      expect((await status()).servers).toMatchObject([{ name: "fx", calls: 2, restarts: 0 }]);
    });

    test("progress reaches the calling command's terminal", async () => {
      writeConfig(home.configPath, { servers: { fx: kept() } });
      const result = expectOk(await runTether(["mcp", "call", "fx", "chatty"], { home: home.home, tty: { stdin: true, stdout: true, stderr: true } }));
      expect(result.stdout).toBe("chatty done\n");
      expect(result.stderr).toContain("chatty: 100% step 4");
    });

    test("roots: each command's own --root, from the same server process", async () => {
      writeConfig(home.configPath, { servers: { fx: kept() } });
      expect(expectOk(await tether(["mcp", "call", "fx", "roots", "--root", "/first"])).stdout).toBe('roots: ["file:///first"]\n');
      expect(expectOk(await tether(["mcp", "call", "fx", "roots", "--root", "/second"])).stdout).toBe('roots: ["file:///second"]\n');
      const daemon = await status();
      expect(daemon.servers).toMatchObject([{ name: "fx", calls: 2, restarts: 0 }]);
    });

    test("sampling: the calling command's policy refuses it (sampling is off), and says so on its own stderr", async () => {
      writeConfig(home.configPath, { servers: { fx: kept() } });
      const result = await tether(["mcp", "call", "fx", "sample"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('server "fx" asked to use the model (sampling); declined: sampling is off');
      if (era === "legacy") expect(result.stdout).toContain("tether declined the sampling request: sampling is off");
    });

    test("log lines go to the calling command, at its --log-level", async () => {
      writeConfig(home.configPath, { servers: { fx: kept() } });
      const WARNING = 'server "fx" [warning] fixture: disk almost full\n';
      const ERROR = 'server "fx" [error] fixture: one part failed\n';
      expect(expectOk(await tether(["mcp", "call", "fx", "chatty"])).stderr).toBe(WARNING + ERROR);
      expect(expectOk(await tether(["mcp", "call", "fx", "chatty", "--log-level", "error"])).stderr).toBe(ERROR);
    });
  });
}

describe("exec", () => {
  test("exec uses a keep_alive server through the daemon: its state lasts from one exec to the next", async () => {
    const turn = (n: number) => [
      sseStep(sse([responseCreated(`resp_${n}a`), functionCall(`call_${n}`, "mcp__fixture__count", {}), completed(`resp_${n}a`)])),
      sseStep(sse(textTurn(`resp_${n}b`, ["done"]))),
    ];
    const h = setupExec([...turn(1), ...turn(2)], { tables: [fixtureServer({ tools: ["add"], flags: ["--counter"] }) + "\nkeep_alive = true"] });
    try {
      expectOk(await h.run(["--yes", "count once"]));
      expectOk(await h.run(["--yes", "count again"]));
      const outputs = h
        .bodies()
        .flatMap((body: any) => body.input.filter((item: any) => item.type === "function_call_output").map((item: any) => item.output as string));
      const counts = [...new Set(outputs)].map((output) => counted(`${output}\n`));
      expect(counts.map(([n]) => n)).toEqual([1, 2]);
      expect(counts[0]![1]).toBe(counts[1]![1]);
    } finally {
      await stopDaemonsUnder(h.home.tetherHome);
      await h.cleanup();
    }
  });
});
