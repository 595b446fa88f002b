// enabled_tools (an allow-list) then disabled_tools (a deny-list) decide what a server offers.
import type { ServerConfig } from "../config/types.ts";

export function isToolAllowed(server: ServerConfig, name: string): boolean {
  if (server.enabledTools && !server.enabledTools.includes(name)) return false;
  return !server.disabledTools.includes(name);
}

export function filterTools<T extends { name: string }>(server: ServerConfig, tools: T[]): T[] {
  return tools.filter((tool) => isToolAllowed(server, tool.name));
}
