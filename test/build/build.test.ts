// The compiled executable stands alone: run from an unrelated directory with an empty home and a
// PATH without Node or Bun, it answers --version and `mcp list`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { version } from "../../package.json" with { type: "json" };
import { hostTarget } from "../../build.ts";
import { ensureHostBinary } from "../support/binary.ts";

const BUILD_TIMEOUT_MS = 240_000;

let binary: string;
let home: string;

beforeAll(async () => {
  binary = await ensureHostBinary();
  home = mkdtempSync(path.join(tmpdir(), "tether-build-test-"));
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** A bare environment, like `env -i HOME=<home> PATH=/usr/bin:/bin`. */
function bareEnv(): Record<string, string> {
  if (process.platform === "win32") {
    const systemRoot = process.env.SystemRoot ?? "C:\\Windows";
    return { USERPROFILE: home, HOME: home, SystemRoot: systemRoot, PATH: path.join(systemRoot, "System32"), NO_COLOR: "1" };
  }
  return { HOME: home, PATH: "/usr/bin:/bin", NO_COLOR: "1" };
}

function runTether(...args: string[]): { code: number; stdout: string; stderr: string } {
  const proc = Bun.spawnSync([binary, ...args], { cwd: home, env: bareEnv(), stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

describe("compiled host executable", () => {
  test("--version prints the package.json version", () => {
    const { code, stdout, stderr } = runTether("--version");
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe(`tether ${version}`);
    expect(code).toBe(0);
  });

  test("bundles keyring as the host's embedded addon, never napi-rs's run-time package lookup", async () => {
    const bytes = Buffer.from(await Bun.file(binary).arrayBuffer());
    // A line of @napi-rs/keyring's own index.js, which build.ts's plugin replaces.
    expect(bytes.includes("npm has a bug related to optional dependencies")).toBe(false);
    const embedded = new Set(bytes.toString("latin1").match(/keyring\.[a-z0-9-]+\.node/g) ?? []);
    for (const name of embedded) expect(name).toStartWith(`keyring.${hostTarget().keyringPlatform}-`);
  });

  test("mcp list on an empty home says there are no servers", () => {
    const { code, stdout, stderr } = runTether("mcp", "list");
    expect(`${stdout}${stderr}`).toMatch(/no MCP servers configured/i);
    expect(stderr).not.toMatch(/error|cannot find/i);
    expect(code).toBe(0);
  });
});
