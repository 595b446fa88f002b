// Small facts about names and hosts shared by validation, edits and connections. Cheap to import.

export const SERVER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Where `tether mcp serve --http` (or `[serve] http`) listens: `HOST:PORT`, `:PORT` or `PORT`
 * (host 127.0.0.1); `[::1]:PORT` for IPv6. Undefined when the value is none of those.
 */
export function splitHttpBind(value: string): { host: string; port: number } | undefined {
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65_535) return undefined;
  return { host: (match[1] ?? "").replace(/^\[|\]$/g, "") || "127.0.0.1", port };
}

/** True for hosts where a token over plain http never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
