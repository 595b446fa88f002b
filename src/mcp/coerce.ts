// Builds a tool's arguments from `mcp call`'s --args-json and --arg k=v, guided by its inputSchema.
//
// --args-json is the base, each --arg sets or overrides one top-level key. A --arg value is text
// and becomes what the property's schema asks for: number/integer, boolean (true/false, yes/no,
// 1/0), null, a JSON object or array, or a string kept exactly as typed. For a union (a type
// array, anyOf, oneOf, nullable) the JSON literal forms are tried first, then the string, so
// `["string","null"]` reads `null` as null and everything else as text; when a string is allowed,
// only `true`/`false` count as booleans. enum and const are checked after coercion. A key the
// schema does not know is an error under `additionalProperties: false`, is coerced by an
// additionalProperties schema, and is otherwise JSON if it parses and text if not. Values from
// --args-json are already typed: only their top-level kind and enum are checked; servers validate
// the rest. Text read from a file or stdin (`k=@PATH`, ./argument-files.ts) is coerced the same
// way; its errors name where it came from.
import { isPlainObject } from "../values.ts";
import { UsageError } from "../errors.ts";
import { closest } from "../suggest.ts";
import { describeJsonError } from "./json-position.ts";

/** A JSON Schema as a server sends it: read defensively, as nothing guarantees its shape. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface ParameterSummary {
  name: string;
  /** `number`, `string[]`, `"a"|"b"`, `string|null`, `object`, `any`. */
  type: string;
  required: boolean;
  description?: string;
}

/** One --arg: its key, its text, and where the text came from (a file, "stdin") when not typed. */
export type ArgumentPair = readonly [key: string, text: string, from?: string];

/** --args-json's text, and where it came from (a file, "stdin") when not typed. */
export type ArgsJsonText = string | { text: string; from?: string };

