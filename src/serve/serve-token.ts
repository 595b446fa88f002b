// The bearer token `tether mcp serve --http` requires when none is given with --token-env-var:
// random, made once in $TETHER_HOME/serve/token (0600, in a 0700 directory) and reused across
// restarts, so clients configured with it keep working.
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ensureHomeDir, ensurePrivateDir, writeFileAtomic } from "../files/atomic.ts";
import { ConfigError } from "../errors.ts";

/** Random bytes in a new token (base64url, 43 characters). */
export const SERVE_TOKEN_BYTES = 32;
/** The env var the printed client lines use. */
export const SERVE_TOKEN_ENV_VAR = "TETHER_SERVE_TOKEN";

export function serveTokenPath(tetherHome: string): string {
  return path.join(tetherHome, "serve", "token");
}

/** The token in `file`, made first when there is none (or it is empty). */
export function loadOrCreateServeToken(file: string): string {
  const existing = readToken(file);
  if (existing) return existing;
  ensureHomeDir(path.dirname(path.dirname(file)));
  ensurePrivateDir(path.dirname(file));
  const token = randomBytes(SERVE_TOKEN_BYTES).toString("base64url");
  writeFileAtomic(file, `${token}\n`, 0o600);
  chmodSync(file, 0o600); // exactly 0600, whatever the umask took away
  return token;
}

/** A token file larger than this is not one serve wrote. */
const MAX_TOKEN_FILE_BYTES = 4_096;

function readToken(file: string): string | undefined {
  let text: string;
  try {
    if (statSync(file).size > MAX_TOKEN_FILE_BYTES) throw new Error(`larger than ${MAX_TOKEN_FILE_BYTES} bytes; remove it and serve makes a new token`);
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError(`cannot read serve's token ${file}: ${(error as Error).message}`);
  }
  return text.trim() || undefined;
}
