// validate.ts checks configs with schema.ts's nodes rebuilt by @ark/schema (schema-nodes.ts), not
// with the arktype types themselves: every wrong value of every key must get the same verdict and
// the same words from both, so an arktype upgrade that changes the node form fails here.
import { describe, expect, test } from "bun:test";
import { rootSchema, type RootSchema } from "@ark/schema";
import { ArkErrors } from "arktype";
import { configSchema, serverSchema } from "../../src/config/schema.ts";
import { schemaNodes } from "../../src/config/schema-nodes.ts";

/** Every kind of TOML value, in and out of the ranges the schema sets. */
const VALUES: unknown[] = [-1, 0, 0.5, 1, 1023, 1024, 65535, 65536, "", "x", "ask", "off", "none", "binary", "client_credentials", true, false, [], ["a"], ["a", 1], {}, { a: "1" }, { a: 1 }, { endpoint: "" }, { "otlp-http": { endpoint: "e" } }, { "otlp-grpc": { endpoint: "e", protocol: "json" } }, new Date(0)];

/** What a user would be told: arktype's message for the first problem, or "ok". */
function verdict(check: (value: unknown) => unknown, value: unknown): string {
  const result = check(value);
  return result instanceof ArkErrors ? `${result[0]!.path.join(".")}: ${result[0]!.problem}` : "ok";
}

function sameAsArktype(
  name: string,
  schema: typeof serverSchema | typeof configSchema,
  node: unknown,
  base: Record<string, unknown>,
  nested: Record<string, unknown>[] = [],
): void {
  const rebuilt = rootSchema(node as RootSchema);
  describe(name, () => {
    test("rebuilds to the same nodes", () => {
      expect(rebuilt.json).toEqual(schema.json);
      expect(rebuilt.props.map((p) => p.key)).toEqual(schema.props.map((p) => p.key));
    });
    test("every value of every key: same verdict, same message", () => {
      const keys = [...schema.props.map((p) => p.key as string), "unknown_key"];
      for (const key of keys) {
        for (const value of VALUES) {
          const input = { ...base, [key]: value };
          expect(`${key} = ${JSON.stringify(value)} -> ${verdict(rebuilt, input)}`).toBe(
            `${key} = ${JSON.stringify(value)} -> ${verdict(schema, input)}`,
          );
        }
      }
      for (const value of [...VALUES, ...nested]) expect(verdict(rebuilt, value)).toBe(verdict(schema, value));
      // The table is only worth something if it reaches both verdicts.
      const verdicts = new Set(keys.flatMap((key) => VALUES.map((value) => verdict(schema, { ...base, [key]: value }) === "ok")));
      expect([...verdicts].sort()).toEqual([false, true]);
    });
  });
}

const nodes = schemaNodes();
sameAsArktype("server table", serverSchema, nodes.server, { command: "cmd" });
// Values inside the nested tables: a provider, the OpenTelemetry exporter and its endpoint.
const nested = VALUES.flatMap((value) => [
  { model_providers: { p: { base_url: value } } },
  { model_providers: { p: { stream_max_bytes: value, extra: 1 } } },
  { otel: { exporter: { "otlp-http": { endpoint: "e", protocol: value } } } },
  { otel: { exporter: { "otlp-grpc": { endpoint: value } } } },
  { otel: { exporter: value } },
  { mcp_servers: { s: value } },
]);
sameAsArktype("top level", configSchema, nodes.config, {}, nested);
