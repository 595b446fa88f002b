// Builds the release executables dist/tether-<os>-<arch>[.exe], each with its platform's
// @napi-rs/keyring addon embedded, plus dist/SHA256SUMS.
//
//   bun build.ts [--target NAME|all|host] [--no-otel] [--outdir DIR] [--no-bytecode]
//
// SHA256SUMS lists every executable of the variant in the output directory after the run (sorted),
// not only the ones this run built: per-target runs then add up to a complete file, and every line
// is the checksum of the file as it is on disk. `--no-otel` builds are a variant of their own:
// dist/tether-<os>-<arch>-no-otel[.exe] and dist/SHA256SUMS-no-otel, so they never overwrite or
// mix with the release files.
import type { BunPlugin } from "bun";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type TargetName =
  | "linux-x64"
  | "linux-arm64"
  | "linux-x64-musl"
  | "darwin-x64"
  | "darwin-arm64"
  | "windows-x64";

export interface BuildTarget {
  name: TargetName;
  /** Bun's `--target` for `--compile`. */
  bunTarget: Bun.Build.CompileTarget;
  /** napi-rs platform suffix: package `@napi-rs/keyring-<p>`, file `keyring.<p>.node`. */
  keyringPlatform: string;
  /** The executable's file name in the output directory. */
  fileName: string;
}

function target(name: TargetName, bunTarget: Bun.Build.CompileTarget, keyringPlatform: string): BuildTarget {
  const exe = name.startsWith("windows-") ? ".exe" : "";
  return { name, bunTarget, keyringPlatform, fileName: `tether-${name}${exe}` };
}

export const TARGETS: Readonly<Record<TargetName, BuildTarget>> = {
  "linux-x64": target("linux-x64", "bun-linux-x64", "linux-x64-gnu"),
  "linux-arm64": target("linux-arm64", "bun-linux-arm64", "linux-arm64-gnu"),
  "linux-x64-musl": target("linux-x64-musl", "bun-linux-x64-musl", "linux-x64-musl"),
  "darwin-x64": target("darwin-x64", "bun-darwin-x64", "darwin-x64"),
  "darwin-arm64": target("darwin-arm64", "bun-darwin-arm64", "darwin-arm64"),
  "windows-x64": target("windows-x64", "bun-windows-x64", "win32-x64-msvc"),
};

/** The executable's file name for a build with or without telemetry. */
export function executableName(target: BuildTarget, otel: boolean): string {
  if (otel) return target.fileName;
  const exe = path.extname(target.fileName);
  return `${path.basename(target.fileName, exe)}-no-otel${exe}`;
}

/** The checksum file of a variant. */
export function checksumsName(otel: boolean): string {
  return otel ? "SHA256SUMS" : "SHA256SUMS-no-otel";
}

export const ROOT: string = import.meta.dir;
export const DEFAULT_ENTRY: string = path.join(ROOT, "src/main.ts");
/**
 * The telemetry worker (src/telemetry/worker-sink.ts starts it with `new Worker(...)`): Bun embeds
 * a worker in an executable only when it is an entrypoint of its own. Builds without telemetry
 * leave it out, with the rest of OpenTelemetry.
 */
const TELEMETRY_WORKER_ENTRY: string = path.join(ROOT, "src/telemetry/otel-worker.ts");
/** Downloaded addons live here: ignored by git (node_modules/) and dropped by `npm ci`. */
const DEFAULT_ADDON_CACHE: string = path.join(ROOT, "node_modules/.cache/tether-build/keyring");

/** The target that runs on this machine. */
export function hostTarget(): BuildTarget {
  const { platform, arch } = process;
  if (platform === "linux" && arch === "x64") return TARGETS[isMusl() ? "linux-x64-musl" : "linux-x64"];
  if (platform === "linux" && arch === "arm64") return TARGETS["linux-arm64"];
  if (platform === "darwin" && arch === "x64") return TARGETS["darwin-x64"];
  if (platform === "darwin" && arch === "arm64") return TARGETS["darwin-arm64"];
  if (platform === "win32" && arch === "x64") return TARGETS["windows-x64"];
  throw new Error(`no tether build target for ${platform}-${arch}`);
}

