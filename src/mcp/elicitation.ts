// Elicitation forms as data: the requested schema read into fields, answers from `--input k=v`
// coerced and checked against it, and the schema's defaults. Pure; the asking lives in cli/.
import type { ElicitRequestFormParams } from "@modelcontextprotocol/client";
import { UsageError } from "../errors.ts";

export type FieldKind = "string" | "number" | "integer" | "boolean" | "choice" | "multi";

export interface ElicitField {
  name: string;
  /** The schema's title, else the property name. */
  title: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  default?: unknown;
  /** For `choice` and `multi`: the values and how to show them. */
  choices?: { value: string; title: string }[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

type Schema = ElicitRequestFormParams["requestedSchema"];
type Property = Record<string, unknown>;

/** The form's fields in the schema's order. */
export function elicitFields(schema: Schema): ElicitField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    const p = raw as Property;
    const num = (key: string) => (typeof p[key] === "number" ? (p[key] as number) : undefined);
    const field: ElicitField = {
      name,
      title: typeof p.title === "string" && p.title ? p.title : name,
      description: typeof p.description === "string" ? p.description : undefined,
      kind: "string",
      required: required.has(name),
      default: p.default,
      format: typeof p.format === "string" ? p.format : undefined,
      minimum: num("minimum"),
      maximum: num("maximum"),
      minLength: num("minLength"),
      maxLength: num("maxLength"),
      minItems: num("minItems"),
      maxItems: num("maxItems"),
    };
    if (p.type === "array") {
      field.kind = "multi";
      field.choices = choicesOf((p.items ?? {}) as Property);
    } else if (p.type === "boolean" || p.type === "number" || p.type === "integer") {
      field.kind = p.type;
    } else {
      const choices = choicesOf(p);
      if (choices.length > 0) {
        field.kind = "choice";
        field.choices = choices;
      }
    }
    return field;
  });
}

/** enum (+ legacy enumNames), oneOf/anyOf of {const, title}. */
function choicesOf(p: Property): { value: string; title: string }[] {
  if (Array.isArray(p.enum)) {
    const names = Array.isArray(p.enumNames) ? (p.enumNames as unknown[]) : [];
    return (p.enum as unknown[]).map((v, i) => ({ value: String(v), title: typeof names[i] === "string" ? (names[i] as string) : String(v) }));
  }
  const options = (Array.isArray(p.oneOf) ? p.oneOf : Array.isArray(p.anyOf) ? p.anyOf : []) as Property[];
  return options.filter((o) => o && "const" in o).map((o) => ({ value: String(o.const), title: typeof o.title === "string" ? o.title : String(o.const) }));
}

/** An answer that does not fit its field: the message says why, in one line. */
export class FieldValueError extends Error {}

/** One typed answer: numbers parsed, booleans from y/n/true/false, choices checked, multi-select comma-separated. */
export function coerceFieldValue(field: ElicitField, raw: string): unknown {
  const text = raw.trim();
  switch (field.kind) {
    case "boolean": {
      const lower = text.toLowerCase();
      if (["true", "yes", "y", "1"].includes(lower)) return true;
      if (["false", "no", "n", "0"].includes(lower)) return false;
      throw new FieldValueError(`${field.name}: expected yes or no (true/false), got "${raw}"`);
    }
    case "number":
    case "integer": {
      const n = Number(text);
      if (text === "" || !Number.isFinite(n)) throw new FieldValueError(`${field.name}: expected a number, got "${raw}"`);
      if (field.kind === "integer" && !Number.isInteger(n)) throw new FieldValueError(`${field.name}: expected a whole number, got "${raw}"`);
      if (field.minimum !== undefined && n < field.minimum) throw new FieldValueError(`${field.name}: must be at least ${field.minimum}, got ${n}`);
      if (field.maximum !== undefined && n > field.maximum) throw new FieldValueError(`${field.name}: must be at most ${field.maximum}, got ${n}`);
      return n;
    }
    case "choice":
      return pick(field, text);
    case "multi": {
      const values = text === "" ? [] : text.split(",").map((v) => pick(field, v.trim()));
      if (field.minItems !== undefined && values.length < field.minItems) throw new FieldValueError(`${field.name}: choose at least ${field.minItems}`);
      if (field.maxItems !== undefined && values.length > field.maxItems) throw new FieldValueError(`${field.name}: choose at most ${field.maxItems}`);
      return values;
    }
    default: {
      if (field.minLength !== undefined && raw.length < field.minLength) throw new FieldValueError(`${field.name}: at least ${field.minLength} characters`);
      if (field.maxLength !== undefined && raw.length > field.maxLength) throw new FieldValueError(`${field.name}: at most ${field.maxLength} characters`);
      if (field.format === "email" && !/^[^@\s]+@[^@\s]+$/.test(raw)) throw new FieldValueError(`${field.name}: expected an email address, got "${raw}"`);
      if (field.format === "uri" && !URL.canParse(raw)) throw new FieldValueError(`${field.name}: expected a URI, got "${raw}"`);
      if (field.format === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw new FieldValueError(`${field.name}: expected a date (YYYY-MM-DD), got "${raw}"`);
      return raw;
    }
  }
}

/** A choice by value or by its title (case-insensitive). */
function pick(field: ElicitField, text: string): string {
  const choices = field.choices ?? [];
  const found = choices.find((c) => c.value === text) ?? choices.find((c) => c.title.toLowerCase() === text.toLowerCase());
  if (found) return found.value;
  throw new FieldValueError(`${field.name}: "${text}" is not one of ${choices.map((c) => c.value).join(", ")}`);
}

/** `--input` values and `--input-defaults`: how a run answers forms without asking. */
export interface PresetAnswers {
  inputs: ReadonlyMap<string, string>;
  useDefaults: boolean;
}

export function parseInputPairs(pairs: readonly string[]): Map<string, string> {
  const inputs = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--input "${pair}": expected key=value`);
    inputs.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return inputs;
}

export interface PresetOutcome {
  content: Record<string, unknown>;
  /** Required fields neither an input nor a default answered. */
  missing: ElicitField[];
}

/**
 * What the presets answer: `--input` values (coerced; a bad one throws FieldValueError), then,
 * with `--input-defaults`, the schema's defaults for the rest. Inputs naming no field of this
 * form are ignored: one run may meet several forms.
 */
export function presetAnswers(fields: ElicitField[], preset: PresetAnswers): PresetOutcome {
  const content: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = preset.inputs.get(field.name);
    if (raw !== undefined) content[field.name] = coerceFieldValue(field, raw);
    else if (preset.useDefaults && field.default !== undefined) content[field.name] = field.default;
  }
  return { content, missing: fields.filter((f) => f.required && !(f.name in content)) };
}

/** A field in one line: `count (integer, 1..10, default 3, required)`. */
export function describeField(field: ElicitField): string {
  const parts: string[] = [field.kind === "choice" ? "one of" : field.kind === "multi" ? "any of" : field.kind];
  if (field.choices) parts[0] += ` ${field.choices.map((c) => (c.title !== c.value ? `${c.value} (${c.title})` : c.value)).join(", ")}`;
  if (field.format) parts.push(field.format);
  if (field.minimum !== undefined || field.maximum !== undefined) parts.push(`${field.minimum ?? ""}..${field.maximum ?? ""}`);
  if (field.default !== undefined) parts.push(`default ${Array.isArray(field.default) ? field.default.join(",") : String(field.default)}`);
  if (field.required) parts.push("required");
  return `${field.name} (${parts.join(", ")})`;
}
