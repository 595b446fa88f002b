// `mcp call` arguments: every coercion rule, and the exact one-line errors a user sees.
import { describe, expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { UsageError } from "../../src/errors.ts";
import {
  coerceArguments,
  formatParameterList,
  type JsonSchema,
  parseArgPairs,
  summarizeParameters,
} from "../../src/mcp/coerce.ts";
import { locateJsonError } from "../../src/mcp/json-position.ts";

const KITCHEN_SINK: JsonSchema = {
  type: "object",
  properties: {
    count: { type: "number" },
    limit: { type: "integer" },
    draft: { type: "boolean" },
    title: { type: "string" },
    filter: { type: "object" },
    labels: { type: "array", items: { type: "string" } },
    nothing: { type: "null" },
    color: { type: "string", enum: ["red", "green"] },
    level: { type: "integer", enum: [1, 2, 3] },
    cursor: { type: ["string", "null"] },
    size: { type: ["number", "boolean"] },
    mode: { anyOf: [{ type: "string", enum: ["auto"] }, { type: "integer" }] },
    when: { oneOf: [{ type: "number" }, { type: "null" }] },
    note: { type: "string", nullable: true },
    exact: { const: "yes" },
    anything: {},
    payload: { type: ["object", "array"] },
  },
};

const GITHUB_CREATE_ISSUE: JsonSchema = {
  type: "object",
  properties: {
    owner: { type: "string", description: "Repository owner" },
    repo: { type: "string", description: "Repository name" },
    title: { type: "string", description: "Issue title" },
    body: { type: "string", description: "Issue body content" },
    labels: { type: "array", items: { type: "string" }, description: "Labels to apply to this issue" },
    assignees: { type: "array", items: { type: "string" } },
    milestone: { type: "number", description: "Milestone number" },
  },
  required: ["owner", "repo", "title"],
  additionalProperties: false,
  $schema: "http://json-schema.org/draft-07/schema#",
};

function coerce(schema: JsonSchema, args: string[], argsJson?: string): Record<string, unknown> {
  return coerceArguments(schema, parseArgPairs(args), argsJson);
}

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

function messageOf(run: () => unknown): string {
  return usageError(run).message;
}

describe("parseArgPairs", () => {
  test("splits on the first `=`", () => {
    expect(parseArgPairs(["a=1", "q=x=y", "empty=", "url=https://e.com/?a=b"])).toEqual([
      ["a", "1"],
      ["q", "x=y"],
      ["empty", ""],
      ["url", "https://e.com/?a=b"],
    ]);
    expect(parseArgPairs([])).toEqual([]);
  });

  test("a pair without `=` is a usage error with an example", () => {
    const error = usageError(() => parseArgPairs(["ok=1", "title"]));
    expect(error.message).toBe('--arg "title": expected key=value');
    expect(error.hint).toBe("e.g. --arg title=...");
    expect(error.exitCode).toBe(2);
  });

  test("an empty key is a usage error", () => {
    expect(messageOf(() => parseArgPairs(["=value"]))).toBe('--arg "=value": the key before "=" is empty');
  });
});

describe("coerceArguments: numbers", () => {
  test("number accepts integers, decimals, signs and exponents", () => {
    expect(coerce(KITCHEN_SINK, ["count=3"])).toEqual({ count: 3 });
    expect(coerce(KITCHEN_SINK, ["count=-2.5"])).toEqual({ count: -2.5 });
    expect(coerce(KITCHEN_SINK, ["count=1e3"])).toEqual({ count: 1000 });
    expect(coerce(KITCHEN_SINK, ["count=.5"])).toEqual({ count: 0.5 });
    expect(coerce(KITCHEN_SINK, ["count= 7 "])).toEqual({ count: 7 });
  });

  test("number rejects anything that is not a decimal literal", () => {
    expect(messageOf(() => coerce(KITCHEN_SINK, ["count=abc"]))).toBe('argument "count": expected a number, got "abc"');
    for (const raw of ["", "0x10", "Infinity", "NaN", "1,5", "1 2", "true"]) {
      expect(messageOf(() => coerce(KITCHEN_SINK, [`count=${raw}`]))).toBe(
        `argument "count": expected a number, got ${JSON.stringify(raw)}`,
      );
    }
  });

  test("integer accepts whole numbers and rejects fractions", () => {
    expect(coerce(KITCHEN_SINK, ["limit=10"])).toEqual({ limit: 10 });
    expect(coerce(KITCHEN_SINK, ["limit=-3"])).toEqual({ limit: -3 });
    expect(coerce(KITCHEN_SINK, ["limit=2.0"])).toEqual({ limit: 2 });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["limit=1.5"]))).toBe('argument "limit": expected an integer, got "1.5"');
    expect(messageOf(() => coerce(KITCHEN_SINK, ["limit=ten"]))).toBe('argument "limit": expected an integer, got "ten"');
  });
});

