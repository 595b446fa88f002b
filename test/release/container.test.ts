// The container image, without Docker: the Containerfile passes our lint, and its instructions
// applied to the staged context give a non-root image with tether on PATH and TETHER_HOME on a volume.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CONTAINERFILE, lintContainerfile, planImage, PLATFORMS, stageContext } from "../../.github/container/stage.ts";

const text = readFileSync(CONTAINERFILE, "utf8");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tether-container-"));
  for (const file of Object.values(PLATFORMS)) writeFileSync(path.join(dir, file), `binary ${file}`, { mode: 0o644 });
  stageContext(dir, path.join(dir, "context"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the Containerfile passes the lint", () => {
  expect(lintContainerfile(text)).toEqual([]);
});

test("the lint catches what would break the image", () => {
  const broken = text
    .replace("USER 65532:65532", "USER root")
    .replace('VOLUME ["/home/nonroot/.tether"]', "")
    .replace("ENTRYPOINT [\"/usr/local/bin/tether\"]", "ENTRYPOINT /usr/local/bin/tether")
    .replace("ARG TARGETPLATFORM", "RUN mkdir -p /x\nARG TARGETPLATFORM");
  expect(lintContainerfile(broken)).toEqual([
    expect.stringMatching(/^line \d+: RUN needs a shell/),
    "the image must end with a non-root USER",
    'ENTRYPOINT must be the exec form ["…/tether"]',
    "TETHER_HOME /home/nonroot/.tether is not a VOLUME",
  ]);
});

for (const [platform, file] of Object.entries(PLATFORMS)) {
  test(`the ${platform} image holds that platform's executable, runs as nonroot, keeps TETHER_HOME on a volume`, () => {
    const plan = planImage(text, path.join(dir, "context"), platform);
    expect(plan.base).toBe("gcr.io/distroless/cc-debian12:nonroot");
    const tether = plan.files.find((f) => f.path === "/usr/local/bin/tether");
    expect(tether && { mode: tether.mode.toString(8), owner: tether.owner, content: readFileSync(tether.source, "utf8") }).toEqual({
      mode: "755",
      owner: "0:0",
      content: `binary ${file}`,
    });
    expect(plan.files.find((f) => f.path === "/home/nonroot/.tether")).toMatchObject({ owner: "65532:65532", mode: 0o700 });
    expect(plan.env.TETHER_HOME).toBe("/home/nonroot/.tether");
    expect(plan.volumes).toEqual(["/home/nonroot/.tether"]);
    expect(plan.user).toBe("65532:65532");
    expect(plan.entrypoint).toEqual(["/usr/local/bin/tether"]);
  });
}

test("staging without the release executables is a clear error", () => {
  expect(() => stageContext(path.join(dir, "nowhere"), path.join(dir, "out"))).toThrow(/tether-linux-x64 is missing; build it first/);
});
