// The deploy files (.github/deploy/: kubernetes.yaml, compose.yaml, nginx.conf) as the tests and the
// bench read them, and what `tether mcp serve` accepts, taken from the command's own definitions so
// a renamed flag fails the checks.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { ArgDef } from "citty";
import serveCommand from "../../src/cli/commands/mcp/serve.ts";
import { createRootCommand } from "../../src/cli/root.ts";
import type { Context } from "../../src/context.ts";
import { REPO_ROOT } from "./cli.ts";

export const DEPLOY_DIR: string = path.join(REPO_ROOT, ".github/deploy");

export type FlagKind = "string" | "boolean";

/** `tether mcp serve`'s flags (and the root's `--config`, which works anywhere) → whether each takes a value. */
export function serveAcceptedFlags(): Map<string, FlagKind> {
  // Building the definitions reads nothing from the context; only run() does.
  const ctx = {} as Context;
  const defs: Record<string, ArgDef> = { ...(createRootCommand(ctx).args as Record<string, ArgDef>), ...(serveCommand(ctx).args as Record<string, ArgDef>) };
  const flags = new Map<string, FlagKind>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional" || name === "version") continue;
    flags.set(name, def.type === "boolean" ? "boolean" : "string");
  }
  return flags;
}

export interface ParsedServeArgs {
  /** Flag name (without --) → its value, or true for a boolean flag. */
  flags: Map<string, string | true>;
  /** Problems: words serve would refuse (unknown flags, a missing value). */
  problems: string[];
}

/** Reads argv after `mcp serve` the way serve would, flagging what it would refuse. */
export function parseServeArgs(argv: readonly string[], accepted: Map<string, FlagKind> = serveAcceptedFlags()): ParsedServeArgs {
  const flags = new Map<string, string | true>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith("--")) {
      problems.push(`"${word}" is not a flag (serve takes no positional arguments)`);
      continue;
    }
    const [name, inline] = word.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const bare = name.startsWith("no-") && accepted.get(name.slice(3)) === "boolean" ? name.slice(3) : name;
    const kind = accepted.get(bare);
    if (!kind) {
      problems.push(`--${name} is not a serve flag`);
      if (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) i++;
      continue;
    }
    if (kind === "boolean") {
      flags.set(bare, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith("--")) problems.push(`--${name} needs a value`);
    else flags.set(name, value);
  }
  return { flags, problems };
}

/** Problems in `argv`: words serve would refuse. */
export function unknownFlags(argv: readonly string[], accepted: Map<string, FlagKind> = serveAcceptedFlags()): string[] {
  return parseServeArgs(argv, accepted).problems;
}

export type Yaml = Record<string, any>;

export function readDeployFile(name: string): string {
  return readFileSync(path.join(DEPLOY_DIR, name), "utf8");
}

/** kubernetes.yaml's documents. */
export function kubernetesObjects(): Yaml[] {
  const docs = Bun.YAML.parse(readDeployFile("kubernetes.yaml"));
  return (Array.isArray(docs) ? docs : [docs]) as Yaml[];
}

export function composeFile(): Yaml {
  return Bun.YAML.parse(readDeployFile("compose.yaml")) as Yaml;
}

/** compose.yaml's tether replicas: the services whose image is tether. */
export function composeReplicas(compose: Yaml = composeFile()): [string, Yaml][] {
  return Object.entries(compose.services as Record<string, Yaml>).filter(([, s]) => /\/tether:/.test(String(s.image)));
}

/** argv after `tether`: the image's entrypoint is tether, so a command (compose) or args (Kubernetes) starts at `mcp`. */
export function serveArgvOf(command: readonly string[]): string[] {
  if (command[0] !== "mcp" || command[1] !== "serve") throw new Error(`not \`tether mcp serve\`: ${command.join(" ")}`);
  return command.slice(2);
}
