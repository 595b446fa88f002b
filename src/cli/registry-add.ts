// `mcp add NAME --registry SERVER[@VERSION]`: argv → options, the terminal as the place to ask for
// missing values, then the same write as `mcp add` (or, with --dry-run, only the entry shown).
// Loaded by add.ts only when --registry is given.
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import type { RawServer } from "../config/schema.ts";
import { addServer } from "../config/server-edits.ts";
import type { ProtocolSetting } from "../config/types.ts";
import { INSTALL_KINDS, type InstallKind } from "../registry/choose.ts";
import type { AskInput, SuppliedValues } from "../registry/inputs.ts";
import { planRegistryInstall } from "../registry/install.ts";
import { terminalQuestions } from "./terminal-questions.ts";
import { renderLoginSuggestion } from "./views/auth.ts";
import { renderPlannedEntry, renderRegistryNotes, inputQuestion } from "./views/registry.ts";
import { renderAdded } from "./views/servers.ts";

export interface RegistryAddOptions {
  name: string;
  ref: string;
  kind?: InstallKind;
  supplied: SuppliedValues;
  /** Set by hand on top of the registry's entry, as `mcp add` would write them. */
  cwd?: string;
  protocol?: ProtocolSetting;
  keepAlive?: boolean;
  force: boolean;
  dryRun: boolean;
}

/** The flags of `mcp add` that describe a server by hand, which --registry replaces. */
const BY_HAND = ["url", "bearer-token-env-var"] as const;

export function parseRegistryAddOptions(
  parsed: { name: string; registry: string; package?: string; cwd?: string; protocol?: ProtocolSetting; keepAlive?: boolean; force?: boolean; "dry-run"?: boolean } & Record<string, unknown>,
  lists: { env: [string, string][]; headers: [string, string][]; args: [string, string][]; command: string[] | undefined },
): RegistryAddOptions {
  const conflict = BY_HAND.find((flag) => parsed[flag] !== undefined);
  if (conflict || lists.command) {
    throw new UsageError(`--registry describes the server itself: it cannot be combined with ${conflict ? `--${conflict}` : "a command after --"}`, {
      hint: "headers and environment variables are given with --header and --env",
    });
  }
  const kind = parsed.package;
  if (kind !== undefined && !INSTALL_KINDS.includes(kind as InstallKind)) {
    throw new UsageError(`--package must be one of ${INSTALL_KINDS.join(", ")} (got "${kind}")`);
  }
  return {
    name: parsed.name,
    ref: parsed.registry,
    kind: kind as InstallKind | undefined,
    supplied: { env: Object.fromEntries(lists.env), headers: Object.fromEntries(lists.headers), args: Object.fromEntries(lists.args) },
    cwd: parsed.cwd,
    protocol: parsed.protocol,
    keepAlive: parsed.keepAlive,
    force: Boolean(parsed.force),
    dryRun: Boolean(parsed["dry-run"]),
  };
}

export async function runRegistryAdd(ctx: Context, options: RegistryAddOptions): Promise<void> {
  const plan = await terminalQuestions(ctx).turn((ask) => {
    const askInput: AskInput | undefined = ask && ((input) => ask(inputQuestion(ctx.io, options.name, input)));
    return planRegistryInstall(ctx, { entryName: options.name, ref: options.ref, kind: options.kind, supplied: options.supplied }, askInput);
  });
  const entry: RawServer = { ...plan.entry };
  if (options.cwd !== undefined) entry.cwd = options.cwd;
  if (options.protocol !== undefined) entry.protocol = options.protocol;
  if (options.keepAlive) entry.keep_alive = true;
  if (options.dryRun) {
    // The same rules as the write, so a dry run fails where the write would.
    (await import("../config/validate.ts")).checkServerEntry(options.name, entry);
    renderPlannedEntry(ctx.io, options.name, { ...plan, entry }, ctx.paths.config);
    return;
  }
  const result = await addServer(ctx, { name: options.name, server: entry, force: options.force });
  renderAdded(ctx.io, result);
  renderRegistryNotes(ctx.io, plan, ctx.env);
  if (result.server.transport !== "http") return;
  const { probeOAuthAtAdd } = await import("../auth/login/discovery.ts");
  if (await probeOAuthAtAdd(ctx, result.server)) renderLoginSuggestion(ctx.io, result.server.name);
}
