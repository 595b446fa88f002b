// The compiled executable gives citty src/cli/parse-args.ts instead of node:util's parseArgs
// (build.ts): both must read every argv the same way, or `tether` and `bun src/main.ts` differ.
import { describe, expect, test } from "bun:test";
import { parseArgs as nodeParseArgs } from "node:util";
import { parseArgs, type ParseArgsConfig } from "../../src/cli/parse-args.ts";

type Outcome = { values: [string, unknown][]; positionals: string[] } | "throws";

function outcome(parse: (config: ParseArgsConfig) => { values: object; positionals: string[] }, config: ParseArgsConfig): Outcome {
  try {
    const { values, positionals } = parse(config);
    return { values: Object.entries(values), positionals };
  } catch {
    // citty treats any error the same way (every token positional), so only the fact matters.
    return "throws";
  }
}

// Option sets of the shapes citty builds from tether's commands (parseRawArgs in citty's index.mjs).
const OPTION_SETS: Record<string, ParseArgsConfig["options"]> = {
  none: undefined,
  root: { config: { type: "string" }, version: { type: "boolean", short: "V" } },
  list: { json: { type: "boolean" }, status: { type: "boolean" } },
  add: {
    url: { type: "string" },
    env: { type: "string", short: "e" },
    "bearer-token-env-var": { type: "string" },
    bearerTokenEnvVar: { type: "string" },
    json: { type: "boolean", short: "j" },
    verbose: { type: "boolean", default: false },
    model: { type: "string", short: "m", default: "gpt" },
  },
  oneLetter: { j: { type: "string" }, x: { type: "boolean", short: "j" }, m: { type: "string", default: "d" } },
  invalidType: { x: { type: "number" as "string" } },
  invalidShort: { x: { type: "string", short: "xy" } },
  invalidDefault: { x: { type: "string", default: true } },
};

const WORDS = [
  "mcp", "list", "add", "x=y", "-", "--", "---x", "-5", "--=", "--a=b=c", "--json", "--json=false", "--no-json",
  "--status", "--config", "--config=c.toml", "-V", "-Vj", "-j", "-jV", "-e", "-eA=1", "-jeA=1", "-je", "-m", "-mgpt-5",
  "--env", "A=1", "--url", "--url=http://x", "--bearer-token-env-var", "TOKEN", "--bearerTokenEnvVar=T", "--verbose",
  "--model", "--__proto__", "--__proto__=1", "-x", "--x", "-abc", "--unknown", "--unknown=v",
];

function* argvs(count: number): Generator<string[]> {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < count; i++) {
    const length = Math.floor(next() * 6);
    yield Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]!);
  }
}

describe("parseArgs for citty", () => {
  for (const [name, options] of Object.entries(OPTION_SETS)) {
    test(`reads every argv as node:util does (options: ${name})`, () => {
      for (const args of argvs(1500)) {
        const config: ParseArgsConfig = { args, options, allowPositionals: true, strict: false };
        expect({ args, result: outcome(parseArgs, config) }).toEqual({ args, result: outcome(nodeParseArgs as never, config) });
      }
    });
  }

  test("refuses what it does not implement, so a citty upgrade that needs it fails loudly", () => {
    expect(() => parseArgs({ args: [], strict: true })).toThrow("strict");
    expect(() => parseArgs({ args: [], strict: false, tokens: true } as ParseArgsConfig)).toThrow("tokens");
    expect(() => parseArgs({ args: [], strict: false, options: { a: { type: "string", multiple: true } as never } })).toThrow("multiple");
  });
});
