// The server of a one-server command, from argv: a configured NAME, a URL in its place, `--stdio`
// or `--url` (src/config/adhoc.ts resolves them). With `--stdio`/`--url` there is no NAME, so the
// command's other positionals (TOOL, URI, PROMPT) move up one: `mcp call --stdio "…" add`.
import type { ArgsDef } from "citty";
import { type ResolvedServer, type ServerTarget, resolveServerTarget } from "../config/adhoc.ts";
import type { ServerConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { TetherError, UsageError } from "../errors.ts";
import { repeatedFlag } from "./args.ts";
import { note } from "./render.ts";

/** NAME, optional to citty: with --stdio or --url it is left out (parseServerTarget checks). */
export const serverTargetNameArg = {
  name: { type: "positional", description: "A configured server's name, or a server's URL", required: false, valueHint: "NAME" },
} as const satisfies ArgsDef;

/** The ad-hoc server flags every one-server command takes. */
export const serverTargetArgs = {
  stdio: { type: "string", description: "A server that is not configured: start this command (split like a shell, never run by one)", valueHint: "'CMD ARGS'" },
  url: { type: "string", description: "A streamable HTTP server that is not configured", valueHint: "URL" },
  header: { type: "string", description: "HTTP header 'K: V' for --url or a URL (repeatable)", valueHint: "'K: V'" },
  "bearer-token-env-var": { type: "string", description: "Env var holding the bearer token for --url or a URL", valueHint: "VAR" },
  env: { type: "string", description: "Environment variable K=V for --stdio (repeatable)", valueHint: "K=V" },
  save: { type: "string", description: "Also add the --stdio/--url server to config.toml under this name (as mcp add does)", valueHint: "NAME" },
} as const satisfies ArgsDef;

interface TargetFlags {
  _: string[];
  stdio?: string;
  url?: string;
  "bearer-token-env-var"?: string;
  save?: string;
}

/**
 * argv → the server target and the command's other positionals in order (`names`: their value
 * hints, all required); `optional` when the command works without a server (`doctor` checks all).
 * citty assigned positionals by place, so they are read again from `_`.
 */
export function parseServerTarget(
  args: TargetFlags,
  rawArgs: readonly string[],
  command: string,
  names: readonly string[] = [],
  options: { optional?: boolean } = {},
): { target: ServerTarget; rest: string[] } {
  for (const flag of ["stdio", "url"]) {
    if (repeatedFlag(rawArgs, flag).length > 1) throw new UsageError(`--${flag} may be given once: one server per command`, { hint: `see: ${command} --help` });
  }
  const words = args._.map(String);
  const adHocFlag = args.stdio !== undefined || args.url !== undefined;
  // With --stdio/--url, a word beyond the others is a NAME given as well: resolveServerTarget says so.
  const withName = !adHocFlag || words.length > names.length;
  const name = withName ? words[0] : undefined;
  const rest = withName ? words.slice(1) : words;
  const missing = names[rest.length];
  if (name === undefined && !adHocFlag && !options.optional) {
    throw new UsageError("missing the server: NAME, a URL, --url URL or --stdio \"CMD ARGS\"", { hint: `see: ${command} --help` });
  }
  if (missing) throw new UsageError(`missing required positional argument: ${missing}`, { hint: `see: ${command} --help` });
  const target: ServerTarget = {
    name,
    stdio: args.stdio,
    url: args.url,
    headers: repeatedFlag(rawArgs, "header"),
    bearerTokenEnvVar: args["bearer-token-env-var"],
    env: repeatedFlag(rawArgs, "env"),
    save: args.save,
  };
  return { target, rest };
}

/**
 * Resolves the target (writing it first with --save, and saying so on stderr), runs the work on
 * it and, for an ad-hoc server, turns hints that name it (`run: tether mcp login NAME`) into ones
 * that reach it again (`… login https://…`): an ad-hoc name is not in config.toml.
 */
export async function withServerTarget<T>(ctx: Context, target: ServerTarget, work: (server: ServerConfig) => Promise<T>): Promise<T> {
  const resolved = await resolveServerTarget(ctx, target);
  if (resolved.savedTo) note(ctx.io, `Added ${resolved.server.transport} server "${resolved.server.name}" to ${resolved.savedTo}`);
  if (!resolved.adHoc) return work(resolved.server);
  try {
    return await work(resolved.server);
  } catch (error) {
    throw retargetHint(error, resolved);
  }
}

function retargetHint(error: unknown, resolved: ResolvedServer): unknown {
  if (!(error instanceof TetherError) || !error.hint) return error;
  const name = resolved.server.name.replace(/[-]/g, "\\-");
  let hint = error.hint
    .replace(new RegExp(`(tether mcp [a-z]+) ${name}(?=[\\s,;)]|$)`, "g"), (_, command: string) => `${command} ${resolved.ref}`)
    .replace(`the url under [mcp_servers.${resolved.server.name}] is right`, "the URL is right")
    .replace("check 'command' in config.toml and that", "check that");
  // Settings live in config.toml: an ad-hoc server gets there with --save.
  if (hint.includes("config.toml") || hint.includes(`[mcp_servers.${resolved.server.name}]`)) hint += " (a server given ad hoc: add it with --save NAME first)";
  if (hint !== error.hint) Object.defineProperty(error, "hint", { value: hint });
  return error;
}
