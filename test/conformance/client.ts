#!/usr/bin/env bun
// Conformance adapter: the client the MCP conformance runner (@modelcontextprotocol/conformance)
// starts for each client scenario. It drives tether exactly as a user would, through its CLI, in a
// fresh temp TETHER_HOME, and exits 0 only when every tether command it ran succeeded.
//
// The runner appends the test server's URL as the last argument and sets MCP_CONFORMANCE_SCENARIO
// and, for scenarios with credentials, MCP_CONFORMANCE_CONTEXT (JSON: {name, ...context}).
//
//   bun test/conformance/client.ts URL            (tether = `bun src/main.ts`)
//   TETHER_BIN=/path/to/tether bun test/conformance/client.ts URL
//
// Per scenario (planFor):
//   - every scenario: [mcp_servers.conf] written to config.toml, then the scenario's tool calls with
//     `mcp call` (--arg, --args-json, --input for a form the server asks for), worked out from the
//     context (http-custom-headers' toolCalls) or from what `mcp tools conf --json` listed (the
//     schema echo); a scenario without calls runs `mcp tools conf --json` (initialize + tools/list).
//   - auth/* (authorization code): first mcp login --no-browser done headlessly (read the printed
//     authorization URL, follow its redirects by hand up to tether's loopback callback). A failure
//     whose hint is `run: tether mcp login conf [--scopes …]` (scope step-up, expired login, a new
//     authorization server) is followed: that exact login, headless, then the command again.
//   - context scenarios map MCP_CONFORMANCE_CONTEXT to [mcp_servers.conf] keys (see contextConfig).
//   - client_credentials scenarios run no interactive login: tools/call must get a token on their
//     own (a hint to log in is still followed, and a login that needs no browser is accepted).
//   - auth/enterprise-managed-authorization: the IdP keys and the ID token (in an env var named by
//     oauth_id_token_env_var) from the context; `mcp login conf` exchanges it without a browser.
//   - auth/wif-jwt-bearer (workload identity): the context's valid_jwt goes into a file named by
//     oauth_assertion_file, with oauth_grant = "jwt_bearer"; no login, as for client_credentials.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Not test/support/cli.ts's: this runs as its own process per scenario, and that module loads bun:test and the CLI.
const MAIN_PATH = join(resolve(import.meta.dir, "../.."), "src/main.ts");
const SERVER = "conf";
const COMMAND_TIMEOUT_MS = 60_000;
/** Extra logins the adapter follows from hints, so a client that keeps asking cannot loop forever. */
const MAX_HINTED_LOGINS = 2;
/** What auth/basic-cimd expects as client_id (a constant in the scenario; it passes no context). */
const CIMD_CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";
const SECRET_ENV_VAR = "CONF_OAUTH_CLIENT_SECRET";
const ID_TOKEN_ENV_VAR = "CONF_IDP_ID_TOKEN";

interface Context {
  name?: string;
  client_id?: string;
  client_secret?: string;
  /** client-credentials-jwt: PKCS#8 PEM of the client's signing key. */
  private_key_pem?: string;
  /** client-credentials-jwt: "ES256". */
  signing_algorithm?: string;
  /** http-custom-headers: the calls to make. */
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
  /** enterprise-managed-authorization: the IdP, tether's client there, and an ID token it issued. */
  idp_issuer?: string;
  idp_client_id?: string;
  idp_id_token?: string;
  idp_token_endpoint?: string;
  /** wif-jwt-bearer: the workload's JWT (audience: the authorization server), and two bad ones tether never uses. */
  valid_jwt?: string;
}

interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

/** A tool call the adapter makes: `mcp call conf NAME ARGS...`. */
interface ToolCall {
  name: string;
  args: string[];
}

/** One scenario's plan: the tool calls to make (after `mcp tools`), and how it authenticates. */
interface Plan {
  /** The calls, worked out from the context and what `mcp tools conf --json` listed. */
  calls(context: Context | undefined, listed: ListedTool[]): ToolCall[];
  /** The calls depend on what `mcp tools` listed (otherwise a scenario with calls skips it). */
  usesListing?: boolean;
  auth: "none" | "authorization_code" | "client_credentials" | "enterprise" | "jwt_bearer";
}

interface ListedTool {
  name: string;
  /** As `mcp tools --json` prints it (views/tools.ts). */
  input_schema?: unknown;
}

const none = (): ToolCall[] => [];
const one =
  (name: string, ...args: string[]) =>
  (): ToolCall[] => [{ name, args }];
/** Arguments as a user would pass structured ones: `--args-json '{...}'`. */
const jsonArgs = (value: unknown): string[] => ["--args-json", JSON.stringify(value)];

