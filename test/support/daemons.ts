// Stops every keep-alive daemon a test started under its temp TETHER_HOME (and the servers it
// kept), by pid: asked first (SIGTERM closes its servers), killed if it does not go.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "./cli.ts";

/** Pids seen by a test (daemons and their servers) that must be gone after it. */
export const seenPids = new Set<number>();

export async function stopDaemonsUnder(tetherHome: string): Promise<void> {
  const dir = join(tetherHome, "daemon");
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch {
    // No daemon was started here.
  }
  for (const file of files) {
    try {
      const pid = (JSON.parse(readFileSync(join(dir, file), "utf8")) as { pid?: number }).pid;
      if (typeof pid === "number") seenPids.add(pid);
    } catch {
      // Half written or removed meanwhile.
    }
  }
  await killAll([...seenPids]);
  seenPids.clear();
}

async function killAll(pids: number[]): Promise<void> {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Gone already.
    }
  };
  for (const pid of pids) if (isProcessAlive(pid)) signal(pid, "SIGTERM");
  const deadline = Date.now() + 5_000;
  while (pids.some(isProcessAlive) && Date.now() < deadline) await Bun.sleep(50);
  for (const pid of pids) if (isProcessAlive(pid)) signal(pid, "SIGKILL");
}