function isMusl(): boolean {
  return existsSync("/lib/ld-musl-x86_64.so.1") && !existsSync("/lib64/ld-linux-x86-64.so.2");
}

export interface CompileOptions {
  entry: string;
  target: BuildTarget;
  outfile: string;
  /** Value of the TETHER_OTEL define (src/telemetry/flags.ts). Default true. */
  otel?: boolean;
  /** Default true: works for every target with Bun 1.4.4 (checked by cross-building all six). */
  bytecode?: boolean;
  /** The keyring addon to embed; omitted for entries that do not import @napi-rs/keyring. */
  keyringAddon?: string;
  /** A profile from recordBytecodeOrder: the bytecode it names is laid out first. */
  bytecodeOrder?: string;
}

/**
 * JavaScriptCore's tier-up thresholds are scaled by this at start (`compile.jitPolicy`): a command
 * that runs for milliseconds otherwise spends ~1.5 ms compiling code it runs a few hundred times
 * (the TOML parser, argument parsing) on JIT threads it has to start. src/main.ts restores the
 * normal policy once a run lasts long enough for the JIT to pay off.
 */
const STARTUP_JIT_POLICY = 100;

/** The bundler settings every tether build shares: compiled executables and inspected bundles. */
function bundleConfig(entry: string, otel: boolean, keyringAddon: string | undefined): Bun.BuildConfig {
  const withWorker = otel && entry === DEFAULT_ENTRY;
  return {
    entrypoints: withWorker ? [entry, TELEMETRY_WORKER_ENTRY] : [entry],
    target: "bun",
    format: "esm",
    minify: true,
    // Each dynamic import() becomes a chunk evaluated only when reached, so `--version` and one
    // subcommand do not run the top level of every other command's modules (without it, Bun
    // hoists them all into one scope that runs at startup).
    splitting: true,
    define: {
      TETHER_OTEL: otel ? "true" : "false",
      // Chunks land at the executable's root, entrypoints keep their path below src/: the worker
      // is found by this path, not relative to the chunk that starts it (worker-sink.ts).
      ...(withWorker ? { TETHER_OTEL_WORKER: JSON.stringify(`./${path.relative(path.dirname(DEFAULT_ENTRY), TELEMETRY_WORKER_ENTRY)}`) } : {}),
    },
    plugins: [cittyParseArgsPlugin(), grpcRequirePlugin(), ...(keyringAddon ? [keyringAddonPlugin(keyringAddon)] : [])],
    throw: false,
  };
}

/**
 * One `bun build --compile`. Shared with bench/startup.ts so the bare-Bun baseline is built
 * with exactly the flags tether is.
 */
export async function compileExecutable(options: CompileOptions): Promise<string> {
  const { entry, target, outfile, otel = true, bytecode = true, keyringAddon, bytecodeOrder } = options;
  const result = await Bun.build({
    ...bundleConfig(entry, otel, keyringAddon),
    compile: {
      target: target.bunTarget,
      outfile,
      // A compiled Bun binary would otherwise read .env and bunfig.toml from the user's working
      // directory; a bunfig `preload` there would run arbitrary code inside tether.
      autoloadDotenv: false,
      autoloadBunfig: false,
      jitPolicy: STARTUP_JIT_POLICY,
      ...(bytecode && bytecodeOrder ? { bytecodeOrder } : {}),
    },
    bytecode,
    // Embedded in the executable (zstd) and read only when a stack trace is printed.
    sourcemap: "linked",
  });
  if (!result.success) {
    throw new Error(`bun build failed for ${target.name}:\n${result.logs.map(String).join("\n")}`);
  }
  const built = result.outputs.find((o) => o.kind === "entry-point")?.path ?? outfile;
  // The sourcemap is already inside the executable; the copies beside it are noise in dist/.
  for (const o of result.outputs) if (o.kind === "sourcemap") rmSync(o.path, { force: true });
  return built;
}

export interface InspectOptions {
  entry?: string;
  /** Value of the TETHER_OTEL define. */
  otel: boolean;
}

/**
 * The JavaScript a build would embed (all chunks, concatenated), bundled in memory with the same
 * settings as compileExecutable: for tests that grep it, e.g. for OpenTelemetry in `--no-otel`.
 */