function planFor(scenario: string): Plan {
  switch (scenario) {
    case "initialize":
      return { auth: "none", calls: none }; // the scenario serves no tools/call; initialize + tools/list is the flow
    case "tools_call":
      return { auth: "none", calls: one("add_numbers", "--arg", "a=5", "--arg", "b=3") };
    case "sse-retry":
      return { auth: "none", calls: one("test_reconnection") };
    case "elicitation-sep1034-client-defaults":
      // The scenario checks that a client applies the schema's defaults: tether does that when told
      // to, with --input-defaults (it never invents answers on its own, and there is no terminal here).
      return { auth: "none", calls: one("test_client_elicitation_defaults", "--input-defaults") };
    case "sep-2322-client-request-state":
      // Each asks for a confirmation (the form's one field, `confirmed`), answered with --input.
      return {
        auth: "none",
        calls: () => [
          { name: "test_mrtr_echo_state", args: ["--input", "confirmed=true"] },
          { name: "test_mrtr_unrelated", args: [] },
          { name: "test_mrtr_no_state", args: ["--input", "confirmed=true"] },
          { name: "test_mrtr_no_result_type", args: [] },
        ],
      };
    case "http-custom-headers":
      // The context names the calls to make and their arguments.
      return { auth: "none", calls: (context) => (context?.toolCalls ?? []).map((call) => ({ name: call.name, args: jsonArgs(call.arguments) })) };
    case "http-invalid-tool-headers":
      return { auth: "none", calls: one("valid_tool", "--arg", "region=us-west1") };
    case "json-schema-2020-12-preservation":
      // Send the focal tool's input schema, as listed, back through the echo tool.
      return {
        auth: "none",
        usesListing: true,
        calls: (_context, listed) => {
          const focal = listed.find((tool) => tool.name === "json_schema_2020_12_tool");
          const schema = focal?.input_schema;
          return schema === undefined ? [] : [{ name: "json_schema_echo", args: jsonArgs({ schema }) }];
        },
      };
    case "auth/client-credentials-basic":
    case "auth/client-credentials-jwt":
      return { auth: "client_credentials", calls: one("test-tool") };
    case "auth/enterprise-managed-authorization":
      // The ID token comes in an env var (oauth_id_token_env_var), as from CI; `mcp login` exchanges it.
      return { auth: "enterprise", calls: one("test-tool") };
    case "auth/wif-jwt-bearer":
      return { auth: "jwt_bearer", calls: one("test-tool") };
    default:
      if (scenario.startsWith("auth/")) return { auth: "authorization_code", calls: one("test-tool") };
      return { auth: "none", calls: none };
  }
}

const log = (line: string) => process.stderr.write(`[adapter] ${line}\n`);

function tetherCommand(args: string[]): string[] {
  const bin = process.env.TETHER_BIN;
  return bin ? [bin, ...args] : [process.execPath, MAIN_PATH, ...args];
}

class Tether {
  constructor(
    readonly home: string,
    readonly extraEnv: Record<string, string>,
  ) {}

  get tetherHome(): string {
    return join(this.home, ".tether");
  }

  env(): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: this.home,
      TETHER_HOME: this.tetherHome,
      TETHER_DEBUG: process.env.TETHER_DEBUG,
      NO_COLOR: "1",
      LANG: "C.UTF-8",
      ...this.extraEnv,
    };
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  }

  async run(args: string[]): Promise<Result> {
    log(`$ tether ${args.join(" ")}`);
    const child = Bun.spawn(tetherCommand(args), {
      cwd: this.home,
      env: this.env(),
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: COMMAND_TIMEOUT_MS,
    });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    show({ stdout, stderr, code });
    return { stdout, stderr, code };
  }

  /**
   * `tether mcp login conf --no-browser [--scopes …]`, with this process as the browser: read the
   * authorization URL it prints, follow the authorization server's redirects by hand and request
   * tether's loopback callback. A login that ends without printing a URL (a grant that needs no
   * browser) is taken as it is.
   */
  async loginHeadless(scopes?: string): Promise<Result> {
    const args = ["mcp", "login", SERVER, "--no-browser", ...(scopes ? ["--scopes", scopes] : [])];
    log(`$ tether ${args.join(" ")}   (headless browser)`);
    const child = Bun.spawn(tetherCommand(args), {
      cwd: this.home,
      env: this.env(),
      stdin: "pipe", // kept open: tether also reads a pasted redirect URL from stdin
      stdout: "pipe",
      stderr: "pipe",
      timeout: COMMAND_TIMEOUT_MS,
    });
    let stdout = "";
    let stderr = "";
    let browsed: Promise<void> | undefined;
    let browseError: unknown;
    const consider = () => {
      if (browsed) return;
      const printed = findAuthorizationUrl(stdout + "\n" + stderr);
      if (!printed) return;
      browsed = browse(printed.authorizationUrl, printed.redirectUrl).catch((error) => {
        browseError = error;
        log(`headless browser failed: ${error instanceof Error ? error.message : String(error)}`);
        child.kill();
      });
    };
    const pump = async (stream: ReadableStream<Uint8Array>, append: (text: string) => void) => {
      const decoder = new TextDecoder();
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        append(decoder.decode(value, { stream: true }));
        consider();
      }
    };
    await Promise.all([
      pump(child.stdout, (t) => (stdout += t)),
      pump(child.stderr, (t) => (stderr += t)),
      child.exited,
    ]);
    await browsed;
    try {
      child.stdin.end();
    } catch {
      // already closed
    }
    // A login the headless browser could not complete fails even if tether exited 0 somehow.
    const code = browseError ? child.exitCode || 1 : (child.exitCode ?? 1);
    show({ stdout, stderr, code });
    if (!browsed) log("login printed no authorization URL");
    return { stdout, stderr, code };
  }
}

