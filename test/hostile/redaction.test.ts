// Known secret values (API keys, header values from the environment) never reach an error line,
// even when a server echoes them back in its error body (issue 10, item 10).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { setupExec, type ExecHarness, MOCK_KEY } from "../agent/exec-harness.ts";
import { makeHome, runTether } from "../support/cli.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";
import { failStep } from "../support/mock-responses.ts";
import { writeConfig } from "../cli/oauth-driver.ts";

const SECRET = "topsecret-header-4711";

describe("MCP server echoing a secret", () => {
  let home: ReturnType<typeof makeHome>;
  let fx: FixtureHandle;
  beforeEach(async () => {
    home = makeHome();
    // The HTTP server wants the value under another header name; the stdio one prints its token to stderr and dies.
    fx = await startHttpFixture(["--require-header", `X-Expected: ${SECRET}`]);
    writeConfig(
      home.tetherHome,
      [
        `[mcp_servers.fx]\nurl = "${fx.url}"\nenv_http_headers = { "X-Sent" = "API_TOKEN" }\n`,
        `[mcp_servers.leaky]\ncommand = "sh"\nargs = ["-c", "echo \\"auth failed for token $API_TOKEN\\" >&2; exit 1"]\nenv_vars = ["API_TOKEN"]\n`,
      ].join("\n"),
    );
  });
  afterEach(async () => {
    await fx.stop();
    home.cleanup();
  });

  test("error lines, stderr blocks, list --status and doctor (text and --json) show [redacted] instead", async () => {
    const env = { API_TOKEN: SECRET };
    const runs = await Promise.all([
      runTether(["mcp", "tools", "leaky"], { home: home.home, env }),
      runTether(["mcp", "tools", "fx"], { home: home.home, env }),
      runTether(["mcp", "list", "--status"], { home: home.home, env }),
      runTether(["mcp", "list", "--status", "--json"], { home: home.home, env }),
      runTether(["mcp", "doctor"], { home: home.home, env }),
      runTether(["mcp", "doctor", "--json"], { home: home.home, env }),
    ]);
    expect(runs[0]!.code).toBe(1);
    expect(runs[0]!.stderr).toContain("  auth failed for token [redacted]\n");
    expect(runs[4]!.stdout).toContain("    auth failed for token [redacted]\n");
    expect(JSON.parse(runs[5]!.stdout).servers[1].stderr).toContain("auth failed for token [redacted]");
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(SECRET);
  });
});

describe("model API echoing the API key", () => {
  let harness: ExecHarness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  test("the key in a 401 body is printed as [redacted]", async () => {
    harness = setupExec([failStep(401, { error: `Incorrect API key provided: ${MOCK_KEY}. Find your key at ...` })]);
    const result = await harness.run(["hi"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: the model API returned 401 Unauthorized: Incorrect API key provided: [redacted]. Find your key at ...\n");
    expect(result.stderr).not.toContain(MOCK_KEY);
  });
});
