// The config schema in arktype's node form, computed from schema.ts when the code is transpiled:
// validate.ts imports this as a Bun macro, so the executable holds the nodes as JSON and never
// imports arktype, whose keyword scope alone takes ~70 ms to build; @ark/schema, the layer that
// arktype's types validate with, loads and rebuilds the same nodes (same checks, same messages) in
// ~20 ms.
import { configSchema, serverSchema } from "./schema.ts";

export type SchemaNode = typeof serverSchema.json;

export function schemaNodes(): { server: SchemaNode; config: SchemaNode } {
  return { server: serverSchema.json, config: configSchema.json };
}
