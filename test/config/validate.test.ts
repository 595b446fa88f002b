// Every config rule of SPEC §2, asserting the message a user sees (file, line, server, field).
import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { parseConfigSource, validateParsed } from "../../src/config/load.ts";

const FILE = "/home/u/.tether/config.toml";

async function errorFor(source: string): Promise<ConfigError> {
  try {
    await validateParsed(parseConfigSource(source, FILE), source, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

/** The one line main.ts prints: `file:line: message`. */
async function line(source: string): Promise<string> {
  const error = await errorFor(source);
  return `${error.location}: ${error.message}`;
}

describe("server rules", () => {
  test("command and url together", async () => {
    expect(await line(`[mcp_servers.docs]\ncommand = "x"\nurl = "https://e.com/mcp"\n`)).toBe(
      `${FILE}:3: server "docs": has both 'command' and 'url'; a server is either stdio (command) or streamable HTTP (url)`,
    );
  });

  test("neither command nor url", async () => {
    expect(await line(`[mcp_servers.docs]\nenabled = true\n`)).toBe(
      `${FILE}:1: server "docs": needs 'command' (a stdio server) or 'url' (a streamable HTTP server)`,
    );
  });

  for (const field of ["args = []", 'env = { A = "1" }', "env_vars = []", 'cwd = "/srv"']) {
    const key = field.split(" ")[0]!;
    test(`stdio-only ${key} beside url`, async () => {
      expect(await line(`# c\n[mcp_servers.web]\nurl = "https://e.com/mcp"\n${field}\n`)).toBe(
        `${FILE}:4: server "web": '${key}' is only for stdio servers (command), but this server has a 'url'`,
      );
    });
  }

  for (const field of ['bearer_token_env_var = "T"', "http_headers = {}", "env_http_headers = {}"]) {
    const key = field.split(" ")[0]!;
    test(`HTTP-only ${key} beside command`, async () => {
      expect(await line(`[mcp_servers.loc]\ncommand = "x"\n\n${field}\n`)).toBe(
        `${FILE}:4: server "loc": '${key}' is only for HTTP servers (url), but this server has a 'command'`,
      );
    });
  }

  test("a plain bearer_token is refused with a hint", async () => {
    const error = await errorFor(`[mcp_servers.gh]\nurl = "https://e.com/mcp"\nbearer_token = "ghp_secret123"\n`);
    expect(`${error.location}: ${error.message}`).toBe(
      `${FILE}:3: server "gh": 'bearer_token' is not allowed: a token must not be stored in config.toml`,
    );
    expect(error.hint).toContain("--bearer-token-env-var");
    expect(error.message + error.hint).not.toContain("ghp_secret123");
  });

  test("bad server name", async () => {
    expect(await line(`[mcp_servers."my server"]\ncommand = "x"\n`)).toBe(
      `${FILE}:1: invalid server name "my server": use 1-64 letters, digits, '_' or '-'`,
    );
    const long = "a".repeat(65);
    expect(await line(`[mcp_servers.${long}]\ncommand = "x"\n`)).toContain(`invalid server name "${long}"`);
  });

  test("unknown key with a did-you-mean hint", async () => {
    const error = await errorFor(`[mcp_servers.docs]\ncomand = "x"\n`);
    expect(`${error.location}: ${error.message}`).toBe(`${FILE}:2: server "docs": unknown field 'comand'`);
    expect(error.hint).toBe("did you mean 'command'?");
  });

  test("unknown key far from any known one lists the known fields", async () => {
    const error = await errorFor(`[mcp_servers.docs]\ncommand = "x"\nzzzzzz = 1\n`);
    expect(error.hint).toStartWith("known fields: approve_tools, args,");
  });

  test("wrong types", async () => {
    expect(await line(`[mcp_servers.docs]\ncommand = "x"\nargs = "--port"\n`)).toBe(
      `${FILE}:3: server "docs": 'args' must be an array (was string)`,
    );
    expect(await line(`[mcp_servers.docs]\ncommand = "x"\nenv = { A = 1 }\n`)).toBe(
      `${FILE}:3: server "docs": 'env.A' must be a string (was a number)`,
    );
    expect(await line(`[mcp_servers.docs]\ncommand = "x"\nstartup_timeout_sec = -5\n`)).toBe(
      `${FILE}:3: server "docs": 'startup_timeout_sec' must be positive (was -5)`,
    );
    expect(await line(`[mcp_servers.docs]\ncommand = "x"\nenabled = "yes"\n`)).toBe(
      `${FILE}:3: server "docs": 'enabled' must be boolean (was "yes")`,
    );
  });

  test("non-http(s) url", async () => {
    expect(await line(`[mcp_servers.w]\nurl = "ftp://files.example.com/mcp"\n`)).toBe(
      `${FILE}:2: server "w": 'url' must be http:// or https:// (got ftp://)`,
    );
  });

  test("plain http to a remote host with a bearer token", async () => {
    const error = await errorFor(`[mcp_servers.w]\nurl = "http://example.com/mcp"\nbearer_token_env_var = "T"\n`);
    expect(`${error.location}: ${error.message}`).toBe(`${FILE}:2: server "w": a token would be sent over plain http:// to example.com`);
    expect(error.hint).toContain("use https://");
  });

  test("plain http is fine for loopback, and without a token", async () => {
    const ok = `[mcp_servers.a]\nurl = "http://127.0.0.1:8080/mcp"\nbearer_token_env_var = "T"\n[mcp_servers.b]\nurl = "http://[::1]:1/mcp"\nbearer_token_env_var = "T"\n[mcp_servers.c]\nurl = "http://example.com/mcp"\n`;
    await validateParsed(parseConfigSource(ok, FILE), ok, FILE);
  });
});

describe("whole file", () => {
  test("broken TOML names file, line and column", async () => {
    const error = await errorFor(`model = "x"\n[mcp_servers.docs]\ncommand = "x\n`);
    expect(error.location).toBe(`${FILE}:3:13`);
    expect(error.message).toStartWith("invalid TOML:");
  });

  test("a Codex config loads as it is", async () => {
    const codex = [
      `model = "gpt-5-codex"`,
      `experimental_use_rmcp_client = true`,
      `[features]`,
      `web_search = true`,
      `[projects."/home/u/src"]`,
      `trust_level = "trusted"`,
      `[tui]`,
      `notifications = true`,
      `[mcp_servers.figma]`,
      `url = "https://mcp.figma.com/mcp"`,
      `scopes = ["read"]`,
      `oauth_resource = "https://mcp.figma.com"`,
      `startup_timeout_ms = 20000`,
      `[mcp_servers.docs]`,
      `command = "npx"`,
      `args = ["-y", "docs"]`,
      `env_vars = ["DOCS_TOKEN"]`,
    ].join("\n");
    await validateParsed(parseConfigSource(codex, FILE), codex, FILE);
  });

  test("top-level keys are typed", async () => {
    expect(await line(`approval_policy = "sometimes"\n`)).toBe(
      `${FILE}:1: 'approval_policy' must be "ask", "auto" or "deny" (was "sometimes")`,
    );
    expect(await line(`[otel]\nexporter = "grpc"\n`)).toBe(`${FILE}:2: 'otel.exporter' must be "none" (was "grpc")`);
    // Traces (issue 23).
    expect(await line(`[otel]\ntrace_exporter = "jaeger"\n`)).toBe(`${FILE}:2: 'otel.trace_exporter' must be "none" (was "jaeger")`);
  });

  // Metrics (issue 23).
  test("[otel] metrics_exporter has the shapes of exporter; metrics_export_interval_sec is whole seconds", async () => {
    expect(await line(`[otel]\nmetrics_exporter = "grpc"\n`)).toBe(`${FILE}:2: 'otel.metrics_exporter' must be "none" (was "grpc")`);
    expect(await line(`[otel]\nmetrics_export_interval_sec = 0\n`)).toMatch(new RegExp(`^${FILE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: 'otel.metrics_export_interval_sec' must be`));
    const ok = `[otel]\nmetrics_exporter = { otlp-http = { endpoint = "http://c:4318", protocol = "json" } }\nmetrics_export_interval_sec = 15\n`;
    await validateParsed(parseConfigSource(ok, FILE), ok, FILE);
  });

  test("[serve]: every key typed, the bind checked, unknown keys refused with the line", async () => {
    expect(await line(`model = "m"\n[serve]\nhttp = "localhost"\n`)).toBe(
      `${FILE}:3: 'serve.http' must be HOST:PORT (e.g. 127.0.0.1:8080), got "localhost"`,
    );
    expect(await line(`[serve]\nhttp = "0.0.0.0:70000"\n`)).toBe(`${FILE}:2: 'serve.http' must be HOST:PORT (e.g. 127.0.0.1:8080), got "0.0.0.0:70000"`);
    expect(await line(`[serve]\nsse_poll_sec = -1\n`)).toBe(`${FILE}:2: 'serve.sse_poll_sec' must be non-negative (was -1)`);
    expect(await line(`[serve]\nprefix = "no"\n`)).toBe(`${FILE}:2: 'serve.prefix' must be boolean (was "no")`);
    expect((await line(`[serve]\ntoken_env = "T"\n`)).startsWith(`${FILE}:2: 'serve.token_env' must be removed`)).toBe(true);
    const ok = `[serve]\nhttp = "[::1]:8080"\nservers = ["a"]\ntool_search = true\nprefix = false\ntoken_env_var = "T"\nsse_poll_sec = 0\n`;
    await validateParsed(parseConfigSource(ok, FILE), ok, FILE);
  });

  test("auto_approve_read_only and tool_output_max_bytes: typed at the top, the first per server too", async () => {
    expect(await line(`auto_approve_read_only = "yes"\n`)).toBe(`${FILE}:1: 'auto_approve_read_only' must be boolean (was "yes")`);
    expect(await line(`model = "m"\ntool_output_max_bytes = 100\n`)).toBe(`${FILE}:2: 'tool_output_max_bytes' must be at least 1024 (was 100)`);
    expect(await line(`tool_output_max_bytes = 2048.5\n`)).toBe(`${FILE}:1: 'tool_output_max_bytes' must be an integer (was 2048.5)`);
    expect(await line(`[mcp_servers.d]\ncommand = "x"\nauto_approve_read_only = 1\n`)).toBe(
      `${FILE}:3: server "d": 'auto_approve_read_only' must be boolean (was 1)`,
    );
    const ok = `auto_approve_read_only = true\ntool_output_max_bytes = 65536\n[mcp_servers.d]\ncommand = "x"\nauto_approve_read_only = false\n`;
    await validateParsed(parseConfigSource(ok, FILE), ok, FILE);
  });

  test("the full SPEC example is valid", async () => {
    // A copy of SPEC §2's example kept in the repo: tests never read outside the repository (a plain
    // clone has nothing beside it). Update it when SPEC §2 changes.
    const example = await Bun.file(`${import.meta.dir}/fixtures/spec-example.toml`).text();
    // The example mixes a stdio and an HTTP server and uses placeholder client ids; all valid.
    await validateParsed(parseConfigSource(example, FILE), example, FILE);
  });
});

describe("roots and sampling", () => {
  test("roots is a list of paths, at the top level and per server", async () => {
    const source = `roots = ["~/src", "work"]\nsampling = "ask"\n[mcp_servers.fs]\ncommand = "x"\nroots = ["/tmp"]\nsampling = "auto"\n`;
    await validateParsed(parseConfigSource(source, FILE), source, FILE);
    expect(await line(`roots = "/tmp"\n`)).toBe(`${FILE}:1: 'roots' must be an array (was string)`);
    expect(await line(`[mcp_servers.fs]\ncommand = "x"\nroots = [1]\n`)).toBe(`${FILE}:3: server "fs": 'roots.0' must be a string (was a number)`);
  });

  test("sampling is off, ask or auto", async () => {
    expect(await line(`sampling = "yes"\n`)).toBe(`${FILE}:1: 'sampling' must be "ask", "auto" or "off" (was "yes")`);
    expect(await line(`[mcp_servers.fs]\ncommand = "x"\nsampling = true\n`)).toBe(
      `${FILE}:3: server "fs": 'sampling' must be "ask", "auto" or "off" (was true)`,
    );
  });
});

describe("registry_url", () => {
  test("https, or plain http to loopback only; something that is not a URL is named as such", async () => {
    await validateParsed(parseConfigSource(`registry_url = "http://127.0.0.1:8080"\n`, FILE), "", FILE);
    expect(await line(`registry_url = "registry.example.com"\n`)).toBe(`${FILE}:1: 'registry_url' is not a valid URL (got "registry.example.com")`);
    expect((await errorFor(`registry_url = "registry.example.com"\n`)).hint).toBe("the default is https://registry.modelcontextprotocol.io");
    expect(await line(`registry_url = "ftp://registry.example.com"\n`)).toBe(
      `${FILE}:1: 'registry_url' must be https:// (plain http:// only to 127.0.0.1 or localhost), got "ftp://registry.example.com"`,
    );
  });
});
