// Fills server.json's inputs (environment variables, headers, arguments, `{variables}`): a fixed
// value, else what the user passed, else a secret's env-var reference, else an answer on the
// terminal (or the declared default), collecting what is still missing into one error.
import { quoteWord } from "../config/command-line.ts";
import { UsageError } from "../errors.ts";
import { terminalLine } from "../text/sanitize.ts";
import type { RegistryInput } from "./server-json.ts";

/** What an input fills: an environment variable, an HTTP header, a command-line argument, or a `{variable}` in a value. */
export type InputKind = "env" | "header" | "argument" | "variable";

/** A value tether needs from the user. */
export interface NeededInput {
  kind: InputKind;
  /** How the user names it: `--env NAME=…`, `--header 'NAME: …'`, `--arg NAME=…`. */
  name: string;
  description?: string;
  default?: string;
  choices?: string[];
}

/** Asks for one value on the terminal; `""` takes the default. */
export type AskInput = (input: NeededInput) => Promise<string | undefined>;

/** The values given on the command line, by kind. */
export interface SuppliedValues {
  env: Record<string, string>;
  headers: Record<string, string>;
  /** Arguments (by valueHint or flag name without dashes) and `{variables}`, from `--arg`. */
  args: Record<string, string>;
}

/** A `${VAR}` reference: the only form a secret takes in config.toml. */
const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The env var a secret value is read from, when the whole value is one `${VAR}` reference. */
export function referencedVariable(value: string): string | undefined {
  return REFERENCE.exec(value)?.[1];
}

/** An environment variable name for a secret that is not one (a header, an argument): `X-Api-Key` → `X_API_KEY`. */
export function envNameFor(name: string): string {
  const upper = name.replace(/^-+/, "").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").toUpperCase();
  return /^[0-9]/.test(upper) || upper === "" ? `SECRET_${upper}` : upper;
}

export class InputResolver {
  /** Required inputs with no value and no terminal to ask on. */
  readonly missing: NeededInput[] = [];
  /** Env vars that secrets are read from (the user sets them; their values are never written). */
  readonly secretVariables = new Set<string>();
  private readonly usedArgs = new Set<string>();

  constructor(
    private readonly supplied: SuppliedValues,
    private readonly ask: AskInput | undefined,
    /** The new entry's name: secrets that are not env vars are read from `NAME_…`, so two servers' "token"s never share one. */
    private readonly entryName: string,
  ) {}

  /** The input's value, or undefined to leave it out (optional and not given). */
  async resolve(kind: InputKind, name: string, input: RegistryInput): Promise<string | undefined> {
    if (input.value !== undefined) return this.substitute(input.value, input.variables);
    const given = this.given(kind, name);
    if (input.isSecret === true) return this.secret(kind, name, given, input);
    if (given !== undefined) return checkChoice(kind, name, given, input.choices);
    if (input.isRequired !== true) return undefined;
    return this.required(kind, name, input);
  }

  /** `value` with each `{name}` that `variables` declares replaced by that variable's value. */
  async substitute(value: string, variables: Record<string, RegistryInput> | undefined): Promise<string> {
    if (!variables) return value;
    let result = "";
    let last = 0;
    for (const match of value.matchAll(/\{([^{}]+)\}/g)) {
      const variable = variables[match[1]!];
      if (!variable) continue;
      // A variable of a fixed value is part of it: the value is incomplete without it.
      const filled = await this.resolve("variable", match[1]!, { ...variable, isRequired: true });
      result += value.slice(last, match.index) + (filled ?? "");
      last = match.index! + match[0].length;
    }
    return result + value.slice(last);
  }

  /** `--arg` names that matched no argument or variable. */
  unusedArgs(): string[] {
    return Object.keys(this.supplied.args).filter((name) => !this.usedArgs.has(name));
  }

  private given(kind: InputKind, name: string): string | undefined {
    if (kind === "env") return this.supplied.env[name];
    if (kind === "header") {
      const key = Object.keys(this.supplied.headers).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? undefined : this.supplied.headers[key];
    }
    if (!(name in this.supplied.args)) return undefined;
    this.usedArgs.add(name);
    return this.supplied.args[name];
  }

  private secret(kind: InputKind, name: string, given: string | undefined, input: RegistryInput): string | undefined {
    const variable = kind === "env" ? name : envNameFor(`${this.entryName}_${name}`);
    if (given !== undefined) {
      const referenced = referencedVariable(given);
      if (referenced === undefined) {
        throw new UsageError(`${describeInput({ kind, name })} is a secret: tether never writes a secret's value to config.toml`, {
          hint: `leave it out and export ${variable}=… (config.toml names it), or name another variable: ${flagFor(kind, name, "${OTHER_VAR}")}`,
        });
      }
      this.secretVariables.add(referenced);
      return given;
    }
    // An optional secret env var is passed by name when set; any other optional secret is left out,
    // since an unset ${VAR} in config.toml is an error at every connect.
    if (input.isRequired !== true && kind !== "env") return undefined;
    this.secretVariables.add(variable);
    return `\${${variable}}`;
  }

  private async required(kind: InputKind, name: string, input: RegistryInput): Promise<string> {
    const needed: NeededInput = { kind, name, description: input.description, default: input.default, choices: input.choices };
    if (!this.ask) {
      if (input.default !== undefined) return input.default;
      this.missing.push(needed);
      return "";
    }
    const answer = (await this.ask(needed))?.trim();
    const value = answer === undefined || answer === "" ? input.default : answer;
    if (value === undefined) {
      throw new UsageError(`${describeInput(needed)} is required`, { hint: `give it with ${flagFor(kind, name, "…")}` });
    }
    return checkChoice(kind, name, value, input.choices);
  }
}

function checkChoice(kind: InputKind, name: string, value: string, choices: string[] | undefined): string {
  if (!choices || choices.length === 0 || choices.includes(value)) return value;
  throw new UsageError(`${describeInput({ kind, name })} must be one of ${terminalLine(choices.join(", "), 300)} (got "${terminalLine(value, 100)}")`);
}

/** "environment variable API_KEY", "header X-Api-Key", "argument port", "variable tenant". */
export function describeInput(input: Pick<NeededInput, "kind" | "name">): string {
  const label = { env: "environment variable", header: "header", argument: "argument", variable: "variable" }[input.kind];
  // Names come from the registry: made safe for the terminal wherever they are quoted.
  return `${label} ${terminalLine(input.name, 100)}`;
}

/** The flag that gives an input its value. */
export function flagFor(kind: InputKind, name: string, value: string): string {
  if (kind === "env") return `--env ${name}=${quoteWord(value)}`;
  if (kind === "header") return `--header ${quoteWord(`${name}: ${value}`)}`;
  return `--arg ${name}=${quoteWord(value)}`;
}
