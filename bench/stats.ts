// The benches' summary statistics, the peak memory of a process they watch, and one timed run.
import { readFileSync } from "node:fs";

/** The median: the middle value, or the mean of the two middle values of an even count. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0-100), nearest rank: a value that was measured, never an interpolation. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** VmHWM of one process (Linux), bytes: its peak resident set so far; 0 once it is gone. */
export function peakRssOf(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** `[--rounds N] [--warmup N] [--rebuild]` of the benches that time the release binary. */
export function parseReleaseBenchArgs(argv: string[], usage: string): { rounds: number; warmup: number; rebuild: boolean } {
  const opts = { rounds: 30, warmup: 3, rebuild: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--rounds") opts.rounds = Number(argv[++i]);
    else if (arg === "--warmup") opts.warmup = Number(argv[++i]);
    else if (arg === "--rebuild") opts.rebuild = true;
    else throw new Error(`unknown argument ${arg}; usage: ${usage} [--rounds N] [--warmup N] [--rebuild]`);
  }
  return opts;
}

/** Runs `command` to its end and times it (a failure throws, with its stderr); `stdout` as text. */
export function timeRun(command: string[], env: Record<string, string>): { ms: number; stdout: string } {
  const started = performance.now();
  const result = Bun.spawnSync(command, { env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr.toString()}`);
  return { ms, stdout: result.stdout.toString() };
}
