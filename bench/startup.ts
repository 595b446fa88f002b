// Startup budget of the compiled CLI against a bare compiled Bun `console.log("hello")`, built with
// the same flags (build.ts's compileExecutable). Goals: `--version` ≤ 1.3× (STYLE.md), `mcp list`
// with 10 servers ≤ 1.3× (issue 12). Reports PASS/MISS and always exits 0.
//
// The floor row is ./startup-floor.ts: reading config.toml, parsing it with smol-toml and printing
// it, nothing else. It is ~1.30× hello on its own (1.37-1.42× when it reads through node:fs, which
// alone takes ~0.6 ms to load, and node:path ~0.2 ms), so the 1.3× goal for `mcp list` leaves
// nothing for validation, the command framework, errors or the AUTH column.
//
// Last run (linux-x64, 2 shared cores, 40 rounds): hello 3.2 ms; floor 1.29×; --version 0.97×;
// mcp list 1.91× and --json 1.90× (2.65× / 2.74× at the start of issue 12). What moved it: citty
// parses argv without node:util (build.ts plugin), the JIT held back for the first 100 ms
// (compile.jitPolicy), one write per table, --status-only modules loaded only for --status, and the
// bytecode laid out for `mcp list` (build.ts, bytecodeOrder: ~0.4 ms less CPU, which the wall
// time barely shows).
// Left out on purpose: a parsed-config cache (a second copy of config values on disk) and reading
// config.toml through Bun.mmap to skip node:fs (~0.8 ms; it opens the file read-write). In-process
// marks put the rest above the floor at ~0.45 ms for citty's first parse (cold code, regexes, the
// SIGINT handler), ~0.45 ms loading and parsing the mcp and list commands, ~0.2 ms for the
// validation cache and normalizing, ~0.25 ms the AUTH column, ~0.15 ms rendering.
//
//   bun bench/startup.ts [--rounds 30] [--warmup 3] [--rebuild]
//
// Uses dist/tether-<host> (built with build.ts when missing, or always with --rebuild).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildRelease, compileExecutable, hostTarget, ROOT, startupConfigToml, startupRunEnv } from "../build.ts";
import { median, parseReleaseBenchArgs } from "./stats.ts";

/** Reads, parses and prints the config and nothing else (./startup-floor.ts): no `mcp list` can be faster. */
const FLOOR_ENTRY = path.join(import.meta.dir, "startup-floor.ts");

interface Case {
  name: string;
  cmd: string[];
  /** Budget as a multiple of the hello baseline; absent for the baseline itself. */
  goal?: number;
}



function timeOnce(cmd: string[], env: Record<string, string>, cwd: string): number {
  const started = performance.now();
  const proc = Bun.spawnSync(cmd, { env, cwd, stdout: "pipe", stderr: "pipe" });
  const elapsed = performance.now() - started;
  if (proc.exitCode !== 0) {
    throw new Error(`${cmd.map((c) => path.basename(c)).join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString().trim()}`);
  }
  return elapsed;
}

async function main(): Promise<void> {
  const { rounds, warmup, rebuild } = parseReleaseBenchArgs(Bun.argv.slice(2), "bun bench/startup.ts");
  const target = hostTarget();
  const tether = path.join(ROOT, "dist", target.fileName);
  if (rebuild || !(await Bun.file(tether).exists())) {
    console.error(`building ${path.relative(ROOT, tether)} with build.ts ...`);
    await buildRelease({ targets: [target], outdir: path.join(ROOT, "dist"), otel: true, bytecode: true });
  }

  const work = mkdtempSync(path.join(tmpdir(), "tether-bench-"));
  try {
    const helloSrc = path.join(work, "hello.ts");
    await Bun.write(helloSrc, `console.log("hello");\n`);
    const hello = await compileExecutable({ entry: helloSrc, target, outfile: path.join(work, `hello${path.extname(target.fileName)}`) });
    const floor = await compileExecutable({ entry: FLOOR_ENTRY, target, outfile: path.join(work, `floor${path.extname(target.fileName)}`) });

    const home = path.join(work, "home");
    await Bun.write(path.join(home, "config.toml"), startupConfigToml(10));
    const env = startupRunEnv(work, home);

    const cases: Case[] = [
      { name: "hello (bare bun)", cmd: [hello] },
      { name: "floor of mcp list", cmd: [floor] },
      { name: "tether --version", cmd: [tether, "--version"], goal: 1.3 },
      { name: "tether mcp list", cmd: [tether, "mcp", "list"], goal: 1.3 },
      { name: "mcp list --json", cmd: [tether, "mcp", "list", "--json"], goal: 1.3 },
    ];
    const samples = cases.map(() => [] as number[]);
    for (let round = 0; round < warmup + rounds; round++) {
      cases.forEach((c, i) => {
        const ms = timeOnce(c.cmd, env, work);
        if (round >= warmup) samples[i]!.push(ms);
      });
    }

    const base = median(samples[0]!);
    console.log(`startup, median of ${rounds} interleaved runs after ${warmup} warm-ups (${target.name})`);
    cases.forEach((c, i) => {
      const med = median(samples[i]!);
      const ratio = med / base;
      const verdict = c.goal === undefined ? "" : `  goal ≤ ${c.goal}×  ${ratio <= c.goal ? "PASS" : "MISS"}`;
      console.log(`${c.name.padEnd(20)} ${med.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}×${verdict}`);
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
