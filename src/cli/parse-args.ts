// `util.parseArgs` for citty in the compiled executable (build.ts cittyParseArgsPlugin): importing
// node:util costs ~0.8 ms on every start, a fifth of `tether mcp list`. Follows Bun's own
// implementation (src/bun.js/node/util/parse_args.zig) for what citty asks of it — `strict: false`,
// `allowPositionals`, string and boolean options with `short` and `default` — and nothing more.
// test/cli/parse-args.test.ts checks it against node:util's parseArgs on thousands of argv.

export interface ParseArgsOptionConfig {
  type: "string" | "boolean";
  short?: string;
  default?: string | boolean;
}

export interface ParseArgsConfig {
  args?: string[];
  options?: Record<string, ParseArgsOptionConfig>;
  strict?: boolean;
  allowPositionals?: boolean;
}

export interface ParsedResults {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

interface OptionToken {
  kind: "option";
  name: string;
  value: string | undefined;
}

type Token = OptionToken | { kind: "positional"; value: string } | { kind: "option-terminator" };

export function parseArgs(config: ParseArgsConfig = {}): ParsedResults {
  const args = own(config, "args") ?? process.argv.slice(2);
  const strict = own(config, "strict") ?? true;
  const allowPositionals = own(config, "allowPositionals") ?? !strict;
  const options: Record<string, ParseArgsOptionConfig> = own(config, "options") ?? Object.create(null);
  // Strict mode, tokens, negation and `multiple` are not ported: fail loudly if citty starts to use them.
  for (const key of ["tokens", "allowNegative"] as const) {
    if (own(config as Record<string, unknown>, key) !== undefined) throw new TypeError(`parseArgs: "${key}" is not supported`);
  }
  if (strict !== false) throw new TypeError("parseArgs: only strict: false is supported");
  if (!Array.isArray(args)) throw new TypeError('The "args" argument must be an instance of Array');
  if (typeof allowPositionals !== "boolean") throw new TypeError('The "allowPositionals" argument must be of type boolean');
  if (!isObject(options)) throw new TypeError('The "options" argument must be of type object');
  for (const [name, option] of Object.entries(options)) validateOption(name, option);

  const result: ParsedResults = { values: Object.create(null), positionals: [] };
  for (const token of argsToTokens(args, options)) {
    if (token.kind === "option") storeOption(token.name, token.value ?? true, result.values);
    else if (token.kind === "positional") {
      if (!allowPositionals) throw new TypeError(`Unexpected argument '${token.value}'. This command does not take positional arguments`);
      result.positionals.push(token.value);
    }
  }
  for (const [name, option] of Object.entries(options)) {
    const fallback = own(option, "default");
    if (fallback !== undefined && result.values[name] === undefined) storeOption(name, fallback, result.values);
  }
  return result;
}

function validateOption(name: string, option: unknown): void {
  if (!isObject(option)) throw new TypeError(`The "options.${name}" property must be of type object`);
  const type = own(option as ParseArgsOptionConfig, "type");
  if (type !== "string" && type !== "boolean") throw new TypeError(`The "options.${name}.type" property must be one of: 'string', 'boolean'`);
  if (Object.hasOwn(option, "short")) {
    const short = (option as ParseArgsOptionConfig).short;
    if (typeof short !== "string") throw new TypeError(`The "options.${name}.short" property must be of type string`);
    if (short.length !== 1) throw new TypeError(`The property 'options.${name}.short' must be a single character`);
  }
  if (own(option as Record<string, unknown>, "multiple") !== undefined) throw new TypeError(`parseArgs: "options.${name}.multiple" is not supported`);
  const fallback = own(option as ParseArgsOptionConfig, "default");
  if (fallback !== undefined && typeof fallback !== type) throw new TypeError(`The "options.${name}.default" property must be of type ${type}`);
}

function argsToTokens(args: readonly string[], options: Record<string, ParseArgsOptionConfig>): Token[] {
  const tokens: Token[] = [];
  // A string option takes the next argument, whatever it looks like, when there is one.
  const takesNext = (name: string, i: number) => optionType(options, name) === "string" && i + 1 < args.length;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      tokens.push({ kind: "option-terminator" });
      for (const value of args.slice(i + 1)) tokens.push({ kind: "positional", value });
      break;
    }
    if (arg.length === 2 && arg.startsWith("-")) {
      const name = longForShort(arg.charAt(1), options);
      tokens.push({ kind: "option", name, value: takesNext(name, i) ? args[++i] : undefined });
    } else if (arg.length > 2 && arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      if (equals >= 3) tokens.push({ kind: "option", name: arg.slice(2, equals), value: arg.slice(equals + 1) });
      else {
        const name = arg.slice(2);
        tokens.push({ kind: "option", name, value: takesNext(name, i) ? args[++i] : undefined });
      }
    } else if (arg.length > 2 && arg.startsWith("-")) {
      if (optionType(options, longForShort(arg.charAt(1), options)) === "string") {
        tokens.push({ kind: "option", name: longForShort(arg.charAt(1), options), value: arg.slice(2) });
        continue;
      }
      // -abc is -a -b -c; a string option in the middle takes the rest (-abfFILE), a last one the next argument.
      const group = arg;
      for (let at = 1; at < group.length; at++) {
        const name = longForShort(group.charAt(at), options);
        if (optionType(options, name) !== "string" || at === group.length - 1) {
          tokens.push({ kind: "option", name, value: takesNext(name, i) ? args[++i] : undefined });
        } else {
          tokens.push({ kind: "option", name, value: group.slice(at + 1) });
          break;
        }
      }
    } else {
      tokens.push({ kind: "positional", value: arg });
    }
  }
  return tokens;
}

function storeOption(name: string, value: string | boolean, values: ParsedResults["values"]): void {
  if (name === "__proto__") return;
  values[name] = value;
}

/** The option whose `short` it is, else a one-letter long option of that name, else the letter itself. */
function longForShort(short: string, options: Record<string, ParseArgsOptionConfig>): string {
  let sameName: string | undefined;
  for (const [name, option] of Object.entries(options)) {
    if (own(option, "short") === short) return name;
    if (name === short) sameName ??= name;
  }
  return sameName ?? short;
}

function optionType(options: Record<string, ParseArgsOptionConfig>, name: string): string | undefined {
  return Object.hasOwn(options, name) ? own(options[name]!, "type") : undefined;
}

function own<T extends object, K extends keyof T>(object: T, key: K): T[K] | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
