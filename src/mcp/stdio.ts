// Opens a stdio server: a child with a small safe environment, stderr kept in a ring buffer.
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { Context } from "../context.ts";
import { expandList, expandMap, expandVars, requireEnvVar } from "../config/expand.ts";
import type { StdioServerConfig } from "../config/types.ts";
import { LineRing } from "./line-buffer.ts";

/** What a child inherits from tether's environment; everything else must be named in config. */
export const INHERITED_ENV_VARS: readonly string[] =
  process.platform === "win32"
    ? ["PATH", "PATHEXT", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "APPDATA", "LOCALAPPDATA", "USERPROFILE",
       "HOMEDRIVE", "HOMEPATH", "USERNAME", "TEMP", "TMP", "PROGRAMFILES", "PROGRAMDATA", "PROCESSOR_ARCHITECTURE", "LANG", "TZ"]
    : ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR", "TZ"];

export interface StdioChild {
  transport: StdioClientTransport;
  stderr: LineRing;
}

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

export function createStdioChild(ctx: Context, server: StdioServerConfig): StdioChild {
  const transport = new StdioClientTransport({
    ...launchParameters(ctx, server),
    env: childEnvironment(ctx, server),
    stderr: "pipe",
  });
  const stderr = new LineRing();
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
  return { transport, stderr };
}

/** Ends the child quickly: close stdin, then SIGKILL whatever is still running. */
export async function stopStdioChild(child: StdioChild): Promise<void> {
  const pid = child.transport.pid;
  await Promise.race([child.transport.close(), Bun.sleep(300)]);
  if (pid !== null && isAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Exited in between.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