describe("coerceArguments: booleans, strings, null", () => {
  test("boolean accepts true/false/1/0/yes/no in any case", () => {
    for (const raw of ["true", "TRUE", "1", "yes", "Yes"]) expect(coerce(KITCHEN_SINK, [`draft=${raw}`])).toEqual({ draft: true });
    for (const raw of ["false", "False", "0", "no", "NO"]) expect(coerce(KITCHEN_SINK, [`draft=${raw}`])).toEqual({ draft: false });
  });

  test("boolean rejects other words, with a hint listing the forms", () => {
    const error = usageError(() => coerce(KITCHEN_SINK, ["draft=maybe"]));
    expect(error.message).toBe('argument "draft": expected a boolean, got "maybe"');
    expect(error.hint).toBe("use true/false, yes/no or 1/0");
  });

  test("string is kept exactly as typed, never JSON-parsed", () => {
    for (const raw of ["123", "true", "null", '{"a":1}', '"quoted"', "  spaced  ", "", "a=b", "日本🙂"]) {
      expect(coerce(KITCHEN_SINK, [`title=${raw}`])).toEqual({ title: raw });
    }
  });

  test("null accepts `null` and the empty string", () => {
    expect(coerce(KITCHEN_SINK, ["nothing=null"])).toEqual({ nothing: null });
    expect(coerce(KITCHEN_SINK, ["nothing="])).toEqual({ nothing: null });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["nothing=nil"]))).toBe('argument "nothing": expected null, got "nil"');
  });
});

describe("coerceArguments: objects and arrays", () => {
  test("object and array values are JSON, nested values kept", () => {
    expect(coerce(KITCHEN_SINK, ['filter={"state":"open","by":{"user":"me","ids":[1,2]}}'])).toEqual({
      filter: { state: "open", by: { user: "me", ids: [1, 2] } },
    });
    expect(coerce(KITCHEN_SINK, ['labels=["bug","ui"]'])).toEqual({ labels: ["bug", "ui"] });
    expect(coerce(KITCHEN_SINK, ["labels=[]"])).toEqual({ labels: [] });
  });

  test("invalid JSON names the position and hints at the JSON form", () => {
    const error = usageError(() => coerce(KITCHEN_SINK, ["filter={state:open}"]));
    expect(error.message).toBe(
      'argument "filter": expected a JSON object, got "{state:open}" (invalid JSON at column 2: expected a property name in double quotes)',
    );
    expect(error.hint).toBe(`pass JSON, e.g. --arg filter='{"key":"value"}'`);

    const list = usageError(() => coerce(KITCHEN_SINK, ["labels=bug,ui"]));
    expect(list.message).toBe('argument "labels": expected a JSON array, got "bug,ui" (invalid JSON at column 1: expected a value)');
    expect(list.hint).toBe(`pass JSON, e.g. --arg labels='["a","b"]'`);
  });

  test("valid JSON of the wrong kind is refused", () => {
    expect(messageOf(() => coerce(KITCHEN_SINK, ["filter=[1,2]"]))).toBe(
      'argument "filter": expected a JSON object, got "[1,2]" (an array)',
    );
    expect(messageOf(() => coerce(KITCHEN_SINK, ['labels={"a":1}']))).toBe(
      'argument "labels": expected a JSON array, got "{\\"a\\":1}" (an object)',
    );
    expect(messageOf(() => coerce(KITCHEN_SINK, ["filter=null"]))).toBe(
      'argument "filter": expected a JSON object, got "null" (null)',
    );
    expect(messageOf(() => coerce(KITCHEN_SINK, ["labels=5"]))).toBe('argument "labels": expected a JSON array, got "5" (a number)');
  });

  test("an object-or-array union takes either", () => {
    expect(coerce(KITCHEN_SINK, ['payload={"a":1}'])).toEqual({ payload: { a: 1 } });
    expect(coerce(KITCHEN_SINK, ["payload=[1]"])).toEqual({ payload: [1] });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["payload=x"]))).toBe(
      'argument "payload": expected a JSON object or a JSON array, got "x" (invalid JSON at column 1: expected a value)',
    );
  });

  test("a long value is shortened in the message", () => {
    const message = messageOf(() => coerce(KITCHEN_SINK, [`count=${"9".repeat(30)}x${"9".repeat(100)}`]));
    expect(message).toBe(`argument "count": expected a number, got "${"9".repeat(30)}x${"9".repeat(27)}…`);
  });
});

