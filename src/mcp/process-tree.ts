// Ends a stdio server's whole process tree. The SDK spawns the server in tether's own process
// group (no `detached`), so a group kill would hit tether too; instead tether lists the server's
// descendants before closing it and SIGKILLs them once it is gone. Helpers that were already
// orphaned (double fork) are found on Linux by a marker variable in their environment, which
// children inherit. Windows kills the tree with `taskkill /T /F`.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Set in every stdio server's environment; its value is unique per server process tether starts. */
export const SERVER_MARKER_VAR = "TETHER_SERVER_ID";

/** pid → parent pid, for every process we can see. */
export type ProcessTable = Map<number, number>;

/** Every descendant of `root` in `table` (children first), not `root` itself. */
export function descendantsOf(root: number, table: ProcessTable): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    if (pid === ppid) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const found: number[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The command that kills a process and its tree at once, where the platform has one (Windows). */
export function treeKillCommand(platform: NodeJS.Platform, pid: number): string[] | undefined {
  return platform === "win32" ? ["taskkill", "/T", "/F", "/PID", String(pid)] : undefined;
}

/** The command that lists pid and parent pid of every process, where /proc cannot be read. */
export function processTableCommand(platform: NodeJS.Platform): string[] | undefined {
  if (platform === "linux" || platform === "win32") return undefined;
  return ["ps", "-A", "-o", "pid=,ppid="];
}

/** Parses `ps -A -o pid=,ppid=` output. */
export function parseProcessTable(text: string): ProcessTable {
  const table: ProcessTable = new Map();
  for (const line of text.split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(pid) && Number.isInteger(ppid)) table.set(pid!, ppid!);
  }
  return table;
}

/** The ppid field of /proc/PID/stat (after the command name, which may contain spaces and parens). */
export function parseProcStatPpid(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is the state, fields[1] the ppid. A zombie (Z) is already dead.
  if (fields[0] === "Z") return undefined;
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

function procPids(): number[] {
  try {
    return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}

/** The process table now (synchronous, so it also works in an `exit` handler). */
export function readProcessTable(platform: NodeJS.Platform = process.platform): ProcessTable {
  const table: ProcessTable = new Map();
  if (platform === "linux") {
    for (const pid of procPids()) {
      try {
        const ppid = parseProcStatPpid(readFileSync(`/proc/${pid}/stat`, "latin1"));
        if (ppid !== undefined) table.set(pid, ppid);
      } catch {
        // Gone, or not ours to read.
      }
    }
    return table;
  }
  const command = processTableCommand(platform);
  if (!command) return table;
  const listed = spawnSync(command[0]!, command.slice(1), { encoding: "utf8", timeout: 2_000 });
  return listed.status === 0 ? parseProcessTable(listed.stdout) : table;
}

/** Linux: live processes whose environment holds SERVER_MARKER_VAR=marker (ours only; others are unreadable). */
export function processesWithMarker(marker: string, platform: NodeJS.Platform = process.platform): number[] {
  if (platform !== "linux") return [];
  const needle = Buffer.from(`\0${SERVER_MARKER_VAR}=${marker}\0`);
  const first = Buffer.from(`${SERVER_MARKER_VAR}=${marker}\0`);
  const found: number[] = [];
  for (const pid of procPids()) {
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      if (environ.includes(needle) || environ.subarray(0, first.length).equals(first)) {
        const ppid = parseProcStatPpid(readFileSync(`/proc/${pid}/stat`, "latin1"));
        if (ppid !== undefined) found.push(pid);
      }
    } catch {
      // Gone, or not ours.
    }
  }
  return found;
}

/** SIGKILLs each pid; ones already gone are skipped. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Exited in between.
    }
  }
}

/** Windows: ends `pid` and its tree; resolves when taskkill is done. */
export function killTreeWindows(pid: number): void {
  const command = treeKillCommand("win32", pid)!;
  spawnSync(command[0]!, command.slice(1), { stdio: "ignore", timeout: 5_000, windowsHide: true });
}
