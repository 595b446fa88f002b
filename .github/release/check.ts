// The release job's steps, up to the upload: `npm run release:check` runs them on this machine,
// release.yml's release job runs them (with --skip-build) on the signed executables.
//
//   bun .github/release/check.ts [--skip-build] [--repo OWNER/NAME] [--version vX.Y.Z] [--dist dist]
//
// What only GitHub can do is not run here: signing and notarizing on macOS, the smoke tests on
// each OS, pushing the tap, the bucket and the container image.
import { chmodSync, readFileSync } from "node:fs";
import path from "node:path";
import { hostTarget } from "../../build.ts";
import { parseSha256Sums } from "./packages.ts";

const ROOT = path.resolve(import.meta.dir, "../..");
const BUN = process.execPath;

interface Options {
  build: boolean;
  repo: string;
  version?: string;
  dist: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { build: true, repo: process.env.GITHUB_REPOSITORY ?? "example-org/tether", dist: path.join(ROOT, "dist") };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--skip-build") opts.build = false;
    else if (arg === "--repo") opts.repo = value();
    else if (arg === "--version") opts.version = value();
    else if (arg === "--dist") opts.dist = path.resolve(value());
    else throw new Error(`unknown argument ${arg}; usage: bun .github/release/check.ts [--skip-build] [--repo OWNER/NAME] [--version vX.Y.Z] [--dist dist]`);
  }
  return opts;
}

/** Runs a command with inherited output; throws when it fails. */
function run(cmd: string[]): void {
  const proc = Bun.spawnSync(cmd, { cwd: ROOT, stdout: "inherit", stderr: "inherit", env: process.env });
  if (proc.exitCode !== 0) throw new Error(`${cmd.map((c) => path.relative(ROOT, c) || c).join(" ")} exited ${proc.exitCode}`);
}

function checkScoopManifest(dist: string): void {
  const manifest = JSON.parse(readFileSync(path.join(dist, "tether.json"), "utf8"));
  const sums = parseSha256Sums(readFileSync(path.join(dist, "SHA256SUMS"), "utf8"));
  const arch = manifest.architecture?.["64bit"];
  if (manifest.bin !== "tether.exe" || arch?.hash !== sums.get("tether-windows-x64.exe") || !manifest.checkver || !manifest.autoupdate) {
    throw new Error("dist/tether.json: bin, hash, checkver or autoupdate is wrong");
  }
  console.error(`tether.json: version ${manifest.version}, ${arch.url}`);
}

export async function releaseCheck(opts: Options): Promise<void> {
  const host = hostTarget();
  const versionArgs = opts.version ? ["--version", opts.version] : [];
  const ruby = Bun.which("ruby");
  const steps: [string, () => void][] = [
    ["Third-party notices are up to date", () => run([BUN, ".github/release/notices.ts", "--check"])],
    ...(opts.build ? [["Build all targets", () => run([BUN, "build.ts", "--target", "all", "--outdir", opts.dist])] as [string, () => void]] : []),
    [
      "Smoke-test the host executable",
      () => {
        // A downloaded artifact has lost its mode.
        chmodSync(path.join(opts.dist, host.fileName), 0o755);
        run([BUN, ".github/release/smoke.ts", path.join(opts.dist, host.fileName)]);
      },
    ],
    ["Archives, SHA256SUMS, Homebrew formula, Scoop manifest", () => run([BUN, ".github/release/packages.ts", "--repo", opts.repo, "--dist", opts.dist, ...versionArgs])],
    [
      "The formula installs from Homebrew's 0644 staging (simulated)",
      () => {
        if (!ruby || host.name === "linux-x64-musl" || host.name === "windows-x64") {
          console.error(`skipped: needs ruby on glibc Linux or macOS (${ruby ? host.name : "ruby not installed"})`);
          return;
        }
        run([ruby, ".github/release/homebrew-sim.rb", path.join(opts.dist, "tether.rb"), opts.dist, path.join(opts.dist, ".homebrew-prefix")]);
      },
    ],
    ["Scoop manifest", () => checkScoopManifest(opts.dist)],
    ["Containerfile lint and build context", () => run([BUN, ".github/container/stage.ts", opts.dist, path.join(opts.dist, "container")])],
  ];
  for (const [name, step] of steps) {
    console.error(`\n== ${name}`);
    step();
  }
  console.error("\nrelease check passed; release.yml would now upload dist/tether-*, SHA256SUMS, tether.rb and tether.json");
  console.error("not run here: macOS signing, smoke tests on each OS, tap, bucket and container pushes");
}

if (import.meta.main) {
  try {
    await releaseCheck(parseArgs(Bun.argv.slice(2)));
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