describe("coerceArguments: enums and unions", () => {
  test("enum members pass after coercion; others list the choices", () => {
    expect(coerce(KITCHEN_SINK, ["color=green"])).toEqual({ color: "green" });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["color=blue"]))).toBe(
      'argument "color": expected one of "red", "green", got "blue"',
    );
    expect(coerce(KITCHEN_SINK, ["level=2"])).toEqual({ level: 2 });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["level=4"]))).toBe('argument "level": expected one of 1, 2, 3, got "4"');
    expect(messageOf(() => coerce(KITCHEN_SINK, ["level=two"]))).toBe('argument "level": expected one of 1, 2, 3, got "two"');
  });

  test("const is an enum of one", () => {
    expect(coerce(KITCHEN_SINK, ["exact=yes"])).toEqual({ exact: "yes" });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["exact=no"]))).toBe('argument "exact": expected "yes", got "no"');
  });

  test("an enum without a type infers it from the values", () => {
    const schema = { type: "object", properties: { n: { enum: [10, 20, "auto"] } } };
    expect(coerce(schema, ["n=10"])).toEqual({ n: 10 });
    expect(coerce(schema, ["n=auto"])).toEqual({ n: "auto" });
    expect(messageOf(() => coerce(schema, ["n=30"]))).toBe('argument "n": expected one of 10, 20, "auto", got "30"');
  });

  test('["string","null"]: `null` is null, everything else a string', () => {
    expect(coerce(KITCHEN_SINK, ["cursor=null"])).toEqual({ cursor: null });
    expect(coerce(KITCHEN_SINK, ["cursor=abc"])).toEqual({ cursor: "abc" });
    expect(coerce(KITCHEN_SINK, ["cursor=42"])).toEqual({ cursor: "42" });
    expect(coerce(KITCHEN_SINK, ["cursor="])).toEqual({ cursor: "" });
  });

  test("nullable: true adds null", () => {
    expect(coerce(KITCHEN_SINK, ["note=null"])).toEqual({ note: null });
    expect(coerce(KITCHEN_SINK, ["note=hello"])).toEqual({ note: "hello" });
  });

  test('["number","boolean"]: numbers first, then the boolean words', () => {
    expect(coerce(KITCHEN_SINK, ["size=1"])).toEqual({ size: 1 });
    expect(coerce(KITCHEN_SINK, ["size=0"])).toEqual({ size: 0 });
    expect(coerce(KITCHEN_SINK, ["size=yes"])).toEqual({ size: true });
    expect(coerce(KITCHEN_SINK, ["size=false"])).toEqual({ size: false });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["size=big"]))).toBe('argument "size": expected a number or a boolean, got "big"');
  });

  test("anyOf of an enum and a type", () => {
    expect(coerce(KITCHEN_SINK, ["mode=auto"])).toEqual({ mode: "auto" });
    expect(coerce(KITCHEN_SINK, ["mode=5"])).toEqual({ mode: 5 });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["mode=manual"]))).toBe('argument "mode": expected "auto" or an integer, got "manual"');
    expect(messageOf(() => coerce(KITCHEN_SINK, ["mode=2.5"]))).toBe('argument "mode": expected "auto" or an integer, got "2.5"');
  });

  test("oneOf of number and null", () => {
    expect(coerce(KITCHEN_SINK, ["when=null"])).toEqual({ when: null });
    expect(coerce(KITCHEN_SINK, ["when=1.5"])).toEqual({ when: 1.5 });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["when=soon"]))).toBe('argument "when": expected a number or null, got "soon"');
  });

  test("a union with a string only treats true/false as booleans", () => {
    const schema = { type: "object", properties: { v: { type: ["boolean", "string"] } } };
    expect(coerce(schema, ["v=true"])).toEqual({ v: true });
    expect(coerce(schema, ["v=yes"])).toEqual({ v: "yes" });
    expect(coerce(schema, ["v=1"])).toEqual({ v: "1" });
  });

  test("a property without a type is JSON when it parses, else the string", () => {
    expect(coerce(KITCHEN_SINK, ["anything=12"])).toEqual({ anything: 12 });
    expect(coerce(KITCHEN_SINK, ["anything=true"])).toEqual({ anything: true });
    expect(coerce(KITCHEN_SINK, ['anything={"a":[1]}'])).toEqual({ anything: { a: [1] } });
    expect(coerce(KITCHEN_SINK, ["anything=hello world"])).toEqual({ anything: "hello world" });
  });
});

