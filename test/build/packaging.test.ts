// The Homebrew formula and Scoop manifest point at the release's files with SHA256SUMS's checksums.
import { describe, expect, test } from "bun:test";
import { homebrewFormula, parseSha256Sums, type ReleaseInfo, scoopManifest } from "../../.github/release/packages.ts";

const FILES = [
  "tether-darwin-arm64",
  "tether-darwin-x64",
  "tether-linux-arm64",
  "tether-linux-x64",
  "tether-linux-x64-musl",
  "tether-windows-x64.exe",
];
const sumOf = (i: number): string => String(i).repeat(64);
const SUMS = FILES.map((f, i) => `${sumOf(i)}  ${f}\n`).join("");

function release(checksums = parseSha256Sums(SUMS)): ReleaseInfo {
  return { version: "1.2.3", repo: "acme/tether", description: "An MCP client", license: "MIT", checksums };
}

describe("packaging", () => {
  test("parseSha256Sums reads text and binary mode lines", () => {
    const sums = parseSha256Sums(`${sumOf(1)}  tether-linux-x64\n${sumOf(2)} *tether-windows-x64.exe\n\n`);
    expect([...sums]).toEqual([
      ["tether-linux-x64", sumOf(1)],
      ["tether-windows-x64.exe", sumOf(2)],
    ]);
    expect(() => parseSha256Sums("nonsense\n")).toThrow(/cannot read line/);
  });

  test("the formula has each platform's URL and checksum", () => {
    const formula = homebrewFormula(release());
    expect(formula).toContain('desc "MCP client"');
    expect(formula).toContain('version "1.2.3"');
    for (const [file, i] of [["tether-darwin-arm64", 0], ["tether-darwin-x64", 1], ["tether-linux-arm64", 2], ["tether-linux-x64", 3]] as const) {
      expect(formula).toContain(
        `url "https://github.com/acme/tether/releases/download/v1.2.3/${file}"\n      sha256 "${sumOf(i)}"`,
      );
    }
    expect(formula).not.toContain("musl");
  });

  test("the Scoop manifest renames the download to tether.exe", () => {
    const manifest = JSON.parse(scoopManifest(release()));
    expect(manifest.version).toBe("1.2.3");
    expect(manifest.architecture["64bit"]).toEqual({
      url: "https://github.com/acme/tether/releases/download/v1.2.3/tether-windows-x64.exe#/tether.exe",
      hash: sumOf(5),
    });
    expect(manifest.bin).toBe("tether.exe");
  });

  test("a platform missing from SHA256SUMS is an error, not an empty checksum", () => {
    const partial = parseSha256Sums(`${sumOf(3)}  tether-linux-x64\n`);
    expect(() => homebrewFormula(release(partial))).toThrow(/no entry for tether-darwin-arm64/);
    expect(() => scoopManifest(release(partial))).toThrow(/no entry for tether-windows-x64.exe/);
  });
});