function show(result: Result): void {
  if (result.stdout.trim()) process.stderr.write(indent("stdout", result.stdout));
  if (result.stderr.trim()) process.stderr.write(indent("stderr", result.stderr));
  log(`exit ${result.code}`);
}

function indent(label: string, text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `  ${label}| ${line}`)
    .join("\n")
    .concat("\n");
}

/** The authorization URL (an indented line of its own) and the loopback redirect URL tether printed. */
function findAuthorizationUrl(output: string): { authorizationUrl: string; redirectUrl?: string } | undefined {
  // The redirect URL must have been printed too: it follows the authorization URL in the instructions.
  const redirect = /\((https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+[^?\s)]*)\?code=/.exec(output)?.[1];
  const lines = output.split("\n");
  for (const line of lines) {
    const match = /^\s+(https?:\/\/\S+)\s*$/.exec(line);
    if (match && redirect) return { authorizationUrl: match[1]!, redirectUrl: redirect };
  }
  return undefined;
}

/** Follows redirects from the authorization URL (manually, as a browser would) until tether's callback. */
async function browse(authorizationUrl: string, redirectUrl: string | undefined): Promise<void> {
  let url = new URL(authorizationUrl);
  const callback = redirectUrl ? new URL(redirectUrl) : undefined;
  for (let hop = 0; hop < 10; hop++) {
    const isCallback = callback && url.origin === callback.origin && url.pathname === callback.pathname;
    log(`browser GET ${isCallback ? "(callback) " : ""}${url.href}`);
    const response = await fetch(url, { redirect: "manual" });
    const body = await response.text();
    if (isCallback) {
      log(`callback answered HTTP ${response.status}`);
      return;
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    throw new Error(`authorization server answered HTTP ${response.status} without a redirect: ${body.slice(0, 500)}`);
  }
  throw new Error("too many redirects before reaching the callback");
}

/** [mcp_servers.conf] keys (TOML lines), files and env vars for a scenario's context. */
function contextConfig(scenario: string, context: Context | undefined, dir: string): { lines: string[]; env: Record<string, string> } {
  // The suite judges the exchange, not its speed: on a loaded 2-core CI machine a first connection
  // (era probe included) has taken more than the default 10 s.
  const lines: string[] = ["startup_timeout_sec = 60"];
  const env: Record<string, string> = {};
  if (context?.client_id) lines.push(`oauth_client_id = ${JSON.stringify(context.client_id)}`);
  if (context?.client_secret) {
    env[SECRET_ENV_VAR] = context.client_secret;
    lines.push(`oauth_client_secret_env_var = "${SECRET_ENV_VAR}"`);
  }
  if (context?.private_key_pem) {
    const keyFile = join(dir, "client-key.pem");
    writeFileSync(keyFile, context.private_key_pem, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    lines.push(`oauth_private_key_file = ${JSON.stringify(keyFile)}`);
    // context.signing_algorithm ("ES256") has no key of its own: the key (EC P-256) implies it.
  }
  if (planFor(scenario).auth === "client_credentials") lines.push(`oauth_grant = "client_credentials"`);
  if (planFor(scenario).auth === "jwt_bearer" && context?.valid_jwt) {
    // Workload identity: the token in a file, as a Kubernetes pod has its projected service-account token.
    const tokenFile = join(dir, "workload-token");
    writeFileSync(tokenFile, context.valid_jwt, { mode: 0o600 });
    lines.push(`oauth_grant = "jwt_bearer"`, `oauth_assertion_file = ${JSON.stringify(tokenFile)}`);
  }
  if (scenario === "auth/basic-cimd") lines.push(`oauth_client_metadata_url = "${CIMD_CLIENT_METADATA_URL}"`);
  // Enterprise-managed authorization: the IdP (its token endpoint given: the scenario's OpenID
  // metadata lacks required fields), tether's client there (public: no secret given), the ID token by env var.
  if (context?.idp_issuer) lines.push(`oauth_idp_issuer = ${JSON.stringify(context.idp_issuer)}`);
  if (context?.idp_token_endpoint) lines.push(`oauth_idp_token_endpoint = ${JSON.stringify(context.idp_token_endpoint)}`);
  if (context?.idp_client_id) lines.push(`oauth_idp_client_id = ${JSON.stringify(context.idp_client_id)}`);
  if (context?.idp_id_token) {
    env[ID_TOKEN_ENV_VAR] = context.idp_id_token;
    lines.push(`oauth_id_token_env_var = "${ID_TOKEN_ENV_VAR}"`);
  }
  return { lines, env };
}

/** The tools `mcp tools conf --json` printed. */
function listedTools(stdout: string): ListedTool[] {
  const parsed = JSON.parse(stdout) as { tools?: ListedTool[] };
  return parsed.tools ?? [];
}

/** The login a failed command asks for (`run: tether mcp login conf [--scopes a,b]`), if any. */
function hintedLogin(result: Result): { scopes?: string } | undefined {
  const match = new RegExp(`run: tether mcp login ${SERVER}(?: --scopes (\\S+))?`).exec(result.stderr + "\n" + result.stdout);
  return match ? { scopes: match[1] } : undefined;
}

async function main(): Promise<number> {
  const url = process.argv.at(-1);
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";
  if (!url || !/^https?:\/\//.test(url)) {
    log("usage: client.ts URL (with MCP_CONFORMANCE_SCENARIO set)");
    return 2;
  }
  const rawContext = process.env.MCP_CONFORMANCE_CONTEXT;
  const context: Context | undefined = rawContext ? JSON.parse(rawContext) : undefined;
  const plan = planFor(scenario);
  log(`scenario ${scenario || "(none)"} url ${url} auth ${plan.auth}${context ? ` context keys: ${Object.keys(context).join(", ")}` : ""}`);

  const home = mkdtempSync(join(tmpdir(), "tether-conformance-"));
  try {
    const tetherHome = join(home, ".tether");
    mkdirSync(tetherHome, { recursive: true });
    const configPath = join(tetherHome, "config.toml");
    const extra = contextConfig(scenario, context, home);
    const tether = new Tether(home, extra.env);
    // Written as a user would by hand (`mcp add` has its own tests): one tether process less for
    // each of the ~60 scenario runs.
    const table = [`[mcp_servers.${SERVER}]`, `url = ${JSON.stringify(url)}`, ...extra.lines];
    writeFileSync(configPath, `mcp_oauth_credentials_store = "file"\n\n${table.join("\n")}\n`);
    log(`config.toml:\n${readFileSync(configPath, "utf8")}`);

    if (plan.auth === "authorization_code" || plan.auth === "enterprise") {
      const login = await tether.loginHeadless();
      if (login.code !== 0) return 1;
    }

    let loginsLeft = MAX_HINTED_LOGINS;
    /** Runs a command; on a failure that says which login to run, runs it headless and tries again. */
    const runFollowingHints = async (args: string[]): Promise<Result> => {
      for (;;) {
        const result = await tether.run(args);
        if (result.code === 0) return result;
        const hint = hintedLogin(result);
        if (!hint || loginsLeft === 0) return result;
        loginsLeft--;
        log(`following the hint: tether mcp login ${SERVER}${hint.scopes ? ` --scopes ${hint.scopes}` : ""}`);
        const login = await tether.loginHeadless(hint.scopes);
        if (login.code !== 0) return result;
      }
    };

    // `mcp call` lists the tools itself (it checks the arguments against their schema), so a
    // scenario whose calls do not depend on a listing goes straight to them: one tether process less.
    let listed: ListedTool[] = [];
    if (plan.usesListing || plan.calls(context, []).length === 0) {
      const tools = await runFollowingHints(["mcp", "tools", SERVER, "--json"]);
      if (tools.code !== 0) return 1;
      listed = listedTools(tools.stdout);
    }
    for (const call of plan.calls(context, listed)) {
      const called = await runFollowingHints(["mcp", "call", SERVER, call.name, ...call.args]);
      if (called.code !== 0) return 1;
    }
    log("all tether commands succeeded");
    return 0;
  } finally {
    if (!process.env.TETHER_CONFORMANCE_KEEP_HOME) rmSync(home, { recursive: true, force: true });
    else log(`kept TETHER_HOME under ${home}`);
  }
}

/** The adapter's last stdout line, which the runner saves (stdout.txt) when it runs a whole suite. */
export const EXIT_LINE = "tether-conformance-adapter: exit ";

if (import.meta.main) {
  const exit = (code: number) => {
    console.log(`${EXIT_LINE}${code}`);
    process.exit(code);
  };
  main().then(exit, (error) => {
    log(`adapter error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    exit(3);
  });
}
