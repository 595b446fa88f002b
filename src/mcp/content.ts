// Facts about MCP content without decoding it. Dependency-free: views and the agent both use it.

/** What atob (and so the SDK's base64 check) skips: servers may send base64 wrapped in lines. */
const BASE64_WHITESPACE = /[\t\n\f\r ]/;

/**
 * The decoded size of base64 `data` (as the SDK accepts it), from its length and padding: a
 * 20 MiB blob is never decoded just to be counted.
 */
export function base64Bytes(data: string): number {
  const compact = BASE64_WHITESPACE.test(data) ? data.replace(/[\t\n\f\r ]+/g, "") : data;
  const padding = compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((compact.length * 3) / 4) - padding);
}