export async function inspectBundle(options: InspectOptions): Promise<string> {
  const { entry = DEFAULT_ENTRY, otel } = options;
  const result = await Bun.build(bundleConfig(entry, otel, undefined));
  if (!result.success) throw new Error(`bun build failed:\n${result.logs.map(String).join("\n")}`);
  const chunks = await Promise.all(result.outputs.filter((o) => o.path.endsWith(".js")).map((o) => o.text()));
  return chunks.join("\n");
}

/**
 * Replaces @napi-rs/keyring's loader (which picks `@napi-rs/keyring-<platform>` at run time,
 * invisible to the bundler) with a static require of one `.node` file, which Bun embeds.
 */
function keyringAddonPlugin(addonPath: string): BunPlugin {
  return {
    name: "tether-keyring-addon",
    setup(build) {
      build.onLoad({ filter: /[\\/]@napi-rs[\\/]keyring[\\/]index\.js$/ }, () => ({
        // Not `module.exports = require(...)`: the bundler would then look for static exports
        // of the .node file and reject `import { Entry }`.
        contents: `const binding = require(${JSON.stringify(addonPath)});\nmodule.exports = binding;\n`,
        loader: "js",
      }));
    },
  };
}

/** citty's one import of node:util, which cittyParseArgsPlugin replaces. */
const CITTY_NODE_UTIL_IMPORT = /^import \{ parseArgs as (\S+) \} from "node:util";$/m;
/** Node's parseArgs as far as citty uses it, without node:util (src/cli/parse-args.ts). */
const CITTY_PARSE_ARGS: string = path.join(ROOT, "src/cli/parse-args.ts");

/** The export line of citty's copy of scule (its camelCase/kebabCase/snakeCase), which cittyParseArgsPlugin memoizes. */
const CITTY_SCULE_EXPORTS = /^export \{ ((?:\w+ as \w+(?:, )?)+) \};$/m;

/**
 * citty imports node:util for parseArgs alone, and node:util costs ~0.8 ms to load on every start
 * (most of the gap between `tether mcp list` and a bare Bun hello). Give citty src/cli/parse-args.ts
 * instead. Fails the build if citty's import changes shape, rather than shipping a different parser.
 *
 * citty also spells every flag of a command two more ways (camelCase, kebab-case) on each parse,
 * and again on each read of an absent flag through its args proxy, splitting names a character at
 * a time: a fifth of the keep-alive daemon's work per `mcp call` (issue 22). The names are the
 * commands' own flags and properties, so each spelling is worked out once per process.
 */
function cittyParseArgsPlugin(): BunPlugin {
  return {
    name: "tether-citty-parse-args",
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/]citty[\\/]dist[\\/]index\.mjs$/ }, async (args) => {
        const source = await Bun.file(args.path).text();
        if (!CITTY_NODE_UTIL_IMPORT.test(source)) {
          throw new Error(`${args.path}: no \`import { parseArgs } from "node:util"\` line to replace; update cittyParseArgsPlugin in build.ts`);
        }
        const contents = source.replace(CITTY_NODE_UTIL_IMPORT, (_, local: string) => `import { parseArgs as ${local} } from ${JSON.stringify(CITTY_PARSE_ARGS)};`);
        return { contents, loader: "js" };
      });
      build.onLoad({ filter: /[\\/]node_modules[\\/]citty[\\/]dist[\\/]_chunks[\\/]libs[\\/]scule\.mjs$/ }, async (args) => {
        const source = await Bun.file(args.path).text();
        const exports = CITTY_SCULE_EXPORTS.exec(source)?.[1];
        if (!exports) throw new Error(`${args.path}: no \`export { camelCase as … }\` line to memoize; update cittyParseArgsPlugin in build.ts`);
        const names = exports.split(", ").map((item) => item.split(" as ") as [string, string]);
        // One argument only (a second one, a joiner or options, goes straight through); a symbol key is fine in a Map.
        const memo = `function __tetherMemo(fn) { const seen = new Map(); return (name, option) => { if (option !== undefined) return fn(name, option); let value = seen.get(name); if (value === undefined) seen.set(name, (value = fn(name))); return value; }; }`;
        const wrapped = names.map(([local, exported]) => `const __tether_${exported} = __tetherMemo(${local});`).join("\n");
        const contents = source.replace(CITTY_SCULE_EXPORTS, `${memo}\n${wrapped}\nexport { ${names.map(([, exported]) => `__tether_${exported} as ${exported}`).join(", ")} };`);
        return { contents, loader: "js" };
      });
    },
  };
}

