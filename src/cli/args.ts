// Shared argument definitions and the argv checks citty leaves to us.
import type { ArgsDef } from "citty";
import { UsageError } from "../errors.ts";
import { closest } from "../suggest.ts";

export const jsonArg = {
  json: { type: "boolean", description: "Print JSON (a stable shape, see README)" },
} as const satisfies ArgsDef;

export const serverNameArg = {
  name: { type: "positional", description: "Server name", required: true, valueHint: "NAME" },
} as const satisfies ArgsDef;

/** The tokens before a `--` separator (flags after it belong to the server command). */
export function beforeSeparator(rawArgs: readonly string[]): readonly string[] {
  const end = rawArgs.indexOf("--");
  return end < 0 ? rawArgs : rawArgs.slice(0, end);
}

/** The tokens after a `--` separator, or undefined when there is none. */
export function afterSeparator(rawArgs: readonly string[]): string[] | undefined {
  const start = rawArgs.indexOf("--");
  return start < 0 ? undefined : rawArgs.slice(start + 1);
}

/** Every value of a repeatable flag (`--env A=1 --env=B=2`), in order. citty keeps only the last. */
export function repeatedFlag(rawArgs: readonly string[], flag: string): string[] {
  const args = beforeSeparator(rawArgs);
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === `--${flag}`) {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError(`--${flag} needs a value`);
      values.push(value);
      i++;
    } else if (token.startsWith(`--${flag}=`)) {
      values.push(token.slice(flag.length + 3));
    }
  }
  return values;
}

/**
 * Rejects flags the command does not define and, unless it takes any number of words (`variadic`),
 * more positional arguments than it declares: a typo or a misplaced argument must not silently do
 * nothing (`mcp call fx add a=1` would otherwise call `add` without arguments).
 */
export function rejectUnknownArguments(rawArgs: readonly string[], args: ArgsDef, command: string, variadic = false): void {
  const known = new Map<string, string | undefined>();
  let positionals = 0;
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") {
      positionals++;
      continue;
    }
    known.set(name, def.type);
    const aliases = "alias" in def ? def.alias : undefined;
    for (const alias of [aliases ?? []].flat()) known.set(alias, def.type);
  }
  const tokens = beforeSeparator(rawArgs);
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith("-") || token === "-" || /^-\d/.test(token)) {
      words.push(token);
      continue;
    }
    const name = token.replace(/^--?/, "").split("=")[0]!;
    const type = known.get(name);
    if (type === "string" || type === "enum") {
      if (!token.includes("=")) i++;
      continue;
    }
    if (known.has(name)) continue;
    if (name.startsWith("no-") && known.get(name.slice(3)) === "boolean") continue;
    const near = closest(name, [...known.keys()]);
    throw new UsageError(`unknown flag ${token.split("=")[0]} for "${command}"`, {
      hint: near ? `did you mean --${near}?` : `see: ${command} --help`,
    });
  }
  const extra = words[positionals];
  if (variadic || extra === undefined) return;
  // `key=value` where the command has --arg: the user meant an argument for the tool or prompt.
  const asArg = known.has("arg") && /^[^=\s]+=/.test(extra);
  throw new UsageError(`unexpected argument ${JSON.stringify(extra)} for "${command}"`, {
    hint: asArg ? `pass it with --arg ${extra}` : `see: ${command} --help`,
  });
}

/** A flag taking a whole number (`--body-timeout SECONDS`, `--max-upstream-sessions N`, …), at least `min`. */
export function parseWholeNumber(flag: string, value: string, min: number): number {
  const n = /^\d{1,10}$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isNaN(n) || n < min) throw new UsageError(`${flag} wants a whole number${min > 0 ? ` of at least ${min}` : ""}, got "${value}"`);
  return n;
}

/** Keep-alive (issue 22): run the server in the config's background daemon (`--no-keep-alive`: not, whatever keep_alive says). */
export const keepAliveArg = {
  "keep-alive": { type: "boolean", description: "Keep the server running between commands (in the keep-alive daemon)" },
} as const satisfies ArgsDef;

/** `--keep-alive` → true, `--no-keep-alive` → false, neither → undefined (the server's keep_alive decides). */
export function keepAliveOf(rawArgs: readonly string[]): boolean | undefined {
  const args = beforeSeparator(rawArgs);
  let value: boolean | undefined;
  for (const token of args) {
    if (token === "--keep-alive" || token === "--keep-alive=true") value = true;
    else if (token === "--no-keep-alive" || token === "--keep-alive=false") value = false;
  }
  return value;
}
