// Checks on untrusted values (parsed TOML, JSON from servers and stores). A leaf: imports nothing.

/** A plain `{…}` object: not null, not an array, not a TOML date. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
