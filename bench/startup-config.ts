// The config.toml the startup benchmark lists: a realistic mix of stdio and HTTP servers (SPEC §2).

export function startupConfigToml(servers: number): string {
  const blocks: string[] = [`model = "gpt-5-codex"\n`];
  for (let i = 0; i < servers; i++) {
    if (i % 2 === 0) {
      blocks.push(
        `[mcp_servers.stdio-${i}]\ncommand = "x"\nargs = ["--port", "${4000 + i}"]\nenv = { LOG_LEVEL = "info" }\nstartup_timeout_sec = 10\n`,
      );
    } else {
      blocks.push(`[mcp_servers.http-${i}]\nurl = "http://127.0.0.1:1/mcp"\nhttp_headers = { "X-Region" = "eu" }\n`);
    }
  }
  return blocks.join("\n");
}
