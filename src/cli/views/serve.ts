// What `tether mcp serve` tells the user: on stderr only, since stdout may be the MCP channel.
import type { IO } from "../../context.ts";
import { terminalText } from "../../text/sanitize.ts";

export function renderServeListening(io: IO, url: string, servers: string[]): void {
  const names = servers.length > 0 ? servers.map((s) => terminalText(s)).join(", ") : "(no servers)";
  io.stderr.write(`serving MCP at ${url} for ${names}\n`);
}
