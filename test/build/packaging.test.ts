// The release's packaging step, as release.yml runs it: archives, SHA256SUMS, a Homebrew formula and
// a Scoop manifest that point at the release's files with their checksums.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { homebrewFormula, parseSha256Sums, type ReleaseInfo, scoopManifest } from "../../.github/release/packages.ts";
import { hostTarget } from "../../build.ts";
import { ensureHostBinary } from "../support/binary.ts";

const SCRIPT = path.join(import.meta.dir, "../../.github/release/packages.ts");
const HOMEBREW_SIM = path.join(import.meta.dir, "../../.github/release/homebrew-sim.rb");

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

  test("the formula makes the staged download executable before running it", () => {
    const formula = homebrewFormula(release());
    expect(formula.indexOf("chmod 0755, binary")).toBeGreaterThan(0);
    expect(formula.indexOf("chmod 0755, binary")).toBeLessThan(formula.indexOf("generate_completions_from_executable(bin"));
  });
});

describe("the packaging script, run as release.yml runs it", () => {
  let dist: string;
  beforeEach(() => {
    dist = mkdtempSync(path.join(tmpdir(), "tether-release-"));
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  /** Runs the script from another directory, as `bun .github/release/packages.ts ...`. */
  function runScript(args: string[]): { code: number; stderr: string } {
    const proc = Bun.spawnSync([process.execPath, SCRIPT, ...args], { cwd: dist, stderr: "pipe" });
    return { code: proc.exitCode ?? -1, stderr: proc.stderr.toString() };
  }

  function fakeExecutables(): void {
    for (const file of FILES) writeFileSync(path.join(dist, file), `binary for ${file}\n`, { mode: 0o644 });
  }

  test("writes archives, checksums over everything, the formula and the manifest", () => {
    fakeExecutables();
    const { code, stderr } = runScript(["--repo", "acme/tether", "--version", "v1.2.3", "--dist", dist]);
    expect(stderr).not.toContain("error");
    expect(code).toBe(0);
    const sums = parseSha256Sums(readFileSync(path.join(dist, "SHA256SUMS"), "utf8"));
    const archives = FILES.map((f) => (f.endsWith(".exe") ? f.replace(".exe", ".zip") : `${f}.tar.gz`));
    expect([...sums.keys()]).toEqual([...FILES, ...archives].sort());
    for (const [file, sum] of sums) {
      expect(new Bun.CryptoHasher("sha256").update(readFileSync(path.join(dist, file))).digest("hex")).toBe(sum);
    }
    expect(readFileSync(path.join(dist, "tether.rb"), "utf8")).toContain(`sha256 "${sums.get("tether-linux-x64")}"`);
    expect(JSON.parse(readFileSync(path.join(dist, "tether.json"), "utf8")).architecture["64bit"].hash).toBe(sums.get("tether-windows-x64.exe"));
  });

  test.skipIf(!Bun.which("tar") || !Bun.which("unzip"))("the archives hold an executable tether, LICENSE and notices", () => {
    fakeExecutables();
    expect(runScript(["--repo", "acme/tether", "--dist", dist]).code).toBe(0);
    const listing = Bun.spawnSync(["tar", "-tvzf", "tether-linux-arm64.tar.gz"], { cwd: dist }).stdout.toString();
    expect(listing).toMatch(/^-rwxr-xr-x .* tether\n/);
    expect(listing).toContain(" LICENSE\n");
    expect(listing).toContain(" THIRD-PARTY-NOTICES.md\n");
    const out = path.join(dist, "unzipped");
    expect(Bun.spawnSync(["unzip", "-q", "tether-windows-x64.zip", "-d", out], { cwd: dist }).exitCode).toBe(0);
    expect(readFileSync(path.join(out, "tether.exe"), "utf8")).toBe("binary for tether-windows-x64.exe\n");
  });

  test.skipIf(!Bun.which("sha256sum"))("one downloaded file verifies with sha256sum --ignore-missing -c (README)", () => {
    fakeExecutables();
    expect(runScript(["--repo", "acme/tether", "--dist", dist]).code).toBe(0);
    const user = path.join(dist, "downloads");
    Bun.spawnSync(["mkdir", user]);
    for (const f of ["SHA256SUMS", "tether-linux-x64.tar.gz"]) copyFileSync(path.join(dist, f), path.join(user, f));
    const check = Bun.spawnSync(["sha256sum", "--ignore-missing", "-c", "SHA256SUMS"], { cwd: user });
    expect(check.stdout.toString()).toBe("tether-linux-x64.tar.gz: OK\n");
    expect(check.exitCode).toBe(0);
  });

  test("a missing executable is one clear error", () => {
    const { code, stderr } = runScript(["--repo", "acme/tether", "--dist", dist]);
    expect(code).toBe(1);
    expect(stderr).toStartWith(`error: ${dist} lacks tether-linux-x64, `);
    expect(stderr).toContain("npm run build -- --target all");
  });

  const ruby = Bun.which("ruby");
  const simulatable = ruby !== null && process.platform !== "win32" && hostTarget().name !== "linux-x64-musl";
  if (!simulatable) console.warn("skipped: Homebrew staging simulation needs ruby (apt-get install ruby) on Linux glibc or macOS");
  test.skipIf(!simulatable)(
    "the formula installs from a 0644 staged download, with completions, and its test passes",
    async () => {
      fakeExecutables();
      const host = hostTarget().fileName;
      // The download is a script that runs the real tether: the formula installs and runs it the
      // same way, and the packaging script need not gzip and hash 120 MB (~4 s of CPU per run).
      writeFileSync(path.join(dist, host), `#!/bin/sh\nexec '${(await ensureHostBinary()).replaceAll("'", `'\\''`)}' "$@"\n`, { mode: 0o644 });
      expect(runScript(["--repo", "acme/tether", "--dist", dist]).code).toBe(0);
      const prefix = path.join(dist, "prefix");
      const sim = Bun.spawnSync([ruby!, HOMEBREW_SIM, path.join(dist, "tether.rb"), dist, prefix], { stderr: "pipe" });
      expect(sim.stderr.toString()).toBe("");
      expect(sim.stdout.toString()).toContain(`installed ${host} as ${prefix}/bin/tether`);
      expect(statSync(path.join(prefix, "bin/tether")).mode & 0o777).toBe(0o755);
      expect(readFileSync(path.join(prefix, "share/zsh/site-functions/_tether"), "utf8")).toStartWith("#compdef tether");
      expect(readFileSync(path.join(prefix, "etc/bash_completion.d/tether"), "utf8")).toContain("complete -F _tether tether");
      expect(readFileSync(path.join(prefix, "share/fish/vendor_completions.d/tether.fish"), "utf8")).toContain("complete -c tether");
    },
    240_000,
  );
});
