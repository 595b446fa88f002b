// `tether ARGS`: one invocation (./invoke.ts) over the whole command tree (./root.ts).
import { invoke } from "./invoke.ts";
import type { RunContext } from "./factory.ts";
import { createRootCommand } from "./root.ts";
import type { SystemContextOptions } from "./system.ts";
import type { Interrupts } from "./invoke.ts";

/**
 * One invocation. The real context is built only when the caller gives no factory: tests pass
 * one that builds the twin (test/support/context.ts) and run commands in process.
 */
export function runCli(argv: string[], createContext?: (options: SystemContextOptions) => RunContext, interrupts?: Interrupts): Promise<number> {
  return invoke(argv, createRootCommand, createContext, interrupts);
}
