#!/usr/bin/env bun
// tether's single entry. `--version` answers before anything else loads, since people and
// agents call tether in loops; everything else goes through cli/run.ts.
import { VERSION_LABEL } from "./version.ts";

/** How long a run keeps the start-up JIT policy: `mcp list` and friends finish well within it. */
const JIT_HOLD_MS = 100;

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // console.log, not process.stdout: creating Node's stream object alone costs ~20 ms.
  console.log(`tether ${VERSION_LABEL}`);
} else {
  // The executable starts with the JIT held back (build.ts, STARTUP_JIT_POLICY): a short command
  // runs each function a few times, and compiling it on JIT threads costs more than it saves.
  // A command still running after a moment (exec, serve, a slow server) gets the normal JIT back.
  setTimeout(() => Bun.unsafe.setJITPolicy(1), JIT_HOLD_MS).unref();
  // A command whose server is kept alive runs in the daemon, which the caller only relays to; it
  // is handed over before the command tree loads (cli/daemon-relay.ts). Undefined: run it here.
  if (argv.includes("mcp") && argv.includes("call")) {
    const relayed = await (await import("./cli/daemon-relay.ts")).relayToDaemon(argv);
    if (relayed !== undefined) process.exit(relayed);
  }
  const { runCli } = await import("./cli/run.ts");
  // Exit even if a library left a handle open; output was flushed as it was written.
  process.exit(await runCli(argv));
}
