// An app's server entry read field by field, each of the type tether expects: a field of another
// type (a string where a list belongs, a table of tables) stops the entry with a reason saying so.
import type { Entry } from "./sources.ts";

/** A field of the wrong type: the entry is skipped with this reason. */
export class OddField extends Error {}

export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a table" : `a ${typeof value}`;
}

/** Reads an entry's fields by type, remembering which it looked at. */
export class Fields {
  readonly seen = new Set<string>();
  constructor(private readonly entry: Entry) {}

  has(key: string): boolean {
    return this.entry[key] !== undefined;
  }

  private get(key: string): unknown {
    this.seen.add(key);
    return this.entry[key];
  }

  private odd(key: string, want: string, got: unknown): never {
    throw new OddField(`'${key}' must be ${want}, got ${kindOf(got)}`);
  }

  string(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === "string") return value;
    return this.odd(key, "a string", value);
  }

  number(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined || (typeof value === "number" && Number.isFinite(value))) return value;
    return this.odd(key, "a number", value);
  }

  boolean(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined || typeof value === "boolean") return value;
    return this.odd(key, "true or false", value);
  }

  /** A list of strings; numbers and booleans are taken as their text (`"--port", 8080`). */
  strings(key: string): string[] | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.odd(key, "a list of strings", value);
    const bad = value.find((item) => !isScalar(item));
    if (bad !== undefined) return this.odd(key, "a list of strings", `a list holding ${kindOf(bad)}`);
    return value.map(String);
  }

  /** A table of strings (env, headers); numbers and booleans are taken as their text. */
  table(key: string): [string, string][] | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return this.odd(key, "a table of strings", value);
    const entries = Object.entries(value);
    const bad = entries.find(([, item]) => !isScalar(item));
    if (bad) throw new OddField(`'${key}.${bad[0]}' must be a string, got ${kindOf(bad[1])}`);
    return entries.map(([k, item]) => [k, String(item)]);
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean";
}