/** `k=v` → [k, v], split on the first `=`; `k=` is the empty string. */
export function parseArgPairs(pairs: readonly string[]): Array<[string, string]> {
  return pairs.map((pair) => {
    const at = pair.indexOf("=");
    if (at < 0) throw new UsageError(`--arg ${quote(pair)}: expected key=value`, { hint: `e.g. --arg ${pair}=...` });
    if (at === 0) throw new UsageError(`--arg ${quote(pair)}: the key before "=" is empty`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

export function coerceArguments(
  inputSchema: JsonSchema,
  pairs: ReadonlyArray<ArgumentPair>,
  argsJson?: ArgsJsonText,
): Record<string, unknown> {
  // A Map, then fromEntries: a key such as `__proto__` stays an ordinary own property.
  const result = new Map<string, unknown>();
  const overridden = new Set(pairs.map(([key]) => key));
  const json = typeof argsJson === "string" ? { text: argsJson } : argsJson;
  const flag = json?.from === undefined ? "--args-json" : json.from === "stdin" ? "--args-json from stdin" : `--args-json @${json.from}`;
  for (const [key, value] of Object.entries(json === undefined ? {} : parseArgsJson(json.text, flag))) {
    // A value an --arg replaces is not checked: the override is how a user fixes it.
    if (!overridden.has(key)) checkJsonArgument(inputSchema, key, value, flag);
    result.set(key, value);
  }
  for (const [key, raw, from] of pairs) result.set(key, coerceArgument(inputSchema, key, raw, from));
  checkRequired(inputSchema, result);
  return Object.fromEntries(result);
}

/** One row per property, in the schema's order, for `mcp tools`. */
export function summarizeParameters(inputSchema: JsonSchema): ParameterSummary[] {
  const required = requiredOf(inputSchema);
  return Object.entries(propertiesOf(inputSchema)).map(([name, schema]) => {
    const description = typeof schema.description === "string" && schema.description !== "" ? schema.description : undefined;
    return { name, type: renderType(schema), required: required.includes(name), ...(description && { description }) };
  });
}

/** `owner (string, required), labels (string[])`: the hint under an argument error. */
export function formatParameterList(inputSchema: JsonSchema): string {
  const parameters = summarizeParameters(inputSchema);
  if (parameters.length === 0) return "the tool takes no arguments";
  return `parameters: ${parameters.map((p) => `${p.name} (${p.type}${p.required ? ", required" : ""})`).join(", ")}`;
}

function parseArgsJson(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${describeJsonError(text, error)}`);
  }
  if (!isPlainObject(value)) throw new UsageError(`${flag} must be a JSON object, got ${kindName(value)}`);
  return value;
}

function checkJsonArgument(inputSchema: JsonSchema, key: string, value: unknown, flag: string): void {
  // null for an optional parameter is how a caller says "no value" (SEP-2243 omits its header):
  // it goes to the server as sent, which decides; a required one still needs a real value.
  if (value === null && !requiredOf(inputSchema).includes(key)) return;
  const schema = propertySchema(inputSchema, key, `in ${flag}`);
  if (!schema) return;
  const alternatives = alternativesOf(schema);
  if (!accepts(alternatives, value)) {
    throw new UsageError(`argument ${quote(key)} in ${flag}: expected ${expectation(alternatives)}, got ${truncate(JSON.stringify(value))}`);
  }
}

function coerceArgument(inputSchema: JsonSchema, key: string, raw: string, from?: string): unknown {
  const schema = propertySchema(inputSchema, key, "");
  if (!schema) return parseJsonOr(raw);
  const alternatives = alternativesOf(schema);
  const kinds = kindsOf(alternatives);
  const loose = !kinds.has("string");
  let jsonDetail: string | undefined;
  for (const kind of KIND_ORDER) {
    if (!kinds.has(kind)) continue;
    const parsed = parseAs(kind, raw, loose);
    if (!parsed.ok) jsonDetail ??= parsed.error;
    else if (accepts(alternatives, parsed.value)) return parsed.value;
  }
  const detail = jsonDetail && [...kinds].every((k) => k === "object" || k === "array") ? ` (${jsonDetail})` : "";
  const where = from === undefined ? "" : from === "stdin" ? " from stdin" : ` from ${from}`;
  throw new UsageError(`argument ${quote(key)}${where}: expected ${expectation(alternatives)}, got ${truncate(quote(raw))}${detail}`, {
    hint: hintFor(key, kinds),
  });
}

/** The schema for `key`, undefined when any value goes, or a UsageError when unknown keys are refused. */
function propertySchema(inputSchema: JsonSchema, key: string, where: string): JsonSchema | undefined {
  const properties = propertiesOf(inputSchema);
  if (Object.hasOwn(properties, key)) return properties[key];
  const additional = inputSchema.additionalProperties;
  if (isPlainObject(additional)) return additional;
  if (additional !== false) return undefined;
  const known = Object.keys(properties);
  const suggestion = closest(key, known);
  const takes = known.length === 0 ? "the tool takes no arguments" : `known arguments: ${known.join(", ")}`;
  throw new UsageError(
    `unknown argument ${quote(key)}${where && ` ${where}`}${suggestion ? ` (did you mean ${quote(suggestion)}?)` : ""}; ${takes}`,
    { hint: formatParameterList(inputSchema) },
  );
}

function checkRequired(inputSchema: JsonSchema, result: Map<string, unknown>): void {
  const missing = requiredOf(inputSchema).filter((name) => !result.has(name));
  if (missing.length === 0) return;
  const noun = missing.length === 1 ? "argument" : "arguments";
  throw new UsageError(`missing required ${noun} ${missing.map(quote).join(", ")}`, {
    hint: `e.g. ${missing.map((name) => `--arg ${name}=...`).join(" ")}`,
  });
}

// --- Schema reading -------------------------------------------------------------------------

type Kind = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

/** Literal forms first, the string last: the order a union tries a --arg value in. */
const KIND_ORDER: readonly Kind[] = ["null", "integer", "number", "boolean", "object", "array", "string"];
const KINDS: ReadonlySet<string> = new Set(KIND_ORDER);
const MAX_DEPTH = 8;

/** One branch of a union: the kinds it takes, and if it is an enum or const, the exact values. */
interface Alternative {
  kinds: ReadonlySet<Kind>;
  values?: readonly unknown[];
}

function alternativesOf(schema: JsonSchema, depth = 0): Alternative[] {
  const members = [schema.anyOf, schema.oneOf].find(Array.isArray)?.filter(isPlainObject);
  if (members && members.length > 0 && depth < MAX_DEPTH) return members.flatMap((m) => alternativesOf(m, depth + 1));
  const values = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : undefined;
  const declared = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is Kind => KINDS.has(t as string));
  const kinds = new Set<Kind>(declared.length > 0 ? declared : values ? values.flatMap(kindsOfValue) : KIND_ORDER);
  if (schema.nullable === true) kinds.add("null");
  return [{ kinds, ...(values && { values }) }];
}

function kindsOf(alternatives: readonly Alternative[]): Set<Kind> {
  return new Set(alternatives.flatMap((a) => [...a.kinds]));
}

function accepts(alternatives: readonly Alternative[], value: unknown): boolean {
  return alternatives.some(
    (a) => kindsOfValue(value).some((k) => a.kinds.has(k)) && (!a.values || a.values.some((v) => jsonEqual(v, value))),
  );
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  // A boolean subschema `true` means "anything"; treat it (and any junk) as an empty schema.
  return Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, isPlainObject(s) ? s : {}]));
}

function requiredOf(schema: JsonSchema): string[] {
  return Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : [];
}

/** `number`, `string[]`, `"a"|"b"`, `(string|number)[]`; `any` where the schema says nothing. */
function renderType(schema: JsonSchema, depth = 0): string {
  if (depth > MAX_DEPTH) return "any";
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join("|");
  if ("const" in schema) return JSON.stringify(schema.const);
  const members = [schema.anyOf, schema.oneOf].find(Array.isArray)?.filter(isPlainObject);
  if (members && members.length > 0) return unique(members.map((m) => renderType(m, depth + 1))).join("|");
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is string => typeof t === "string");
  if (schema.nullable === true && !types.includes("null")) types.push("null");
  if (types.length === 0) return "any";
  return types
    .map((type) => {
      if (type !== "array" || !isPlainObject(schema.items)) return type;
      const items = renderType(schema.items, depth + 1);
      return items.includes("|") ? `(${items})[]` : `${items}[]`;
    })
    .join("|");
}

// --- Values -----------------------------------------------------------------------------------

type Parsed = { ok: true; value: unknown } | { ok: false; error?: string };

const NO: Parsed = { ok: false };

function parseAs(kind: Kind, raw: string, loose: boolean): Parsed {
  const text = raw.trim();
  switch (kind) {
    case "null":
      return text === "null" || (loose && text === "") ? { ok: true, value: null } : NO;
    case "integer":
    case "number":
      // Number() alone would accept "", "0x10" and "Infinity".
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? { ok: true, value: Number(text) } : NO;
    case "boolean": {
      const word = text.toLowerCase();
      if (word === "true" || (loose && (word === "yes" || word === "1"))) return { ok: true, value: true };
      if (word === "false" || (loose && (word === "no" || word === "0"))) return { ok: true, value: false };
      return NO;
    }
    case "object":
    case "array":
      try {
        const value: unknown = JSON.parse(raw);
        return kindsOfValue(value).includes(kind) ? { ok: true, value } : { ok: false, error: kindName(value) };
      } catch (error) {
        return { ok: false, error: describeJsonError(raw, error) };
      }
    case "string":
      return { ok: true, value: raw };
  }
}

function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function kindsOfValue(value: unknown): Kind[] {
  if (value === null) return ["null"];
  if (Array.isArray(value)) return ["array"];
  if (typeof value === "number") return Number.isInteger(value) ? ["integer", "number"] : ["number"];
  if (typeof value === "boolean" || typeof value === "string" || typeof value === "object") return [typeof value as Kind];
  return [];
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}


// --- Messages ---------------------------------------------------------------------------------

const NOUNS: Record<Kind, string> = {
  null: "null",
  boolean: "a boolean",
  integer: "an integer",
  number: "a number",
  string: "a string",
  array: "a JSON array",
  object: "a JSON object",
};

/** `a number`, `one of "a", "b"`, `"auto" or an integer`, `a string or null`. */
function expectation(alternatives: readonly Alternative[]): string {
  if (alternatives.every((a) => a.values)) {
    const values = unique(alternatives.flatMap((a) => a.values!.map((v) => JSON.stringify(v))));
    return values.length === 1 ? values[0]! : `one of ${values.join(", ")}`;
  }
  const parts = unique(
    alternatives.flatMap((a) => {
      if (a.values) return a.values.map((v) => JSON.stringify(v));
      return KIND_ORDER.filter((k) => a.kinds.has(k) && !(k === "integer" && a.kinds.has("number"))).map((k) => NOUNS[k]);
    }),
  );
  // Strings read best first: "a string or null" rather than "null or a string".
  parts.sort((x, y) => Number(x === "null") - Number(y === "null"));
  return parts.length <= 1 ? (parts[0] ?? "nothing") : `${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}`;
}

function hintFor(key: string, kinds: ReadonlySet<Kind>): string | undefined {
  if (kinds.has("string")) return undefined;
  if (kinds.has("array")) return `pass JSON, e.g. --arg ${key}='["a","b"]'`;
  if (kinds.has("object")) return `pass JSON, e.g. --arg ${key}='{"key":"value"}'`;
  if (kinds.has("boolean")) return "use true/false, yes/no or 1/0";
  return undefined;
}

function kindName(value: unknown): string {
  if (value === null) return "null";
  return article(Array.isArray(value) ? "array" : typeof value);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function truncate(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
