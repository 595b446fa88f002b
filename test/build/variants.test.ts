// Build outputs that do not need a compile: variant file names, their checksum files, and an
// addon download that fails with a reason instead of hanging.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { checksumsName, executableName, parseBuildArgs, resolveKeyringAddon, TARGETS, writeChecksums } from "../../build.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tether-variants-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("--no-otel executables and checksums have names of their own", () => {
  expect(executableName(TARGETS["linux-x64"], true)).toBe("tether-linux-x64");
  expect(executableName(TARGETS["linux-x64"], false)).toBe("tether-linux-x64-no-otel");
  expect(executableName(TARGETS["windows-x64"], false)).toBe("tether-windows-x64-no-otel.exe");
  expect(checksumsName(false)).toBe("SHA256SUMS-no-otel");
  expect(parseBuildArgs(["--no-otel", "--target", "linux-x64"]).otel).toBe(false);
});

test("each variant's checksum file lists only that variant", async () => {
  for (const name of ["tether-linux-x64", "tether-linux-x64-no-otel", "tether-windows-x64.exe", "notes.txt"]) {
    writeFileSync(path.join(dir, name), name);
  }
  await writeChecksums(dir, true);
  await writeChecksums(dir, false);
  const names = (file: string): string[] =>
    readFileSync(path.join(dir, file), "utf8").trim().split("\n").map((line) => line.split("  ")[1]!);
  expect(names("SHA256SUMS")).toEqual(["tether-linux-x64", "tether-windows-x64.exe"]);
  expect(names("SHA256SUMS-no-otel")).toEqual(["tether-linux-x64-no-otel"]);
  // The same format sha256sum -c reads.
  const sha = new Bun.CryptoHasher("sha256").update("tether-linux-x64").digest("hex");
  expect(readFileSync(path.join(dir, "SHA256SUMS"), "utf8")).toStartWith(`${sha}  tether-linux-x64\n`);
});

test("an unreachable registry fails the addon download quickly, saying why", async () => {
  // A port that was free a moment ago: nothing listens, so connecting is refused at once.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  // An empty npm cache too: npm would otherwise answer from a tarball it downloaded before.
  const saved = { registry: process.env.npm_config_registry, cache: process.env.npm_config_cache };
  process.env.npm_config_registry = `http://127.0.0.1:${port}/`;
  process.env.npm_config_cache = path.join(dir, "npm-cache");
  try {
    // darwin-x64's package is never installed on a Linux or Windows host, so this downloads.
    const target = process.platform === "darwin" ? TARGETS["windows-x64"] : TARGETS["darwin-x64"];
    const error = await resolveKeyringAddon(target, dir).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^cannot download @napi-rs\/keyring-[a-z0-9-]+@[\d.]+ for the build \(npm pack exited 1: .*ECONNREFUSED.*\); check the network/);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[`npm_config_${key}`];
      else process.env[`npm_config_${key}`] = value;
    }
  }
});
