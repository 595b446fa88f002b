// How a config file names its daemon: the key and the socket's file name. Apart from paths.ts,
// with nothing to load: the thin client of a relayed command (cli/daemon-relay.ts) finds the
// socket with these before node:fs or node:path would cost it more than the rest of its run.

/**
 * sun_path holds 104 bytes on macOS and 108 on Linux, terminator included: a longer socket path
 * cannot be bound at all, so such a path moves to a short private directory instead (paths.ts).
 */
export const MAX_SOCKET_PATH_BYTES = 100;

/** The directory under $TETHER_HOME with every daemon's socket, metadata, lock and log. */
export const DAEMON_DIR = "daemon";

/** The first 16 hex digits of sha256(absolute config path). */
export function daemonKey(configPath: string): string {
  return new Bun.CryptoHasher("sha256").update(configPath).digest("hex").slice(0, 16);
}

export function socketFileName(key: string): string {
  return `${key}.sock`;
}
