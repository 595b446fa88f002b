#!/usr/bin/env bun
// tether's single entry. `--version` answers before anything else loads, since people and
// agents call tether in loops; everything else goes through cli/run.ts.
import { VERSION_LABEL } from "./version.ts";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // console.log, not process.stdout: creating Node's stream object alone costs ~20 ms.
  console.log(`tether ${VERSION_LABEL}`);
} else {
  const { runCli } = await import("./cli/run.ts");
  // Exit even if a library left a handle open; output was flushed as it was written.
  process.exit(await runCli(argv));
}
