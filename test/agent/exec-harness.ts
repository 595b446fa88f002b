// Sets up `tether exec` runs: a temp home whose config.toml points at a mock Responses server and
// the fixture MCP server; runs the CLI piped or inside a pseudo-terminal.
import { afterEach } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ensureHostBinary } from "../support/binary.ts";
import { baseEnv, makeHome, runTether, type RunResult } from "../support/cli.ts";
import { stdioFixtureCommand } from "../support/fixture.ts";
import { sseStep, startMockResponses, type MockResponses, type MockStep } from "../support/mock-responses.ts";
import { completed, responseCreated, sse, type StreamEvent } from "../support/sse.ts";

export const MOCK_KEY = "test-key";

export interface FixtureServerOptions {
  name?: string;
  /** Fixture tools to offer (default: add, slow, fail). */
  tools?: string[];
  approveTools?: string[];
  toolTimeoutSec?: number;
  required?: boolean;
  /** Extra fixture flags, e.g. `--pid-file PATH`. */
  flags?: string[];
}

/** A `[mcp_servers.NAME]` table running the stdio fixture. */
export function fixtureServer(options: FixtureServerOptions = {}): string {
  const { command, args } = stdioFixtureCommand(["--tools", (options.tools ?? ["add", "slow", "fail"]).join(","), ...(options.flags ?? [])]);
  // A generous start-up bound: on a loaded 2-core CI box a fixture may take seconds to start, and
  // these tests are about exec, not about start-up timeouts (connections.test.ts covers those).
  const lines = [`[mcp_servers.${options.name ?? "fixture"}]`, `command = ${toml(command)}`, `args = ${toml(args)}`, "startup_timeout_sec = 60"];
  if (options.approveTools) lines.push(`approve_tools = ${toml(options.approveTools)}`);
  if (options.toolTimeoutSec !== undefined) lines.push(`tool_timeout_sec = ${options.toolTimeoutSec}`);
  if (options.required !== undefined) lines.push(`required = ${options.required}`);
  return lines.join("\n");
}

/** TOML basic strings and arrays of them read JSON's escapes. */
function toml(value: string | string[]): string {
  return JSON.stringify(value);
}

export interface ExecSetupOptions {
  /** Top-level lines, e.g. `approval_policy = "deny"`. */
  top?: string[];
  /** Tables, e.g. `fixtureServer()`. */
  tables?: string[];
  /** Extra lines in `[model_providers.mock]`, e.g. `stream_idle_timeout_sec = 1`. */
  provider?: string[];
}

export interface ExecHarness {
  home: ReturnType<typeof makeHome>;
  mock: MockResponses;
  /** The recorded request bodies, in order. */
  bodies(): any[];
  run(args: string[], options?: { stdin?: string; env?: Record<string, string | undefined> }): Promise<RunResult>;
  runInTerminal(args: string[], steps: TerminalStep[], options?: { env?: Record<string, string | undefined> }): Promise<TerminalResult>;
  cleanup(): Promise<void>;
}

export function setupExec(script: MockStep[], options: ExecSetupOptions = {}): ExecHarness {
  const home = makeHome();
  const mock = startMockResponses(script);
  const config = [
    'model = "gpt-test"',
    'model_provider = "mock"',
    ...(options.top ?? []),
    "",
    "[model_providers.mock]",
    `base_url = ${toml(mock.url)}`,
    'env_key = "MOCK_KEY"',
    ...(options.provider ?? []),
    "",
    ...(options.tables ?? []).flatMap((table) => [table, ""]),
  ].join("\n");
  mkdirSync(dirname(home.configPath), { recursive: true });
  writeFileSync(home.configPath, config);
  const env = (extra: Record<string, string | undefined> = {}) => ({ MOCK_KEY, ...extra });
  return {
    home,
    mock,
    bodies: () => mock.requests.map((request) => request.body),
    run: (args, runOptions = {}) => runTether(["exec", ...args], { home: home.home, stdin: runOptions.stdin, env: env(runOptions.env) }),
    runInTerminal: (args, steps, runOptions = {}) => runInTerminal(["exec", ...args], steps, baseEnv(home.home, env(runOptions.env)), home.home),
    async cleanup() {
      await mock.stop();
      home.cleanup();
    },
  };
}

/** Wait until the terminal shows `expect` (after the previous step's match), then type `send`. */
export interface TerminalStep {
  expect: string;
  send: string;
}

export interface TerminalResult {
  /** Everything the terminal showed, `\r\n` read as `\n`. */
  output: string;
  code: number;
}

const STEP_TIMEOUT_MS = 30_000;

/** Runs tether with a pseudo-terminal as stdin, stdout and stderr, typing answers as a user would. */
export async function runInTerminal(args: string[], steps: TerminalStep[], env: Record<string, string>, cwd: string): Promise<TerminalResult> {
  let output = "";
  let changed: () => void = () => {};
  const decoder = new TextDecoder();
  const child = Bun.spawn([await ensureHostBinary(), ...args], {
    cwd,
    env: { ...env, TERM: "xterm-256color" },
    terminal: {
      cols: 200,
      rows: 50,
      data: (_terminal, data) => {
        output += decoder.decode(data, { stream: true }).replaceAll("\r\n", "\n");
        changed();
      },
    },
    timeout: 60_000,
  });
  let from = 0;
  try {
    for (const step of steps) {
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      for (;;) {
        const at = output.indexOf(step.expect, from);
        if (at >= 0) {
          from = at + step.expect.length;
          break;
        }
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`terminal never showed ${JSON.stringify(step.expect)}; it showed:\n${output}`);
        }
        await new Promise<void>((resolve) => {
          changed = resolve;
          setTimeout(resolve, 100);
        });
      }
      child.terminal!.write(step.send);
    }
    const code = await child.exited;
    // The last bytes may still be in the terminal after the process exits.
    await Bun.sleep(50);
    return { output, code };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    child.terminal?.close();
  }
}

/**
 * `setupExec` for each test of a file, cleaned up after it: call once at the top of the file and
 * use the returned function in the tests.
 */
export function execPerTest(defaults: ExecSetupOptions = {}): (script: MockStep[], options?: ExecSetupOptions) => ExecHarness {
  let harness: ExecHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });
  return (script, options) => (harness = setupExec(script, { ...defaults, ...options }));
}

/** The result, if it exited with `code`; otherwise an error showing what it printed. */
export function expectExit(result: RunResult, code: number): RunResult {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

/** A model response that only calls tools. */
export function callTurn(id: string, ...calls: StreamEvent[]): MockStep {
  return sseStep(sse([responseCreated(id), ...calls, completed(id)]));
}
