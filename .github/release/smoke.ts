// Smoke-tests one release executable on the machine it is built for: --version, then mcp add /
// list / call against the fixture MCP server (stdio, run by this Bun), in a throwaway home.
//
//   bun .github/release/smoke.ts dist/tether-<os>-<arch>[.exe]
//
// release.yml runs it on each OS before publishing; `npm run release:check` on the host binary.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dir, "../..");
const FIXTURE = path.join(ROOT, "test/support/fixture-server.ts");

interface Step {
  args: string[];
  /** stdout must contain this. */
  expect: string;
}

export async function smokeTest(binary: string, version: string): Promise<void> {
  const home = mkdtempSync(path.join(tmpdir(), "tether-smoke-"));
  const steps: Step[] = [
    { args: ["--version"], expect: `tether ${version}` },
    { args: ["mcp", "add", "fixture", "--", process.execPath, FIXTURE, "--stdio"], expect: 'Added stdio server "fixture"' },
    { args: ["mcp", "list"], expect: "fixture\tstdio" },
    { args: ["mcp", "call", "fixture", "echo", "--arg", "text=smoke ok"], expect: "smoke ok" },
  ];
  try {
    for (const step of steps) {
      const proc = Bun.spawn([binary, ...step.args], {
        cwd: home,
        env: { ...process.env, TETHER_HOME: path.join(home, ".tether"), NO_COLOR: "1" },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
      const shown = `tether ${step.args.join(" ")}`;
      if (code !== 0 || !stdout.includes(step.expect)) {
        throw new Error(`${shown} exited ${code}; expected ${JSON.stringify(step.expect)} in stdout\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
      console.error(`ok: ${shown}`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const binary = Bun.argv[2];
  if (!binary) {
    console.error("usage: bun .github/release/smoke.ts PATH/TO/tether");
    process.exit(2);
  }
  const { version } = (await Bun.file(path.join(ROOT, "package.json")).json()) as { version: string };
  try {
    await smokeTest(path.resolve(binary), version);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
