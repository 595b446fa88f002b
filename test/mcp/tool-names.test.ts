// Tool names offered to a model: valid, at most 64 characters, stable, collision-free and reversible.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  assignModelToolNames,
  isValidModelToolName,
  modelToolName,
  qualifyToolName,
  shortenToolName,
  type ToolRef,
  ToolNameMap,
} from "../../src/mcp/tool-names.ts";

const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

function sha(text: string, length = 10): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** A small deterministic PRNG (mulberry32), so a failing case can be reproduced. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABETS = [
  "abcdefghijklmnopqrstuvwxyz",
  "ABCXYZ0123456789_-",
  ".:/ @#",
  "éüßñ",
  "日本語ツール",
  "🙂🚀𝔸",
  "\u0000\t\n",
];

function randomName(random: () => number, maxLength: number): string {
  const length = 1 + Math.floor(random() * maxLength);
  let name = "";
  for (let i = 0; i < length; i++) {
    const alphabet = [...ALPHABETS[Math.floor(random() * ALPHABETS.length)]!];
    name += alphabet[Math.floor(random() * alphabet.length)];
  }
  return name;
}

function generatedRefs(count: number, seed: number): ToolRef[] {
  const random = randomSource(seed);
  const servers = ["github", "fs", "a-very-long-server-name-that-eats-most-of-the-budget", "x"];
  return Array.from({ length: count }, () => ({
    server: servers[Math.floor(random() * servers.length)]!,
    tool: randomName(random, random() < 0.3 ? 120 : 20),
  }));
}

function expectAllDistinctAndValid(map: ToolNameMap, refs: ToolRef[]): void {
  const names = refs.map((ref) => map.toModel(ref.server, ref.tool)!);
  for (const name of names) expect(name).toMatch(VALID);
  expect(new Set(names).size).toBe(new Set(refs.map((r) => JSON.stringify([r.server, r.tool]))).size);
}

describe("qualifyToolName and modelToolName", () => {
  test("plain names are mcp__<server>__<tool>, unchanged", () => {
    expect(qualifyToolName("github", "create_issue")).toBe("mcp__github__create_issue");
    expect(modelToolName("github", "create_issue")).toBe("mcp__github__create_issue");
    expect(modelToolName("my-server", "Get-Thing_2")).toBe("mcp__my-server__Get-Thing_2");
  });

  test("a valid name of exactly 64 characters is kept; 65 is shortened", () => {
    const tool64 = "t".repeat(64 - "mcp__s__".length);
    expect(modelToolName("s", tool64)).toBe(`mcp__s__${tool64}`);
    expect(modelToolName("s", tool64)).toHaveLength(64);

    const tool65 = `${tool64}u`;
    const short = modelToolName("s", tool65);
    expect(short).toHaveLength(64);
    expect(short).toBe(`mcp__s__${"t".repeat(45)}_${sha(`mcp__s__${tool65}`)}`);
  });

  test("long names: a 53-character prefix, `_`, 10 hex digits of sha256(qualified name)", () => {
    const tool = "list_all_repository_collaborators_with_their_permissions_and_teams_including_outside";
    const qualified = `mcp__github__${tool}`;
    const short = modelToolName("github", tool);
    expect(short).toMatch(VALID);
    expect(short).toHaveLength(64);
    expect(short).toBe(`${qualified.slice(0, 53)}_${sha(qualified)}`);
  });

  test("dots, spaces, slashes and unicode are replaced by `_` and hashed", () => {
    expect(modelToolName("fs", "read.file")).toBe(`mcp__fs__read_file_${sha("mcp__fs__read.file")}`);
    expect(modelToolName("fs", "read file")).toBe(`mcp__fs__read_file_${sha("mcp__fs__read file")}`);
    expect(modelToolName("notes", "créer/note")).toBe(`mcp__notes__cr_er_note_${sha("mcp__notes__créer/note")}`);
    expect(modelToolName("jp", "検索")).toBe(`mcp__jp__${"_".repeat(2)}_${sha("mcp__jp__検索")}`);
  });

  test("a character outside the BMP becomes one `_`, not two", () => {
    expect(modelToolName("e", "go🚀")).toBe(`mcp__e__go__${sha("mcp__e__go🚀")}`);
  });

  test("shortened names are valid for every kind of input", () => {
    for (const ref of generatedRefs(300, 7)) {
      const name = modelToolName(ref.server, ref.tool);
      expect(name).toMatch(VALID);
      expect(isValidModelToolName(name)).toBe(true);
    }
  });

  test("shortening is deterministic and depends on the whole name", () => {
    const a = `mcp__s__${"x".repeat(100)}a`;
    const b = `mcp__s__${"x".repeat(100)}b`;
    expect(shortenToolName(a)).toBe(shortenToolName(a));
    expect(shortenToolName(a)).not.toBe(shortenToolName(b));
    expect(shortenToolName(a).slice(0, 53)).toBe(shortenToolName(b).slice(0, 53));
  });

  test("isValidModelToolName follows the Responses API pattern", () => {
    expect(isValidModelToolName("mcp__a__b")).toBe(true);
    expect(isValidModelToolName("")).toBe(false);
    expect(isValidModelToolName("a".repeat(65))).toBe(false);
    expect(isValidModelToolName("a.b")).toBe(false);
    expect(isValidModelToolName("ab\n")).toBe(false);
  });
});

