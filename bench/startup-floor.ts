// The least any `tether mcp list` has to do, with the runtime and libraries the design card fixes:
// read config.toml without trusting it (node:fs: open non-blocking, fstat, read), parse it
// (smol-toml) and print one line per server. No validation, no commands, no error handling.
// bench/startup.ts compiles it like tether and reports its ratio as the floor under `mcp list`.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";

interface Server {
  command?: string;
  args?: string[];
  url?: string;
}

const fd = openSync(join(process.env.TETHER_HOME ?? ".", "config.toml"), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
const buffer = Buffer.alloc(fstatSync(fd).size + 1);
const length = readSync(fd, buffer, 0, buffer.length, null);
closeSync(fd);
const config = parse(buffer.toString("utf8", 0, length)) as { mcp_servers?: Record<string, Server> };
let out = "";
for (const [name, s] of Object.entries(config.mcp_servers ?? {})) {
  out += `${name}\t${s.url ? "http" : "stdio"}\t${s.url ?? [s.command, ...(s.args ?? [])].join(" ")}\tyes\tnone\n`;
}
await Bun.write(Bun.stdout, out);
