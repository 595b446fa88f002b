// No two modules of src/ import each other, however long the way round: dependencies point one way
// (STYLE: cli → services → adapters; context.ts and errors.ts are leaves). Every import counts,
// type-only ones and dynamic `import("./…")` ones too: a circle of types is still two concepts that
// cannot be read apart, and a lazy loader that reaches back is still a circle.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const SRC = path.join(import.meta.dir, "../../src");

/** `import … from "x"`, `import "x"`, `export … from "x"`, `import type …`, and `import("x")`. */
const IMPORT = /(?:^[ \t]*(?:import|export)\b[^"'`;]*?\bfrom\s*|^[ \t]*import\s*|\bimport\(\s*)["']([^"']+)["']/gm;

function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((match) => match[1]!);
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Each module's imports of other modules of src/ (packages and node: modules are not ours). */
function importGraph(): { graph: Map<string, string[]>; unresolved: string[] } {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of sourceFiles()) {
    const targets: string[] = [];
    for (const specifier of importsOf(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveImport(file, specifier);
      if (target) targets.push(target);
      else unresolved.push(`${path.relative(SRC, file)}: ${specifier}`);
    }
    graph.set(file, targets);
  }
  return { graph, unresolved };
}

/** One circle per group of modules that reach each other, as `a.ts -> b.ts -> a.ts`. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...new Set(cycle)].sort().join("\n");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

test("the walk sees every kind of import, and finds a circle of any length", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type { B } from "./b.ts";',
    "import {\n  c,\n  type C,\n} from './c.ts';",
    'export { d } from "./d.ts";',
    'export type { E } from "./e.ts";',
    'import "./f.ts";',
    '  const g = await import("./g.ts");',
    '// a comment that mentions import "./nothing" mid-line is not an import',
    'export const NOT_AN_IMPORT = "./h.ts";',
  ].join("\n");
  expect(importsOf(text)).toEqual(["./a.ts", "./b.ts", "./c.ts", "./d.ts", "./e.ts", "./f.ts", "./g.ts"]);
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["c"]],
    ["c", ["a", "d"]],
    ["d", []],
  ]);
  expect(findCycles(graph)).toEqual([["a", "b", "c", "a"]]);
  expect(findCycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
});

test("no module of src/ imports itself back, directly or round about", () => {
  const { graph, unresolved } = importGraph();
  expect(unresolved).toEqual([]);
  expect(graph.size).toBeGreaterThan(100);
  const cycles = findCycles(graph).map((cycle) => cycle.map((file) => path.relative(SRC, file)).join(" -> "));
  expect(cycles).toEqual([]);
});
