#!/usr/bin/env bun
// tether's single entry. `--version` answers before anything else loads, since people and
// agents call tether in loops; everything else goes through cli/run.ts.
import { VERSION } from "./version.ts";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`tether ${VERSION}\n`);
} else {
  const { runCli } = await import("./cli/run.ts");
  const code = await runCli(argv);
  // Let pending writes reach the pipe, then exit even if a library left a handle open.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
  process.exit(code);
}
