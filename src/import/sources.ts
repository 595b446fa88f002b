// Where each app keeps its MCP servers, per OS (the apps' own documentation), and how to read the
// file into one list of named entries. Pure apart from the file read in `readSource`.
import { readBoundedText } from "../files/bounded-read.ts";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { ConfigError, UsageError } from "../errors.ts";

export const IMPORT_SOURCES = ["claude-desktop", "claude-code", "cursor", "vscode", "windsurf", "gemini", "codex"] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export interface Platform {
  os: NodeJS.Platform;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The app's user-level config file on this OS. */
export function defaultSourcePath(source: ImportSource, p: Platform): string {
  const win = p.os === "win32";
  const sep = (...parts: string[]) => (win ? parts.join("\\") : join(...parts));
  const appData = p.env.APPDATA ?? sep(p.home, "AppData", "Roaming");
  const macSupport = join(p.home, "Library", "Application Support");
  const xdgConfig = p.env.XDG_CONFIG_HOME ?? join(p.home, ".config");
  switch (source) {
    case "claude-desktop":
      // modelcontextprotocol.io "Connect to local MCP servers"; Linux builds follow XDG.
      return win ? sep(appData, "Claude", "claude_desktop_config.json") : p.os === "darwin" ? join(macSupport, "Claude", "claude_desktop_config.json") : join(xdgConfig, "Claude", "claude_desktop_config.json");
    case "claude-code":
      // User and local scopes live in ~/.claude.json (project scope is .mcp.json: use --path).
      return sep(p.home, ".claude.json");
    case "cursor":
      return sep(p.home, ".cursor", "mcp.json");
    case "vscode":
      // The user-profile mcp.json (a workspace's .vscode/mcp.json: use --path).
      return win ? sep(appData, "Code", "User", "mcp.json") : p.os === "darwin" ? join(macSupport, "Code", "User", "mcp.json") : join(xdgConfig, "Code", "User", "mcp.json");
    case "windsurf":
      return sep(p.home, ".codeium", "windsurf", "mcp_config.json");
    case "gemini":
      return sep(p.home, ".gemini", "settings.json");
    case "codex":
      return sep(p.env.CODEX_HOME ?? sep(p.home, ".codex"), "config.toml");
  }
}

export function parseSourceName(value: string): ImportSource {
  if ((IMPORT_SOURCES as readonly string[]).includes(value)) return value as ImportSource;
  throw new UsageError(`--from wants one of ${IMPORT_SOURCES.join(", ")}; got "${value}"`);
}

export type Entry = Record<string, unknown>;

/** The servers a file holds, by name: the table each app keeps them in (entries as found, odd ones too). */
export function serversIn(source: ImportSource, text: string, path: string, cwd: string): Map<string, unknown> {
  let data: Record<string, unknown>;
  try {
    data = source === "codex" ? (parseToml(text) as Record<string, unknown>) : parseJsonWithComments(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid ${source === "codex" ? "TOML" : "JSON"}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(`${path} does not hold a ${source === "codex" ? "TOML table" : "JSON object"} of settings`);
  }
  const out = new Map<string, unknown>();
  const take = (table: unknown) => {
    if (typeof table !== "object" || table === null || Array.isArray(table)) return;
    for (const [name, entry] of Object.entries(table)) out.set(name, entry);
  };
  switch (source) {
    case "codex":
      take(data.mcp_servers);
      break;
    case "vscode":
      // mcp.json has `servers`; a settings.json nests them under `mcp`.
      take(data.servers ?? (data.mcp as Entry | undefined)?.servers);
      break;
    case "claude-code": {
      take(data.mcpServers);
      // Local-scope servers of the project tether runs in.
      const projects = data.projects as Record<string, Entry> | undefined;
      take(projects?.[cwd]?.mcpServers);
      break;
    }
    default:
      take(data.mcpServers);
  }
  return out;
}

/** Another app's MCP config is a few KiB; the cap keeps a wrong --path from filling memory. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/** `given`: the path came from --path (else from the app's usual location). */
export function readSource(path: string, given: boolean): string {
  const text = readBoundedText(path, { maxBytes: MAX_SOURCE_BYTES, limitName: "the import size limit", notAFileHint: "pass the app's config file with --path FILE" });
  if (text !== undefined) return text;
  throw new UsageError(`no config file at ${path}`, {
    hint: given ? "check the path" : "the app keeps it elsewhere on this machine: pass it with --path FILE",
  });
}

/** Plain JSON at JSON.parse's speed; comments and trailing commas (VS Code, Windsurf) when it has them. */
function parseJsonWithComments(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(stripJsonComments(text));
  }
}

/** VS Code and Windsurf files are JSON with comments and trailing commas. */
export function stripJsonComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2);
      if (i < 0) break;
      i++;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}