describe("ToolNameMap", () => {
  test("maps both ways", () => {
    const map = new ToolNameMap([
      { server: "github", tool: "create_issue" },
      { server: "fs", tool: "read.file" },
    ]);
    expect(map.toModel("github", "create_issue")).toBe("mcp__github__create_issue");
    expect(map.fromModel("mcp__github__create_issue")).toEqual({ server: "github", tool: "create_issue" });
    const fsName = map.toModel("fs", "read.file")!;
    expect(fsName).toBe(`mcp__fs__read_file_${sha("mcp__fs__read.file")}`);
    expect(map.fromModel(fsName)).toEqual({ server: "fs", tool: "read.file" });
    expect(map.size).toBe(2);
  });

  test("unknown names map to undefined", () => {
    const map = new ToolNameMap([{ server: "fs", tool: "read.file" }]);
    expect(map.fromModel("mcp__fs__read.file")).toBeUndefined();
    expect(map.fromModel("mcp__fs__read_file")).toBeUndefined();
    expect(map.fromModel("mcp__fs__write")).toBeUndefined();
    expect(map.fromModel("")).toBeUndefined();
    expect(map.fromModel("constructor")).toBeUndefined();
    expect(map.toModel("fs", "write")).toBeUndefined();
    expect(map.toModel("other", "read.file")).toBeUndefined();
  });

  test("`a.b` and `a_b` on one server: the plain name stays, the sanitized one is hashed", () => {
    const map = new ToolNameMap([
      { server: "s", tool: "a.b" },
      { server: "s", tool: "a_b" },
    ]);
    expect(map.toModel("s", "a_b")).toBe("mcp__s__a_b");
    expect(map.toModel("s", "a.b")).toBe(`mcp__s__a_b_${sha("mcp__s__a.b")}`);
    expect(map.fromModel("mcp__s__a_b")).toEqual({ server: "s", tool: "a_b" });
    expect(map.fromModel(map.toModel("s", "a.b")!)).toEqual({ server: "s", tool: "a.b" });
  });

  test("two 100-character names sharing their first 64 characters stay distinct", () => {
    const stem = "q".repeat(90);
    const refs = [
      { server: "srv", tool: `${stem}_alpha_one` },
      { server: "srv", tool: `${stem}_alpha_two` },
    ];
    const map = new ToolNameMap(refs);
    const [one, two] = refs.map((r) => map.toModel(r.server, r.tool)!);
    expect(one).not.toBe(two);
    expect(one).toHaveLength(64);
    expect(two).toHaveLength(64);
    for (const ref of refs) expect(map.fromModel(map.toModel(ref.server, ref.tool)!)).toEqual(ref);
  });

  test("a valid name that equals another tool's shortened name keeps it; the shortened one moves", () => {
    const taken = modelToolName("s", "a.b");
    const refs = [
      { server: "s", tool: "a.b" },
      { server: "s", tool: taken.slice("mcp__s__".length) },
    ];
    const map = new ToolNameMap(refs);
    expect(map.toModel("s", refs[1]!.tool)).toBe(taken);
    const moved = map.toModel("s", "a.b")!;
    expect(moved).not.toBe(taken);
    expect(moved).toBe(shortenToolName("mcp__s__a.b", JSON.stringify(["s", "a.b", 1])));
    expect(map.fromModel(moved)).toEqual({ server: "s", tool: "a.b" });
  });

  test("the same qualified name from different splits: the first in sorted order keeps it", () => {
    const refs = [
      { server: "a__b", tool: "c" },
      { server: "a", tool: "b__c" },
    ];
    for (const order of [refs, [...refs].reverse()]) {
      const map = new ToolNameMap(order);
      expect(map.toModel("a", "b__c")).toBe("mcp__a__b__c");
      const other = map.toModel("a__b", "c")!;
      expect(other).toBe(shortenToolName("mcp__a__b__c"));
      expect(map.fromModel(other)).toEqual({ server: "a__b", tool: "c" });
    }
  });

  test("the same invalid qualified name from different splits: both hashed, still distinct", () => {
    const refs = [
      { server: "a__b", tool: "c.d" },
      { server: "a", tool: "b__c.d" },
    ];
    const map = new ToolNameMap(refs);
    expect(map.toModel("a", "b__c.d")).toBe(shortenToolName("mcp__a__b__c.d"));
    expect(map.toModel("a__b", "c.d")).toBe(shortenToolName("mcp__a__b__c.d", JSON.stringify(["a__b", "c.d", 1])));
    for (const ref of refs) expect(map.fromModel(map.toModel(ref.server, ref.tool)!)).toEqual(ref);
  });

  test("duplicates in the input are one tool", () => {
    const map = new ToolNameMap([
      { server: "s", tool: "t.x" },
      { server: "s", tool: "t.x" },
    ]);
    expect(map.size).toBe(1);
    expect(map.toModel("s", "t.x")).toBe(modelToolName("s", "t.x"));
  });

  test("fromModel returns a copy the caller cannot use to corrupt the map", () => {
    const map = new ToolNameMap([{ server: "s", tool: "t" }]);
    const ref = map.fromModel("mcp__s__t")!;
    ref.tool = "changed";
    expect(map.fromModel("mcp__s__t")).toEqual({ server: "s", tool: "t" });
  });

  test("round trips for hundreds of generated names, unicode included", () => {
    const refs = generatedRefs(500, 42);
    const map = new ToolNameMap(refs);
    expectAllDistinctAndValid(map, refs);
    for (const ref of refs) expect(map.fromModel(map.toModel(ref.server, ref.tool)!)).toEqual(ref);
  });

  test("round trips when many names collide after sanitizing", () => {
    // Every tool sanitizes to `mcp__s__x_y`: the one valid spelling keeps it, the rest are hashed.
    const refs = ["x.y", "x y", "x/y", "x_y", "x:y", "x🙂y", "x\u0000y", "xéy"].map((tool) => ({ server: "s", tool }));
    const map = new ToolNameMap(refs);
    expectAllDistinctAndValid(map, refs);
    expect(map.toModel("s", "x_y")).toBe("mcp__s__x_y");
    for (const ref of refs) expect(map.fromModel(map.toModel(ref.server, ref.tool)!)).toEqual(ref);
  });

  test("the result does not depend on input order", () => {
    const refs = [
      ...generatedRefs(200, 3),
      { server: "s", tool: "a.b" },
      { server: "s", tool: "a_b" },
      { server: "a__b", tool: "c" },
      { server: "a", tool: "b__c" },
    ];
    const expected = new ToolNameMap(refs).entries();
    const random = randomSource(99);
    for (let round = 0; round < 5; round++) {
      const shuffled = [...refs].sort(() => random() - 0.5);
      expect(new ToolNameMap(shuffled).entries()).toEqual(expected);
    }
    expect(new ToolNameMap([...refs].reverse()).entries()).toEqual(expected);
  });

  test("assignModelToolNames lists pairs sorted by server, then tool", () => {
    const assigned = assignModelToolNames([
      { server: "b", tool: "z" },
      { server: "a", tool: "y" },
      { server: "b", tool: "a" },
    ]);
    expect(assigned).toEqual([
      [{ server: "a", tool: "y" }, "mcp__a__y"],
      [{ server: "b", tool: "a" }, "mcp__b__a"],
      [{ server: "b", tool: "z" }, "mcp__b__z"],
    ]);
  });

  test("an empty tool list is an empty map", () => {
    const map = new ToolNameMap([]);
    expect(map.size).toBe(0);
    expect(map.entries()).toEqual([]);
  });
});
