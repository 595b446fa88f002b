// Drives `tether mcp serve` (the compiled executable) as a real process, stdio or --http, with
// the v2 client SDK.
import { type ChildProcess, spawn } from "node:child_process";
import { Client, type ClientCapabilities, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { ensureHostBinary } from "../support/binary.ts";
import { baseEnv, homePerTest } from "../support/cli.ts";

export type Era = "legacy" | "modern";

export function newClient(era: Era, name = "serve-test", capabilities?: ClientCapabilities): Client {
  return new Client({ name, version: "0.0.0" }, { versionNegotiation: era === "legacy" ? { mode: "legacy" } : { mode: "auto" }, capabilities });
}

export interface StdioServe {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

export async function connectStdioServe(
  home: string,
  args: string[] = [],
  era: Era = "modern",
  env: Record<string, string> = {},
  /** Registers handlers on the client before it connects (they must be there for the handshake). */
  client: Client = newClient(era),
): Promise<StdioServe> {
  const transport = new StdioClientTransport({
    command: await ensureHostBinary(),
    args: ["mcp", "serve", ...args],
    env: baseEnv(home, env),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

export interface HttpServe {
  url: string;
  pid: number;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface HttpServeStart {
  /** Keep serve's default token (made in the home's serve/token); otherwise --no-token unless `args` name a token or an issuer. */
  defaultToken?: boolean;
  /** Wraps the command, e.g. ["sh", "-c", 'ulimit -n 1024; exec "$0" "$@"'] to lower serve's limits. */
  prefix?: string[];
}

/**
 * Starts `tether mcp serve --http 127.0.0.1:0 ...` and resolves once it says where it listens.
 * Serve requires a token by default; tests that are not about it run with --no-token.
 */
export async function startHttpServe(home: string, args: string[] = [], env: Record<string, string> = {}, start: HttpServeStart = {}): Promise<HttpServe> {
  const namesToken = args.some((arg) => arg === "--no-token" || arg.startsWith("--token-env-var") || arg.startsWith("--auth-issuer"));
  const command = [await ensureHostBinary(), "mcp", "serve", "--http", "127.0.0.1:0", ...(start.defaultToken || namesToken ? [] : ["--no-token"]), ...args];
  const [program, ...rest] = [...(start.prefix ?? []), ...command];
  const child: ChildProcess = spawn(program!, rest, {
    env: baseEnv(home, env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const match = /serving MCP at (\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000).unref();
  });
  return {
    url,
    pid: child.pid!,
    stderr: () => stderr,
    exited,
    // SIGINT by default: a test's cleanup wants serve gone, and SIGTERM would drain (up to --drain-timeout).
    async stop(signal = "SIGINT") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function connectHttp(url: string, era: Era, headers: Record<string, string> = {}, client: Client = newClient(era)): Promise<Client> {
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/**
 * A temp home for each test of a file, and every `tether mcp serve` the test starts through it
 * stopped after the test (before the home goes). Call once at the top of the file.
 */
export function servePerTest() {
  const each = homePerTest();
  return {
    get home() {
      return each.home;
    },
    async stdio(args: string[] = [], era: Era = "modern", env: Record<string, string> = {}, client?: Client): Promise<StdioServe> {
      const served = await connectStdioServe(each.home.home, args, era, env, client);
      each.fixtures.push({ stop: () => served.close() });
      return served;
    },
    async http(args: string[] = [], env: Record<string, string> = {}, start?: HttpServeStart): Promise<HttpServe> {
      const served = await startHttpServe(each.home.home, args, env, start);
      each.fixtures.push({ stop: async () => void (await served.stop()) });
      return served;
    },
  };
}

/**
 * The fixture's `progress` tool called through serve (`<server>__progress`, one step of `ms`), and
 * a promise that resolves once the upstream runs it (its first progress reached the client, or
 * the result did): a test signals serve after that, not after a fixed sleep a loaded machine can
 * outlast. The result settles to the CallToolResult or the error.
 */
export function runningCall(client: Client, server: string, ms: number): { running: Promise<void>; result: Promise<unknown> } {
  let running!: () => void;
  const started = new Promise<void>((resolve) => (running = resolve));
  const result = client.callTool({ name: `${server}__progress`, arguments: { steps: 1, ms } }, { onprogress: () => running(), timeout: 120_000 }).then(
    (value) => value,
    (error: unknown) => error,
  );
  return { running: Promise.race([started, result.then(() => {})]), result };
}
