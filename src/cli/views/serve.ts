// What `tether mcp serve` tells the user: on stderr only, since stdout may be the MCP channel.
import type { IO } from "../../context.ts";
import { SERVE_TOKEN_ENV_VAR } from "../../serve/serve-token.ts";
import type { ServeTokenNotice } from "../../serve/serve.ts";
import { terminalText } from "../../text/sanitize.ts";

export function renderServeListening(io: IO, url: string, servers: string[], token: ServeTokenNotice): void {
  const names = servers.length > 0 ? servers.map((s) => terminalText(s)).join(", ") : "(no servers)";
  let notice = `serving MCP at ${url} for ${names}\n`;
  if (token.file) {
    // The value never leaves the file: the lines read it there.
    const file = shellQuote(token.file);
    notice +=
      `clients must send the bearer token in ${terminalText(token.file)}:\n` +
      `  export ${SERVE_TOKEN_ENV_VAR}=$(cat ${file})\n` +
      `  tether mcp add NAME --url ${url} --bearer-token-env-var ${SERVE_TOKEN_ENV_VAR}\n`;
  }
  if (token.issuer) {
    notice +=
      `clients log in with OAuth at ${terminalText(token.issuer)}:\n` +
      `  tether mcp add NAME --url ${terminalText(token.publicUrl ?? url)} && tether mcp login NAME\n`;
  }
  // One write: a reader that waits for the first line gets the rest with it.
  io.stderr.write(notice);
}

/** A path as one shell word: as is when plain, else in single quotes. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