describe("coerceArguments: --args-json", () => {
  test("is the base; --arg sets and overrides keys", () => {
    expect(coerce(GITHUB_CREATE_ISSUE, ["title=From flag"], '{"owner":"o","repo":"r","title":"From JSON","labels":["bug"]}')).toEqual({
      owner: "o",
      repo: "r",
      title: "From flag",
      labels: ["bug"],
    });
  });

  test("the last --arg for a key wins", () => {
    expect(coerce(KITCHEN_SINK, ["count=1", "count=2"])).toEqual({ count: 2 });
  });

  test("null for an optional parameter goes to the server as sent; a required one still needs a value", () => {
    expect(coerce(GITHUB_CREATE_ISSUE, [], '{"owner":"o","repo":"r","title":"t","labels":null}')).toEqual({ owner: "o", repo: "r", title: "t", labels: null });
    expect(messageOf(() => coerce(GITHUB_CREATE_ISSUE, [], '{"owner":null,"repo":"r","title":"t"}'))).toBe('argument "owner" in --args-json: expected a string, got null');
  });

  test("nested objects and arrays pass through untouched", () => {
    const json = '{"filter":{"and":[{"x":1},{"y":[true,null]}]},"labels":["a"]}';
    expect(coerce(KITCHEN_SINK, [], json)).toEqual({ filter: { and: [{ x: 1 }, { y: [true, null] }] }, labels: ["a"] });
  });

  test("invalid JSON names --args-json and the position", () => {
    expect(messageOf(() => coerce(KITCHEN_SINK, [], '{"count": 1,}'))).toBe(
      "--args-json: invalid JSON at column 13: expected a property name in double quotes",
    );
    expect(messageOf(() => coerce(KITCHEN_SINK, [], '{\n  "count": tru\n}'))).toBe(
      "--args-json: invalid JSON at line 2, column 12: expected a value",
    );
    expect(messageOf(() => coerce(KITCHEN_SINK, [], ""))).toBe("--args-json: invalid JSON at column 1: unexpected end of input");
  });

  test("must be an object", () => {
    expect(messageOf(() => coerce(KITCHEN_SINK, [], "[1,2]"))).toBe("--args-json must be a JSON object, got an array");
    expect(messageOf(() => coerce(KITCHEN_SINK, [], "null"))).toBe("--args-json must be a JSON object, got null");
    expect(messageOf(() => coerce(KITCHEN_SINK, [], '"x"'))).toBe("--args-json must be a JSON object, got a string");
    expect(messageOf(() => coerce(KITCHEN_SINK, [], "3"))).toBe("--args-json must be a JSON object, got a number");
  });

  test("values are checked against the property's kind and enum, not coerced", () => {
    expect(messageOf(() => coerce(KITCHEN_SINK, [], '{"count":"5"}'))).toBe(
      'argument "count" in --args-json: expected a number, got "5"',
    );
    expect(messageOf(() => coerce(KITCHEN_SINK, [], '{"limit":1.5}'))).toBe(
      'argument "limit" in --args-json: expected an integer, got 1.5',
    );
    expect(messageOf(() => coerce(KITCHEN_SINK, [], '{"color":"blue"}'))).toBe(
      'argument "color" in --args-json: expected one of "red", "green", got "blue"',
    );
    expect(coerce(KITCHEN_SINK, [], '{"limit":3,"cursor":null,"mode":"auto","anything":[1]}')).toEqual({
      limit: 3,
      cursor: null,
      mode: "auto",
      anything: [1],
    });
  });

  test("a bad --args-json value that an --arg overrides is not an error", () => {
    expect(coerce(KITCHEN_SINK, ["count=5"], '{"count":"five","limit":2}')).toEqual({ count: 5, limit: 2 });
    expect(messageOf(() => coerce(KITCHEN_SINK, ["limit=2"], '{"count":"five"}'))).toBe(
      'argument "count" in --args-json: expected a number, got "five"',
    );
  });

  test("a `__proto__` key stays an ordinary property", () => {
    const result = coerce({ type: "object" }, ['__proto__={"polluted":true}'], '{"constructor":1}');
    expect(Object.keys(result)).toEqual(["constructor", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });
});

describe("coerceArguments: text from a file or stdin (k=@PATH, --args-json @PATH)", () => {
  test("is coerced like a typed value: JSON where the schema wants it, the text as is for a string", () => {
    const pairs = [
      ["filter", '{\n  "x": 1\n}\n', "filter.json"],
      ["count", "42\n", "count.txt"],
      ["draft", "yes\n", "stdin"],
      ["title", "line one\nline two\n", "title.md"],
    ] as const;
    expect(coerceArguments(KITCHEN_SINK, pairs)).toEqual({ filter: { x: 1 }, count: 42, draft: true, title: "line one\nline two\n" });
  });

  test("an error names the file (or stdin) the text came from", () => {
    expect(messageOf(() => coerceArguments(KITCHEN_SINK, [["filter", "{\n  x\n}", "f.json"]]))).toBe(
      'argument "filter" from f.json: expected a JSON object, got "{\\n  x\\n}" (invalid JSON at line 2, column 3: expected a property name in double quotes)',
    );
    expect(messageOf(() => coerceArguments(KITCHEN_SINK, [["count", "many", "stdin"]]))).toBe('argument "count" from stdin: expected a number, got "many"');
    expect(messageOf(() => coerceArguments(KITCHEN_SINK, [], { text: "[1]", from: "a.json" }))).toBe("--args-json @a.json must be a JSON object, got an array");
    expect(messageOf(() => coerceArguments(KITCHEN_SINK, [], { text: '{"count":"5"}', from: "stdin" }))).toBe(
      'argument "count" in --args-json from stdin: expected a number, got "5"',
    );
    expect(messageOf(() => coerceArguments(KITCHEN_SINK, [], { text: "{", from: "a.json" }))).toBe("--args-json @a.json: invalid JSON at column 2: unexpected end of input");
  });
});

describe("coerceArguments: unknown and required arguments", () => {
  test("additionalProperties: false refuses unknown names and lists the known ones", () => {
    const error = usageError(() => coerce(GITHUB_CREATE_ISSUE, ["owner=o", "repo=r", "title=t", "labls=[]"]));
    expect(error.message).toBe(
      'unknown argument "labls" (did you mean "labels"?); known arguments: owner, repo, title, body, labels, assignees, milestone',
    );
    expect(error.hint).toBe(
      "parameters: owner (string, required), repo (string, required), title (string, required), body (string), labels (string[]), assignees (string[]), milestone (number)",
    );
    expect(error.exitCode).toBe(2);
  });

  test("the same check applies to --args-json keys", () => {
    expect(messageOf(() => coerce(GITHUB_CREATE_ISSUE, [], '{"zzz":1}'))).toBe(
      'unknown argument "zzz" in --args-json; known arguments: owner, repo, title, body, labels, assignees, milestone',
    );
  });

  test("a tool without parameters says so", () => {
    const error = usageError(() => coerce({ type: "object", properties: {}, additionalProperties: false }, ["x=1"]));
    expect(error.message).toBe('unknown argument "x"; the tool takes no arguments');
    expect(error.hint).toBe("the tool takes no arguments");
  });

  test("unknown names are JSON when they parse, else strings, when extra properties are allowed", () => {
    expect(coerce(KITCHEN_SINK, ["extra=5", "flag=true", "obj={}", "text=hi there", "empty="])).toEqual({
      extra: 5,
      flag: true,
      obj: {},
      text: "hi there",
      empty: "",
    });
  });

  test("names inherited from Object.prototype are not properties", () => {
    expect(coerce(KITCHEN_SINK, ["constructor=5", "toString=x"])).toEqual({ constructor: 5, toString: "x" });
  });

  test("an additionalProperties schema coerces unknown names", () => {
    const schema = { type: "object", properties: {}, additionalProperties: { type: "string" } };
    expect(coerce(schema, ["a=5"])).toEqual({ a: "5" });
    const numbers = { type: "object", additionalProperties: { type: "number" } };
    expect(messageOf(() => coerce(numbers, ["a=x"]))).toBe('argument "a": expected a number, got "x"');
  });

  test("missing required arguments are named with an example", () => {
    const error = usageError(() => coerce(GITHUB_CREATE_ISSUE, ["owner=o"]));
    expect(error.message).toBe('missing required arguments "repo", "title"');
    expect(error.hint).toBe("e.g. --arg repo=... --arg title=...");

    const one = usageError(() => coerce(GITHUB_CREATE_ISSUE, ["owner=o", "repo=r"]));
    expect(one.message).toBe('missing required argument "title"');
    expect(one.hint).toBe("e.g. --arg title=...");
  });

  test("required arguments may come from --args-json", () => {
    expect(coerce(GITHUB_CREATE_ISSUE, ["title=t"], '{"owner":"o","repo":"r"}')).toEqual({ owner: "o", repo: "r", title: "t" });
  });

  test("a realistic call", () => {
    expect(
      coerce(GITHUB_CREATE_ISSUE, ["owner=acme", "repo=tether", "title=Crash on 1.0", 'labels=["bug","p1"]', "milestone=3", "body="]),
    ).toEqual({ owner: "acme", repo: "tether", title: "Crash on 1.0", labels: ["bug", "p1"], milestone: 3, body: "" });
  });

  test("a schema with no properties at all takes anything", () => {
    expect(coerce({ type: "object" }, ["a=1", "b=x"])).toEqual({ a: 1, b: "x" });
    expect(coerce({ type: "object" }, [])).toEqual({});
  });

  test("junk in a server's schema is tolerated", () => {
    const schema = { type: "object", properties: { a: true, b: "nonsense", c: { type: 7 } }, required: ["a", 3] };
    expect(coerce(schema, ["a=1", "b=x", "c=null"])).toEqual({ a: 1, b: "x", c: null });
  });
});

describe("summarizeParameters", () => {
  test("GitHub create_issue", () => {
    expect(summarizeParameters(GITHUB_CREATE_ISSUE)).toEqual([
      { name: "owner", type: "string", required: true, description: "Repository owner" },
      { name: "repo", type: "string", required: true, description: "Repository name" },
      { name: "title", type: "string", required: true, description: "Issue title" },
      { name: "body", type: "string", required: false, description: "Issue body content" },
      { name: "labels", type: "string[]", required: false, description: "Labels to apply to this issue" },
      { name: "assignees", type: "string[]", required: false },
      { name: "milestone", type: "number", required: false, description: "Milestone number" },
    ]);
  });

  test("renders enums, unions, nested arrays and missing types", () => {
    const types = Object.fromEntries(summarizeParameters(KITCHEN_SINK).map((p) => [p.name, p.type]));
    expect(types).toEqual({
      count: "number",
      limit: "integer",
      draft: "boolean",
      title: "string",
      filter: "object",
      labels: "string[]",
      nothing: "null",
      color: '"red"|"green"',
      level: "1|2|3",
      cursor: "string|null",
      size: "number|boolean",
      mode: '"auto"|integer',
      when: "number|null",
      note: "string|null",
      exact: '"yes"',
      anything: "any",
      payload: "object|array",
    });
  });

  test("filesystem-like and search-like schemas", () => {
    const editFile = {
      type: "object",
      properties: {
        path: { type: "string" },
        edits: {
          type: "array",
          items: { type: "object", properties: { oldText: { type: "string" }, newText: { type: "string" } } },
        },
        matrix: { type: "array", items: { type: "array", items: { type: "number" } } },
        ids: { type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
        tuple: { type: "array", items: [{ type: "string" }] },
        bare: { type: "array" },
        dryRun: { type: "boolean", default: false, description: "" },
      },
      required: ["path", "edits"],
    };
    expect(summarizeParameters(editFile)).toEqual([
      { name: "path", type: "string", required: true },
      { name: "edits", type: "object[]", required: true },
      { name: "matrix", type: "number[][]", required: false },
      { name: "ids", type: "(string|integer)[]", required: false },
      { name: "tuple", type: "array", required: false },
      { name: "bare", type: "array", required: false },
      { name: "dryRun", type: "boolean", required: false },
    ]);
  });

  test("a tool without parameters", () => {
    expect(summarizeParameters({ type: "object" })).toEqual([]);
    expect(formatParameterList({ type: "object" })).toBe("the tool takes no arguments");
  });

  test("accepts an SDK Tool's inputSchema as is", () => {
    const tool: Tool = { name: "echo", inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } };
    expect(summarizeParameters(tool.inputSchema)).toEqual([{ name: "text", type: "string", required: true }]);
    expect(coerceArguments(tool.inputSchema, [["text", "hi"]])).toEqual({ text: "hi" });
  });
});

describe("locateJsonError", () => {
  test("finds the first syntax error", () => {
    expect(locateJsonError('{"a":1}')).toBeUndefined();
    expect(locateJsonError(' [1, "x", {"y": null}, true, -0.5e+3] ')).toBeUndefined();
    expect(locateJsonError('"\\u00e9\\n"')).toBeUndefined();
    expect(locateJsonError('{"a":1,}')).toEqual({ offset: 7, reason: "expected a property name in double quotes" });
    expect(locateJsonError("{a:1}")).toEqual({ offset: 1, reason: "expected a property name in double quotes" });
    expect(locateJsonError('{"a" 1}')).toEqual({ offset: 5, reason: "expected ':'" });
    expect(locateJsonError("[1 2]")).toEqual({ offset: 3, reason: "expected ',' or ']'" });
    expect(locateJsonError("[1,2")).toEqual({ offset: 4, reason: "unexpected end of input" });
    expect(locateJsonError('"abc')).toEqual({ offset: 4, reason: "unterminated string" });
    expect(locateJsonError('"\\q"')).toEqual({ offset: 2, reason: "invalid escape in a string" });
    expect(locateJsonError('"\\u12"')).toEqual({ offset: 2, reason: "invalid escape in a string" });
    expect(locateJsonError('"a\nb"')).toEqual({ offset: 2, reason: "control character in a string" });
    expect(locateJsonError("1 2")).toEqual({ offset: 2, reason: "unexpected text after the JSON value" });
    expect(locateJsonError("tru")).toEqual({ offset: 0, reason: "expected a value" });
    expect(locateJsonError("01")).toEqual({ offset: 1, reason: "unexpected text after the JSON value" });
  });

  test("agrees with JSON.parse on what is valid", () => {
    const samples = ["{}", "[]", '{"a":[{}]}', "[1,]", "{,}", "[-]", "-1", "1.", ".5", "1e5", "nul", "[true false]", '{"a":1 "b":2}'];
    for (const sample of samples) {
      let valid = true;
      try {
        JSON.parse(sample);
      } catch {
        valid = false;
      }
      expect({ sample, valid: locateJsonError(sample) === undefined }).toEqual({ sample, valid });
    }
  });
});