/** The line of otlp-grpc-exporter-base's bundler runtime that grpcRequirePlugin replaces. */
const GRPC_RUNTIME_REQUIRE = /var __require = [^\n]*createRequire\(import\.meta\.url\)[^\n]*/;

/**
 * @opentelemetry/otlp-grpc-exporter-base loads @grpc/grpc-js with `createRequire(import.meta.url)`,
 * which the bundler cannot see: in a compiled executable there is no node_modules beside
 * import.meta.url, and every gRPC export failed with "Cannot find module '@grpc/grpc-js'". Give
 * that `__require` a static import of grpc-js, which Bun then bundles. Fails the build if the
 * package's runtime changes shape, rather than shipping a binary whose gRPC export cannot work.
 */
function grpcRequirePlugin(): BunPlugin {
  return {
    name: "tether-grpc-require",
    setup(build) {
      build.onLoad({ filter: /[\\/]otlp-grpc-exporter-base[\\/]dist[\\/]_virtual[\\/]_rolldown[\\/]runtime\.mjs$/ }, async (args) => {
        const source = await Bun.file(args.path).text();
        if (!GRPC_RUNTIME_REQUIRE.test(source)) {
          throw new Error(`${args.path}: no createRequire(import.meta.url) line to replace; update grpcRequirePlugin in build.ts`);
        }
        const replacement =
          'import * as grpcJs from "@grpc/grpc-js";\n' +
          'var __require = (id) => id === "@grpc/grpc-js" ? grpcJs : createRequire(import.meta.url)(id);';
        return { contents: source.replace(GRPC_RUNTIME_REQUIRE, () => replacement), loader: "js" };
      });
    },
  };
}

function keyringVersion(): string {
  const pkg = require(path.join(ROOT, "node_modules/@napi-rs/keyring/package.json")) as { version: string };
  return pkg.version;
}

/** The keyring `.node` for a target: the installed platform package, else the cache, else npm. */
export async function resolveKeyringAddon(target: BuildTarget, cacheDir: string = DEFAULT_ADDON_CACHE): Promise<string> {
  const version = keyringVersion();
  const pkgName = `@napi-rs/keyring-${target.keyringPlatform}`;
  const fileName = `keyring.${target.keyringPlatform}.node`;

  const installedDir = path.join(ROOT, "node_modules", pkgName);
  if (existsSync(path.join(installedDir, fileName))) {
    const installed = require(path.join(installedDir, "package.json")) as { version: string };
    if (installed.version === version) return path.join(installedDir, fileName);
  }

  const cached = path.join(cacheDir, version, fileName);
  if (existsSync(cached)) return cached;

  await fetchAddon(pkgName, version, fileName, cached);
  return cached;
}

