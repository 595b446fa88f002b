// The upstreams the official conformance suite's server scenarios are run against: directly (over
// HTTP, the only way the suite reaches a server; refresh-direct.ts) and through `tether mcp serve
// --http --no-prefix` fronting them (serve-conformance.test.ts), over each transport serve reaches
// them by. direct-passes.json, written by refresh-direct.ts, lists what each passes directly.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/cli.ts";
import { stdioFixture, type ServerEntry } from "../support/config.ts";
import { BUN_PATH, startHttpFixture } from "../support/fixture.ts";
import { RUNNER } from "./results.ts";

export const REQUIREMENTS = ["2025-11-25", "2026-07-28"] as const;
export type Requirements = (typeof REQUIREMENTS)[number];

/** A running server: its URL (HTTP) or config entry (stdio), and how to stop it. */
export interface Running {
  entry: ServerEntry;
  url?: string;
  stop(): Promise<void>;
}

export interface ConformanceUpstream {
  /** Its key in direct-passes.json. */
  name: string;
  /** How serve reaches it in the test: each transport is one serve, one suite run per requirement set. */
  transports: readonly ("stdio" | "http")[];
  /**
   * The requirement sets whose protocol it speaks. Against another one the suite measures only
   * that the server refuses that era (a 2025-only server fails or errors on every 2026-07-28
   * request), which serve, speaking that era itself, is not meant to imitate: recorded as none.
   */
  speaks: readonly Requirements[];
  start(transport: "stdio" | "http"): Promise<Running>;
}

export const DIRECT_PASSES_PATH: string = join(REPO_ROOT, "test/conformance/direct-passes.json");

/** Per upstream and requirement set, the scenarios that pass against it directly. */
export type DirectPasses = Record<string, Partial<Record<Requirements, string[]>>>;

export function readDirectPasses(): DirectPasses {
  return JSON.parse(readFileSync(DIRECT_PASSES_PATH, "utf8")) as DirectPasses;
}

const SERVER_EVERYTHING = join(REPO_ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const FIXTURE_CONFORMANCE_ARGS = ["--era", "legacy", "--conformance"];
const FIXTURE_MODERN_ARGS = ["--era", "modern", "--conformance"];

/** The fixture with `args`, on stdio (an entry serve spawns) or HTTP (started here). */
async function startFixture(args: string[], transport: "stdio" | "http"): Promise<Running> {
  if (transport === "stdio") return { entry: stdioFixture(args), stop: async () => {} };
  const fixture = await startHttpFixture(args);
  return { entry: { url: fixture.url, startup_timeout_sec: 60 }, url: fixture.url, stop: () => fixture.stop() };
}

export const UPSTREAMS: readonly ConformanceUpstream[] = [
  {
    // The suite's fixed tool, resource and prompt names (test/support/fixture-conformance.ts).
    name: "fixture-conformance",
    transports: ["stdio", "http"],
    speaks: ["2025-11-25"],
    start: (transport) => startFixture(FIXTURE_CONFORMANCE_ARGS, transport),
  },
  {
    // The same catalog on a strict 2026-07-28 server (test/support/fixture-conformance.ts).
    name: "fixture-conformance-modern",
    transports: ["stdio", "http"],
    speaks: ["2026-07-28"],
    start: (transport) => startFixture(FIXTURE_MODERN_ARGS, transport),
  },
  {
    // A real 2025 server with its own names: what passes directly is what serve must keep passing.
    name: "server-everything",
    transports: ["stdio"],
    speaks: ["2025-11-25"],
    async start(transport) {
      if (transport === "stdio") return { entry: { command: BUN_PATH, args: [SERVER_EVERYTHING, "stdio"], startup_timeout_sec: 60 }, stop: async () => {} };
      return startServerEverythingHttp();
    },
  },
];

/** server-everything's streamable HTTP mode on a free port (it takes the port from PORT). */
async function startServerEverythingHttp(): Promise<Running> {
  const port = await freePort();
  const child: ChildProcess = spawn(BUN_PATH, [SERVER_EVERYTHING, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.includes(`listening on port ${port}`)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server-everything exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`server-everything did not start: ${stderr}`)), 30_000).unref();
  });
  const url = `http://localhost:${port}/mcp`;
  return { entry: { url }, url, stop: async () => void child.kill("SIGKILL") };
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = server.port!;
  await server.stop(true);
  return port;
}

/** One run of the suite's `server --requirements` against `url`, results under `dir`; the runner's summary and stderr. */
export async function runSuite(url: string, requirements: Requirements, dir: string): Promise<string> {
  const child = Bun.spawn([BUN_PATH, RUNNER, "server", "--url", url, "--requirements", requirements, "-o", dir], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
    timeout: 120_000,
  });
  const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  await child.exited;
  return `${stdout.slice(stdout.indexOf("Total:"))}\n${stderr}`;
}
