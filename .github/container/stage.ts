// The container image without Docker: stages the build context from the release's executables,
// lints the Containerfile, and plans the image's filesystem layout from its instructions, so the
// release check and tests can see what the image will hold.
//
//   bun .github/container/stage.ts DIST OUT     (writes OUT/linux/{amd64,arm64}/tether, OUT/home/.tether/)
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const CONTAINERFILE: string = path.join(import.meta.dir, "Containerfile");

/** Image platform → the release executable it runs. */
export const PLATFORMS: Readonly<Record<string, string>> = {
  "linux/amd64": "tether-linux-x64",
  "linux/arm64": "tether-linux-arm64",
};

export function stageContext(dist: string, out: string): void {
  for (const [platform, file] of Object.entries(PLATFORMS)) {
    const source = path.join(dist, file);
    if (!existsSync(source)) throw new Error(`${source} is missing; build it first: npm run build -- --target all`);
    mkdirSync(path.join(out, platform), { recursive: true });
    copyFileSync(source, path.join(out, platform, "tether"));
    chmodSync(path.join(out, platform, "tether"), 0o755);
  }
  mkdirSync(path.join(out, "home/.tether"), { recursive: true });
  chmodSync(path.join(out, "home/.tether"), 0o700);
}

export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** The instructions, with `\` continuations joined and comments dropped. */
export function parseContainerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: Instruction | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) return;
    const body = line.endsWith("\\") ? line.slice(0, -1).trim() : line;
    if (pending) pending.args += ` ${body}`;
    else {
      const [keyword = "", ...rest] = body.split(/\s+/);
      pending = { line: i + 1, keyword, args: rest.join(" ") };
    }
    if (!line.endsWith("\\")) {
      out.push(pending);
      pending = undefined;
    }
  });
  return out;
}

export interface ImageFile {
  /** Absolute path inside the image. */
  path: string;
  /** Context file it comes from. */
  source: string;
  mode: number;
  owner: string;
}

export interface ImagePlan {
  base: string;
  files: ImageFile[];
  env: Record<string, string>;
  volumes: string[];
  user: string;
  entrypoint: string[];
}

/** What the image holds for one platform, from the instructions and the staged context. */
export function planImage(text: string, context: string, platform: string): ImagePlan {
  const plan: ImagePlan = { base: "", files: [], env: {}, volumes: [], user: "root", entrypoint: [] };
  const args: Record<string, string> = { TARGETPLATFORM: platform };
  const expand = (s: string): string => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? "");
  for (const { keyword, args: rest } of parseContainerfile(text)) {
    if (keyword === "FROM") plan.base = rest;
    else if (keyword === "ENV") {
      const [key, value] = rest.split("=", 2);
      plan.env[key!] = value!;
    } else if (keyword === "VOLUME") plan.volumes.push(...(JSON.parse(rest) as string[]));
    else if (keyword === "USER") plan.user = rest;
    else if (keyword === "ENTRYPOINT") plan.entrypoint = JSON.parse(rest) as string[];
    else if (keyword === "COPY") {
      const words = rest.split(/\s+/);
      const flags = Object.fromEntries(words.filter((w) => w.startsWith("--")).map((w) => w.slice(2).split("=", 2)));
      const [from, to] = words.filter((w) => !w.startsWith("--")).map(expand) as [string, string];
      const source = path.join(context, from);
      const entries = statSync(source).isDirectory() ? walk(source).map((rel) => [path.join(source, rel), path.posix.join(to, rel)]) : [[source, to]];
      for (const [src, dest] of entries) {
        const mode = flags.chmod ? parseInt(flags.chmod, 8) : statSync(src!).mode & 0o777;
        plan.files.push({ path: dest!.replace(/\/$/, ""), source: src!, mode, owner: flags.chown ?? "0:0" });
      }
    }
  }
  return plan;
}

/** Paths below dir, directories included (with a trailing slash). */
function walk(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(`${rel}/`, ...walk(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** Problems with the Containerfile's rules for tether: empty when it is fine. */
export function lintContainerfile(text: string): string[] {
  const problems: string[] = [];
  const known = new Set(["FROM", "ARG", "LABEL", "COPY", "ENV", "VOLUME", "USER", "WORKDIR", "ENTRYPOINT", "CMD"]);
  const instructions = parseContainerfile(text);
  for (const { line, keyword } of instructions) {
    if (keyword === "RUN") problems.push(`line ${line}: RUN needs a shell, which the distroless base does not have`);
    else if (!known.has(keyword)) problems.push(`line ${line}: unexpected instruction ${keyword}`);
  }
  const from = instructions.filter((i) => i.keyword === "FROM");
  if (from.length !== 1) problems.push(`expected one FROM, found ${from.length}`);
  else if (!/^gcr\.io\/distroless\/cc-debian\d+:nonroot$/.test(from[0]!.args)) problems.push(`FROM ${from[0]!.args}: expected gcr.io/distroless/cc-debian<N>:nonroot`);
  const last = (k: string): string | undefined => instructions.filter((i) => i.keyword === k).at(-1)?.args;
  const user = last("USER");
  if (!user || /^(0|root)(:|$)/.test(user)) problems.push("the image must end with a non-root USER");
  const entrypoint = last("ENTRYPOINT");
  if (!entrypoint?.startsWith("[") || !/tether"\]$/.test(entrypoint)) problems.push('ENTRYPOINT must be the exec form ["…/tether"]');
  const home = instructions.find((i) => i.keyword === "ENV" && i.args.startsWith("TETHER_HOME="))?.args.split("=")[1];
  if (!home) problems.push("ENV TETHER_HOME is not set");
  else if (!instructions.some((i) => i.keyword === "VOLUME" && i.args.includes(`"${home}"`))) problems.push(`TETHER_HOME ${home} is not a VOLUME`);
  return problems;
}

if (import.meta.main) {
  const [dist, out] = Bun.argv.slice(2);
  if (!dist || !out) {
    console.error("usage: bun .github/container/stage.ts DIST OUT");
    process.exit(2);
  }
  const problems = lintContainerfile(readFileSync(CONTAINERFILE, "utf8"));
  if (problems.length > 0) {
    for (const p of problems) console.error(`error: Containerfile: ${p}`);
    process.exit(1);
  }
  try {
    stageContext(dist, out);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.error(`staged the container build context in ${out}`);
}
