// `tether mcp add`: add a stdio (`-- COMMAND ARGS`) or streamable HTTP (`--url`) server.
import type { ParsedArgs } from "citty";
import type { Context } from "../../../context.ts";
import { UsageError } from "../../../errors.ts";
import { parseEnvPair, parseHeader } from "../../../config/adhoc.ts";
import type { AddServerOptions } from "../../../config/server-edits.ts";
import { addServer } from "../../../config/server-edits.ts";
import type { RawServer } from "../../../config/schema.ts";
import { PROTOCOL_SETTINGS, type ProtocolSetting } from "../../../config/types.ts";
import { afterSeparator, keepAliveOf, repeatedFlag } from "../../args.ts";
import { tetherCommand } from "../../command.ts";
import { renderLoginSuggestion } from "../../views/auth.ts";
import { renderAdded } from "../../views/servers.ts";

const args = {
  name: { type: "positional", description: "Name for the new server", required: true, valueHint: "NAME" },
  url: { type: "string", description: "Streamable HTTP server URL", valueHint: "URL" },
  "bearer-token-env-var": { type: "string", description: "Env var holding the bearer token (HTTP)", valueHint: "VAR" },
  header: { type: "string", description: "HTTP header 'K: V' (repeatable)", valueHint: "'K: V'" },
  env: { type: "string", description: "Environment variable K=V for the server (repeatable, stdio)", valueHint: "K=V" },
  cwd: { type: "string", description: "Working directory of the server (stdio)", valueHint: "DIR" },
  force: { type: "boolean", description: "Replace an existing server of the same name" },
  // Registry install: the entry comes from the MCP Registry's server.json.
  registry: { type: "string", description: "Add the registry's server SERVER[@VERSION] (see tether mcp registry search)", valueHint: "SERVER[@VERSION]" },
  package: { type: "string", description: "With --registry: install its remote or its npm, pypi or oci package", valueHint: "remote|npm|pypi|oci" },
  arg: { type: "string", description: "With --registry: a value for its argument or {variable} NAME (repeatable)", valueHint: "NAME=VALUE" },
  "dry-run": { type: "boolean", description: "With --registry: print the entry it would write; write nothing" },
  protocol: { type: "string", description: "Pin the protocol era: 2025-11-25, 2026-07-28 or auto (default: probe)", valueHint: "VERSION" },
  "keep-alive": { type: "boolean", description: "Keep the server running between commands: writes keep_alive = true (see Keep-alive)" },
} as const;

export default (ctx: Context) =>
  tetherCommand({
    path: "tether mcp add",
    description: "Add a server: NAME -- COMMAND [ARGS...] (stdio), NAME --url URL (HTTP) or NAME --registry SERVER (MCP Registry)",
    createsConfig: true,
    args,
    async run(parsed, rawArgs) {
      if (parsed.registry !== undefined) return addFromRegistry(ctx, parsed, rawArgs);
      const result = await addServer(ctx, parseAddOptions(parsed, rawArgs));
      renderAdded(ctx.io, result);
      if (result.server.transport !== "http") return;
      // Loaded only for HTTP servers: the probe needs the SDK's discovery.
      const { probeOAuthAtAdd } = await import("../../../auth/login/discovery.ts");
      if (await probeOAuthAtAdd(ctx, result.server)) renderLoginSuggestion(ctx.io, result.server.name);
    },
  });

/** Registry install, loaded only when --registry is given. */
async function addFromRegistry(ctx: Context, parsed: ParsedArgs<typeof args>, rawArgs: string[]): Promise<void> {
  const { parseRegistryAddOptions, runRegistryAdd } = await import("../../registry-add.ts");
  const lists = {
    env: repeatedFlag(rawArgs, "env").map(parseEnvPair),
    headers: repeatedFlag(rawArgs, "header").map(parseHeader),
    args: repeatedFlag(rawArgs, "arg").map(parseArgPair),
    command: afterSeparator(rawArgs),
  };
  await runRegistryAdd(ctx, parseRegistryAddOptions({ ...parsed, registry: parsed.registry!, protocol: parseProtocol(parsed.protocol), keepAlive: keepAliveOf(rawArgs) }, lists));
}

/** argv → the entry to write. Conflicting flags pass through so the validator names them. */
export function parseAddOptions(parsed: ParsedArgs<typeof args>, rawArgs: string[]): AddServerOptions {
  const registryOnly = (["package", "arg", "dry-run"] as const).find((flag) => parsed[flag] !== undefined && parsed[flag] !== false);
  if (registryOnly) throw new UsageError(`--${registryOnly} goes with --registry SERVER`, { hint: "tether mcp add NAME --registry io.github.owner/server" });
  const command = afterSeparator(rawArgs);
  const env = repeatedFlag(rawArgs, "env");
  const headers = repeatedFlag(rawArgs, "header");
  const url = parsed.url;
  if (!url && (!command || command.length === 0)) {
    throw new UsageError("give the server's command after -- (stdio), --url URL (streamable HTTP) or --registry SERVER (MCP Registry)", {
      hint: "tether mcp add docs -- npx -y @acme/docs-mcp   or   tether mcp add github --url https://api.githubcopilot.com/mcp/",
    });
  }
  const server: RawServer = {
    command: command?.[0],
    args: command && command.length > 1 ? command.slice(1) : undefined,
    env: env.length > 0 ? Object.fromEntries(env.map(parseEnvPair)) : undefined,
    cwd: parsed.cwd,
    url,
    bearer_token_env_var: parsed["bearer-token-env-var"],
    http_headers: headers.length > 0 ? Object.fromEntries(headers.map(parseHeader)) : undefined,
    protocol: parseProtocol(parsed.protocol),
    keep_alive: keepAliveOf(rawArgs) || undefined,
  };
  return { name: parsed.name, server: dropUndefined(server), force: Boolean(parsed.force) };
}

/** `--protocol`: checked here so a typo is named as the flag, not as the config key it becomes. */
function parseProtocol(value: string | undefined): ProtocolSetting | undefined {
  if (value === undefined) return undefined;
  if ((PROTOCOL_SETTINGS as readonly string[]).includes(value)) return value as ProtocolSetting;
  throw new UsageError(`--protocol must be ${PROTOCOL_SETTINGS.join(", ")} (got "${value}")`, {
    hint: "auto (the default) probes the server's era; a revision pins it",
  });
}

function parseArgPair(pair: string): [string, string] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new UsageError(`--arg expects NAME=VALUE (got "${pair.split("=")[0]}")`);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
