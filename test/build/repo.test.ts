// The repository keeps its own rules: a plain clone has everything the tests read, the README's
// commands run after `npm ci` alone, and the third-party notices match the lockfile.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { NOTICES_FILE, renderNotices } from "../../.github/release/notices.ts";

const ROOT = path.join(import.meta.dir, "../..");

test("no test reaches above the repository", () => {
  const offenders: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, "test"), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, "utf8");
    const depth = path.relative(ROOT, entry.parentPath).split(path.sep).length;
    // From test/a/b.ts, "../../" is the repo root; one more "../" leaves it.
    const escape = new RegExp(`(\\.\\./){${depth + 1}}`);
    if (escape.test(text) || text.includes(["", "shared", "SPEC.md"].join("/"))) offenders.push(path.relative(ROOT, file));
  }
  expect(offenders).toEqual([]);
});

test("the README runs Bun through npx or npm scripts: npm ci puts no bun on PATH", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  expect(readme.match(/(?<!npx )\bbun (build\.ts|bench\/|test\/|src\/|\.github\/)\S*/g) ?? []).toEqual([]);
});

test("THIRD-PARTY-NOTICES.md matches package-lock.json (regenerate: npx bun .github/release/notices.ts)", () => {
  expect(readFileSync(NOTICES_FILE, "utf8") === renderNotices()).toBe(true);
});