/** `npm pack`s the platform package, checks it against package-lock.json, extracts the `.node`. */
async function fetchAddon(pkgName: string, version: string, fileName: string, dest: string): Promise<void> {
  const expected = lockedIntegrity(pkgName, version);
  const work = mkdtempSync(path.join(tmpdir(), "tether-keyring-"));
  try {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    // Not --silent: it also hides the reason a download failed. npm's defaults retry an
    // unreachable registry for over a minute; one quick retry, 15 s per request, is enough for a build.
    await run(
      [npm, "pack", `${pkgName}@${version}`, "--loglevel=error", "--fetch-retries=1", "--fetch-retry-mintimeout=2000", "--fetch-timeout=15000", "--pack-destination", work],
      work,
    ).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot download ${pkgName}@${version} for the build (${reason}); check the network or npm's registry setting`);
    });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${pkgName}@${version} produced no tarball`);
    const tarPath = path.join(work, tarball);

    const hasher = new Bun.CryptoHasher("sha512");
    hasher.update(await Bun.file(tarPath).arrayBuffer());
    const actual = `sha512-${hasher.digest("base64")}`;
    if (actual !== expected) {
      throw new Error(`${pkgName}@${version}: integrity ${actual} does not match package-lock.json (${expected})`);
    }

    await run(["tar", "-xzf", tarball, `package/${fileName}`], work);
    mkdirSync(path.dirname(dest), { recursive: true });
    renameSync(path.join(work, "package", fileName), dest);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function lockedIntegrity(pkgName: string, version: string): string {
  const lock = require(path.join(ROOT, "package-lock.json")) as {
    packages: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages[`node_modules/${pkgName}`];
  if (!entry?.integrity || entry.version !== version) {
    throw new Error(`package-lock.json has no integrity for ${pkgName}@${version}; refusing an unpinned download`);
  }
  return entry.integrity;
}

async function run(cmd: string[], cwd: string): Promise<void> {
  // process.env explicitly: Bun.spawn otherwise passes the environment tether started with.
  const proc = Bun.spawn(cmd, { cwd, env: process.env, stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd[0]} ${cmd[1]} exited ${code}: ${firstErrorLine(stderr || stdout)}`);
}

/** npm's first "npm error" line without the prefix (the rest is a log path and a stack). */
function firstErrorLine(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.replace(/^npm (error|ERR!)\s*/, "").trim()).filter(Boolean);
  return lines.find((l) => l.includes("reason:")) ?? lines.find((l) => /^code E/.test(l)) ?? lines[0] ?? "no output";
}

/** The sha256 of a file, hex. */
async function sha256File(file: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  const reader = Bun.file(file).stream().getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) hasher.update(chunk.value);
  return hasher.digest("hex");
}

/**
 * Writes the variant's checksum file (sha256sum format) over its executables in outdir, plus
 * `extraFiles` (the release's archives), sorted by name.
 */
export async function writeChecksums(outdir: string, otel = true, extraFiles: readonly string[] = []): Promise<string> {
  const executables = Object.values(TARGETS).map((t) => executableName(t, otel));
  const present = new Set(readdirSync(outdir));
  const names = [...new Set([...executables.filter((f) => present.has(f)), ...extraFiles])].sort();
  const lines: string[] = [];
  for (const name of names) lines.push(`${await sha256File(path.join(outdir, name))}  ${name}`);
  const sumsPath = path.join(outdir, checksumsName(otel));
  await Bun.write(sumsPath, lines.map((l) => `${l}\n`).join(""));
  return sumsPath;
}

export interface BuildOptions {
  targets: BuildTarget[];
  outdir: string;
  otel: boolean;
  bytecode: boolean;
  entry?: string;
}

