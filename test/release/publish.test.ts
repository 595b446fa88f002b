// Publishing the formula to a tap (and the manifest to a bucket): a commit in the package
// repository, nothing when unchanged, and a notice instead of a failure without a token.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const SCRIPT = path.join(import.meta.dir, "../../.github/release/publish.sh");
let dir: string;
let env: Record<string, string>;

function git(args: string[], cwd = dir): string {
  const proc = Bun.spawnSync(["git", ...args], { cwd, env, stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${proc.stderr}`);
  return proc.stdout.toString();
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tether-publish-"));
  // No user or system git config: the test sees only what it sets up.
  env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  // OWNER/homebrew-tap as a bare repository with one commit, under a local "GitHub".
  git(["init", "--quiet", "seed"]);
  writeFileSync(path.join(dir, "seed/README.md"), "tap\n");
  git(["add", "README.md"], path.join(dir, "seed"));
  git(["commit", "--quiet", "-m", "init"], path.join(dir, "seed"));
  git(["clone", "--quiet", "--bare", "seed", "github/acme/homebrew-tap.git"]);
  writeFileSync(path.join(dir, "tether.rb"), "class Tether < Formula\nend\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function publish(token: string | undefined): { code: number; stdout: string; stderr: string } {
  const proc = Bun.spawnSync(["sh", SCRIPT, "acme/homebrew-tap", "tether.rb", "Formula/tether.rb", "tether 1.2.3"], {
    cwd: dir,
    env: { ...env, PUBLISH_GIT_BASE: `file://${dir}/github`, ...(token ? { PUBLISH_TOKEN: token } : {}) },
    stderr: "pipe",
  });
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const tap = (): string => path.join(dir, "github/acme/homebrew-tap.git");

test.skipIf(!Bun.which("git"))("commits the formula to the tap, once", () => {
  expect(publish("token")).toEqual({ code: 0, stdout: "published Formula/tether.rb to acme/homebrew-tap\n", stderr: "" });
  expect(git(["log", "--format=%s", "-1"], tap())).toBe("tether 1.2.3\n");
  expect(git(["show", "HEAD:Formula/tether.rb"], tap())).toBe("class Tether < Formula\nend\n");
  expect(publish("token").stdout).toBe("acme/homebrew-tap: Formula/tether.rb is already up to date\n");
  expect(git(["rev-list", "--count", "HEAD"], tap())).toBe("2\n");
});

test.skipIf(!Bun.which("git"))("without a token: a notice, success, nothing pushed", () => {
  expect(publish(undefined)).toEqual({
    code: 0,
    stdout: "::notice::no token for acme/homebrew-tap: Formula/tether.rb was not published (see README, Releases)\n",
    stderr: "",
  });
  expect(git(["rev-list", "--count", "HEAD"], tap())).toBe("1\n");
});
