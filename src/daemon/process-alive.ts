// Whether a process still runs, for the daemon's pid checks (its own, and its stdio servers').
import { readFileSync } from "node:fs";

/**
 * Signal 0 checks without touching it. On Linux a zombie counts as gone: it has ended and only
 * waits for its parent to reap it (an orphaned daemon's parent is init, which may take a while).
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (process.platform !== "linux") return true;
  try {
    // The state follows the command name, which is in parentheses and may itself hold ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}