/** Builds the given targets into outdir and rewrites SHA256SUMS; returns the executables' paths. */
export async function buildRelease(options: BuildOptions): Promise<string[]> {
  const { targets, outdir, otel, bytecode, entry = DEFAULT_ENTRY } = options;
  mkdirSync(outdir, { recursive: true });
  // Fetch every addon before the first (slow) compile, so a missing one fails fast.
  const addons = new Map<TargetName, string>();
  for (const t of targets) addons.set(t.name, await resolveKeyringAddon(t));
  const host = hostTarget();
  const work = mkdtempSync(path.join(tmpdir(), "tether-build-"));
  try {
    let bytecodeOrder: string | undefined;
    if (bytecode) {
      const started = performance.now();
      const keyringAddon = addons.get(host.name) ?? (await resolveKeyringAddon(host));
      const probe = await compileExecutable({ entry, target: host, outfile: path.join(work, executableName(host, otel)), otel, keyringAddon });
      bytecodeOrder = recordBytecodeOrder(probe, work);
      console.error(`recorded the start-up bytecode order (${Math.round(performance.now() - started)} ms)`);
    }
    const built: string[] = [];
    for (const t of targets) {
      const started = performance.now();
      const outfile = path.join(outdir, executableName(t, otel));
      const keyringAddon = addons.get(t.name);
      built.push(await compileExecutable({ entry, target: t, outfile, otel, bytecode, keyringAddon, bytecodeOrder }));
      const mb = (Bun.file(outfile).size / 1024 / 1024).toFixed(1);
      console.error(`built ${path.relative(process.cwd(), outfile)} (${mb} MB, ${Math.round(performance.now() - started)} ms)`);
    }
    await writeChecksums(outdir, otel);
    return built;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The run a release's bytecode layout is ordered for. Start-up shows in short commands: the
 * bytecode `tether mcp list` runs is placed together at the front of the executable, so a short
 * run touches fewer pages (Bun's `bytecodeOrder`; `mcp list`: ~1,280 → ~1,110 page faults, ~0.4 ms
 * less CPU). One profile only: merging several (get, --help) spread the layout and gave back most
 * of the gain.
 */
const PROFILED_RUN: readonly string[] = ["mcp", "list"];

/**
 * The config.toml the profiled run lists, and bench/startup.ts times `mcp list` against: a
 * realistic mix of stdio and HTTP servers (SPEC §2), so the run takes both paths.
 */
export function startupConfigToml(servers: number): string {
  const blocks: string[] = [`model = "gpt-5-codex"\n`];
  for (let i = 0; i < servers; i++) {
    if (i % 2 === 0) {
      blocks.push(
        `[mcp_servers.stdio-${i}]\ncommand = "x"\nargs = ["--port", "${4000 + i}"]\nenv = { LOG_LEVEL = "info" }\nstartup_timeout_sec = 10\n`,
      );
    } else {
      blocks.push(`[mcp_servers.http-${i}]\nurl = "http://127.0.0.1:1/mcp"\nhttp_headers = { "X-Region" = "eu" }\n`);
    }
  }
  return blocks.join("\n");
}

/**
 * The environment of a start-up run (the profile here, the timed runs of bench/startup.ts): a
 * scratch home and nothing inherited but PATH, so the user's own config never shapes either.
 */
export function startupRunEnv(work: string, tetherHome: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: work, USERPROFILE: work, TETHER_HOME: tetherHome, NO_COLOR: "1", ...extra };
  // Windows processes need SystemRoot to start their runtime.
  if (process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  return env;
}

/**
 * Runs `executable` (built for this machine) with BUN_BYTECODE_ORDER_OUT and returns the profile.
 * The profile names functions, not addresses, so the one recorded here lays out every target.
 */
function recordBytecodeOrder(executable: string, work: string): string {
  const home = path.join(work, "profile-home");
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, "config.toml"), startupConfigToml(10));
  const out = path.join(work, "bytecode-order.txt");
  const run = Bun.spawnSync([executable, ...PROFILED_RUN], { cwd: work, env: startupRunEnv(work, home, { BUN_BYTECODE_ORDER_OUT: out }), stdout: "pipe", stderr: "pipe" });
  if (run.exitCode !== 0 || !existsSync(out)) {
    throw new Error(`profiling \`tether ${PROFILED_RUN.join(" ")}\` for the bytecode layout failed (exit ${run.exitCode}): ${run.stderr.toString().trim()}`);
  }
  return out;
}

const USAGE = `usage: bun build.ts [--target NAME|all|host] [--no-otel] [--outdir DIR] [--no-bytecode]
targets: ${Object.keys(TARGETS).join(", ")}`;

export function parseBuildArgs(argv: string[]): BuildOptions {
  let targetArg = "host";
  let outdir = "dist";
  let otel = true;
  let bytecode = true;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--target") targetArg = value();
    else if (flag === "--outdir") outdir = value();
    else if (flag === "--no-otel") otel = false;
    else if (flag === "--no-bytecode") bytecode = false;
    else throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  let targets: BuildTarget[];
  if (targetArg === "all") targets = Object.values(TARGETS);
  else if (targetArg === "host") targets = [hostTarget()];
  else if (targetArg in TARGETS) targets = [TARGETS[targetArg as TargetName]];
  else throw new Error(`unknown target ${targetArg}\n${USAGE}`);
  return { targets, outdir: path.resolve(outdir), otel, bytecode };
}

if (import.meta.main) {
  const argv = Bun.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
  } else {
    try {
      await buildRelease(parseBuildArgs(argv));
    } catch (err) {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  }
}
