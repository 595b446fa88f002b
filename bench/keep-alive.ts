// A warm `tether mcp call` through the keep-alive daemon against `tether --version`, the same
// compiled binary in the same run, interleaved. Goal (issue 22): the call ≤ 2× --version. The
// server is the stdio fixture with keep_alive = true; the daemon is started and warmed first and
// stopped at the end (by `mcp daemon stop`, then by pid if it is still there).
//
//   bun bench/keep-alive.ts [--rounds 30] [--warmup 3] [--rebuild]
//
// Uses dist/tether-<host>, the release build (built with build.ts when missing, or always with
// --rebuild), as bench/startup.ts does: the test binary has no bytecode and starts slower.
// Reports PASS/MISS and always exits 0.
//
// Last runs (linux-x64, 2 cores, 30 rounds): quiet, `--version` 4.09 ms and a warm call 9.12 ms,
// 2.23×; beside other work 2.15-2.33×. The goal of 2× is not met in the first dozens of calls; after
// 300 more it is (1.82-1.89×). Where a warm call's time goes (marks in the caller and the daemon,
// medians): the caller's own work beyond `--version` ~1.2 ms (loading its chunk 0.2, finding the
// socket 0.3, connecting 0.4, the request 0.1, writing the output 0.15), and from its last
// instruction to its end ~1 ms longer than `--version` (in part the thread Bun starts once a
// process waits on its event loop, which `--version` never does); the daemon ~1.4 ms before the server has the request (checking the command
// is its own 0.4, citty and the command 0.4, opening the kept server 0.3, the SDK's request 0.25),
// the server ~0.8 ms, the daemon ~0.25 ms after; four processes woken in turn. The daemon's part
// falls from ~2.6 to ~1.6 ms as JavaScriptCore compiles its code over the first few hundred
// calls. The daemon runs detached, in its own session: with the kernel's autogroup scheduling
// that alone measured slower under load than the same daemon started from the bench's session.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRelease, hostTarget, ROOT } from "../build.ts";
import { stdioFixture, writeConfig } from "../test/support/config.ts";
import { stopDaemonsUnder } from "../test/support/daemons.ts";
import { median, parseReleaseBenchArgs } from "./stats.ts";

const GOAL = 2;
/** Calls made, untimed, before the reference figure for a daemon whose code the JIT has compiled. */
const STEADY_AFTER_CALLS = 300;

const { rounds, warmup, rebuild } = parseReleaseBenchArgs(process.argv.slice(2), "bun bench/keep-alive.ts");
const target = hostTarget();
const binary = join(ROOT, "dist", target.fileName);
if (rebuild || !(await Bun.file(binary).exists())) {
  console.error(`building dist/${target.fileName} with build.ts ...`);
  await buildRelease({ targets: [target], outdir: join(ROOT, "dist"), otel: true, bytecode: true });
}
const home = mkdtempSync(join(tmpdir(), "tether-bench-keepalive-"));
const tetherHome = join(home, ".tether");
writeConfig(join(tetherHome, "config.toml"), { servers: { fx: stdioFixture([], { keep_alive: true }) } });
const env = { PATH: process.env.PATH ?? "", HOME: home, TETHER_HOME: tetherHome, NO_COLOR: "1" };

function timeOnce(cmd: string[]): number {
  const started = performance.now();
  const proc = Bun.spawnSync(cmd, { env, cwd: home, stdout: "pipe", stderr: "pipe" });
  const elapsed = performance.now() - started;
  if (proc.exitCode !== 0) throw new Error(`${cmd.slice(1).join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString().trim()}`);
  return elapsed;
}

const cases = [
  { name: "tether --version", cmd: [binary, "--version"] },
  // For reference: reading and validating the config, no server at all (its own goal is bench/startup.ts's).
  { name: "mcp list (reference)", cmd: [binary, "mcp", "list"] },
  { name: "mcp daemon status", cmd: [binary, "mcp", "daemon", "status"] },
  { name: "mcp call (keep-alive, warm)", cmd: [binary, "mcp", "call", "fx", "echo", "--arg", "text=hi"] },
];
const CALL = cases.length - 1;

try {
  // The first call starts the daemon and the server; the warm-up rounds are not counted.
  timeOnce(cases[CALL]!.cmd);
  const times = cases.map(() => [] as number[]);
  for (let round = 0; round < warmup + rounds; round++) {
    cases.forEach((c, i) => {
      const elapsed = timeOnce(c.cmd);
      if (round >= warmup) times[i]!.push(elapsed);
    });
  }
  const medians = times.map(median);
  const version = medians[0]!;
  console.log(`keep-alive, median of ${rounds} interleaved runs after ${warmup} warm-ups`);
  cases.forEach((c, i) => {
    const ratio = medians[i]! / version;
    const verdict = i === CALL ? `  goal ≤ ${GOAL}×  ${ratio <= GOAL ? "PASS" : "MISS"}` : "";
    console.log(`${c.name.padEnd(30)} ${medians[i]!.toFixed(2).padStart(6)} ms  ${ratio.toFixed(2)}×${verdict}`);
  });
  // The same daemon once its code is compiled: JavaScriptCore tiers a function up after it has run
  // many times, and the daemon runs the call's code once per call, so its own part costs ~0.7 ms
  // less after a few hundred calls (a script calling in a loop) than in the first dozens (issue 22).
  for (let i = 0; i < STEADY_AFTER_CALLS; i++) timeOnce(cases[CALL]!.cmd);
  const steady = { version: [] as number[], call: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    steady.version.push(timeOnce(cases[0]!.cmd));
    steady.call.push(timeOnce(cases[CALL]!.cmd));
  }
  const [steadyVersion, steadyCall] = [median(steady.version), median(steady.call)];
  console.log(`after ${STEADY_AFTER_CALLS} more calls (for reference): --version ${steadyVersion.toFixed(2)} ms, warm call ${steadyCall.toFixed(2)} ms  ${(steadyCall / steadyVersion).toFixed(2)}×`);
} finally {
  Bun.spawnSync([binary, "mcp", "daemon", "stop"], { env, cwd: home, stdout: "ignore", stderr: "ignore" });
  // Should stop have failed, the daemon still goes (by the pid in its metadata), as after a test.
  await stopDaemonsUnder(tetherHome);
  rmSync(home, { recursive: true, force: true });
}
