// `--config PATH`, taken out of argv before anything else reads it: by the run (run.ts) and by
// the thin client that hands a command to the keep-alive daemon (daemon-relay.ts), which must
// know the config file, and so the daemon, before it loads the command tree.
import { UsageError } from "../errors.ts";

/** `--config PATH` works anywhere before `--`, for every command. */
export function takeConfigFlag(argv: string[]): { configPath?: string; rest: string[] } {
  const end = argv.includes("--") ? argv.indexOf("--") : argv.length;
  for (let i = 0; i < end; i++) {
    const token = argv[i]!;
    if (token === "--config") {
      const value = argv[i + 1];
      if (value === undefined || value === "--") throw new UsageError("--config needs a path");
      return { configPath: value, rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
    }
    if (token.startsWith("--config=")) {
      return { configPath: token.slice("--config=".length), rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    }
  }
  return { rest: argv };
}
