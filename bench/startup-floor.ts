// The least any `tether mcp list` has to do with the runtime and parser the design card fixes: read
// config.toml (Bun.file, a bounded read: cheaper at start-up than loading node:fs), parse it
// (smol-toml) and print one line per server. No validation, no command framework, no error
// handling. bench/startup.ts compiles it like tether and reports its ratio as the floor.
import { parse } from "smol-toml";

interface Server {
  command?: string;
  args?: string[];
  url?: string;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const text = await Bun.file(`${process.env.TETHER_HOME ?? "."}/config.toml`).slice(0, MAX_CONFIG_BYTES + 1).text();
const config = parse(text) as { mcp_servers?: Record<string, Server> };
let out = "";
for (const [name, s] of Object.entries(config.mcp_servers ?? {})) {
  out += `${name}\t${s.url ? "http" : "stdio"}\t${s.url ?? [s.command, ...(s.args ?? [])].join(" ")}\tyes\tnone\n`;
}
await Bun.write(Bun.stdout, out);
