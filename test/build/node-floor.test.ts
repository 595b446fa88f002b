// Node only hosts npm here (Bun runs everything), but `npm ci` warns when Node is older than a
// dependency's engines field: package.json's floor, the README and the workflows say one version,
// and it satisfies every locked package.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.join(import.meta.dir, "../..");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");
const pkg = JSON.parse(read("package.json")) as { engines: { node: string } };
const floor = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)?.[1];

test("package.json's engines.node is a plain floor", () => {
  expect(floor).toBeDefined();
});

test("every locked package accepts the floor", () => {
  const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { engines?: { node?: string } }> };
  const refusing = Object.entries(lock.packages)
    .filter(([, p]) => p.engines?.node && !Bun.semver.satisfies(floor!, p.engines.node))
    .map(([name, p]) => `${name} wants node ${p.engines!.node}`);
  expect(refusing).toEqual([]);
});

test("the README and every workflow say the same Node", () => {
  const [major, minor] = floor!.split(".");
  expect(read("README.md")).toContain(`Node ${major}.${minor}+`);
  const workflows = readdirSync(path.join(ROOT, ".github/workflows"));
  for (const file of workflows) {
    const versions = [...read(`.github/workflows/${file}`).matchAll(/node-version: *"?([^"\n]+)"?/g)].map((m) => m[1]);
    // A major-only version resolves to its newest release, which is past the floor.
    for (const v of versions) expect(`${file}: ${v}`).toBe(`${file}: ${major}`);
  }
});
