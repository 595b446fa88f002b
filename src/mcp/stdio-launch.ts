// What a stdio server is started with: its command line, directory and environment, ${VAR}s
// expanded. Apart from stdio.ts, which loads the SDK's transport, so the keep-alive client can
// tell whether a server changed without loading the SDK.
import type { Context } from "../context.ts";
import { expandList, expandMap, expandVars, requireEnvVar } from "../config/expand.ts";
import type { StdioServerConfig } from "../config/types.ts";

/** What a child inherits from tether's environment; everything else must be named in config. */
const INHERITED_ENV_VARS: readonly string[] =
  process.platform === "win32"
    ? ["PATH", "PATHEXT", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "APPDATA", "LOCALAPPDATA", "USERPROFILE",
       "HOMEDRIVE", "HOMEPATH", "USERNAME", "TEMP", "TMP", "PROGRAMFILES", "PROGRAMDATA", "PROCESSOR_ARCHITECTURE", "LANG", "TZ"]
    : ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR", "TZ"];

/** The child's environment: the safe inherited set, then `env_vars` copied by name, then `env`. */
export function childEnvironment(ctx: Context, server: StdioServerConfig): Record<string, string> {
  const where = `server "${server.name}"`;
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV_VARS) {
    const value = ctx.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const name of server.envVars) env[name] = requireEnvVar(ctx.env, name, `${where} env_vars`);
  return { ...env, ...expandMap(server.env, ctx.env, `${where} env`) };
}

/** What identifies a stdio server's launch: the command, arguments and directory, ${VAR}s expanded. */
export function launchParameters(ctx: Context, server: StdioServerConfig): { command: string; args: string[]; cwd?: string } {
  const where = `server "${server.name}"`;
  return {
    command: expandVars(server.command, ctx.env, `${where} command`),
    args: expandList(server.args, ctx.env, `${where} args`),
    cwd: server.cwd ? expandVars(server.cwd, ctx.env, `${where} cwd`) : undefined,
  };
}
