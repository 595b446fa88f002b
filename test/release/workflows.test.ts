// The GitHub workflows cannot run here; what can be checked is that they parse and wire the
// release together as README "Releases" says.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { TARGETS } from "../../build.ts";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  "runs-on": string;
  steps: Step[];
  strategy?: { matrix: { include: { os: string; binary: string }[] } };
}

function workflow(name: string): { jobs: Record<string, Job> } {
  return Bun.YAML.parse(readFileSync(path.join(import.meta.dir, "../../.github/workflows", name), "utf8")) as { jobs: Record<string, Job> };
}

const runs = (job: Job): string => job.steps.map((s) => s.run ?? "").join("\n");

test("release.yml: build, sign on macOS, smoke each binary on its OS, then publish", () => {
  const { jobs } = workflow("release.yml");
  expect(Object.keys(jobs)).toEqual(["build", "sign-macos", "smoke", "release", "container"]);
  expect(runs(jobs.build!)).toContain("npm run build -- --target all");

  const sign = jobs["sign-macos"]!;
  expect(sign["runs-on"]).toStartWith("macos");
  expect(runs(sign)).toContain("codesign --force --sign -");
  for (const f of ["tether-darwin-x64", "tether-darwin-arm64"]) expect(runs(sign)).toContain(`codesign -v --strict --verbose=2 dist/${f}`);

  const smoke = jobs.smoke!;
  expect(smoke.needs).toEqual(["build", "sign-macos"]);
  const binaries = smoke.strategy!.matrix.include.map((m) => m.binary).sort();
  const glibcAndOthers = Object.values(TARGETS).map((t) => t.fileName).filter((f) => !f.includes("musl")).sort();
  expect(binaries).toEqual(glibcAndOthers);
  expect(runs(smoke)).toContain("npx bun .github/release/smoke.ts dist/${{ matrix.binary }}");
  expect(runs(smoke)).toContain("apk add --no-cache libstdc++");

  const release = jobs.release!;
  expect(release.needs).toBe("smoke");
  expect(runs(release)).toContain("npx bun .github/release/check.ts --skip-build");
  const upload = release.steps.findIndex((s) => s.uses?.startsWith("softprops/action-gh-release"));
  const tap = release.steps.findIndex((s) => s.run?.includes("/homebrew-tap"));
  const bucket = release.steps.findIndex((s) => s.run?.includes("/scoop-bucket"));
  expect(upload).toBeGreaterThan(0);
  expect(tap).toBeGreaterThan(upload);
  expect(bucket).toBeGreaterThan(upload);
  expect(release.steps[tap]!.env).toEqual({ PUBLISH_TOKEN: "${{ secrets.HOMEBREW_TAP_TOKEN }}" });
  expect(release.steps[bucket]!.env).toEqual({ PUBLISH_TOKEN: "${{ secrets.SCOOP_BUCKET_TOKEN }}" });

  const container = runs(jobs.container!);
  expect(container).toContain("--platform linux/amd64,linux/arm64");
  expect(container).toContain("--file .github/container/Containerfile");
  expect(container).toContain("--push dist/container");
});

test("ci.yml runs the release check and verifies both darwin signatures", () => {
  const { jobs } = workflow("ci.yml");
  expect(runs(jobs.build!)).toContain("npm run release:check");
  const darwin = jobs["darwin-signature"]!;
  expect(darwin["runs-on"]).toStartWith("macos");
  expect(runs(darwin)).toContain('codesign -v --strict --verbose=2 "$f"');
});

test("every action is pinned to a major version", () => {
  for (const name of ["ci.yml", "release.yml"]) {
    for (const job of Object.values(workflow(name).jobs)) {
      for (const step of job.steps) if (step.uses) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    }
  }
});
