// The compiled binary against the fixture in both eras, piped: every issue-13 command and every
// request type a server can send (resources, prompts, elicitation answered by --input, roots,
// sampling through the model, log lines at --log-level), then exec started from a server prompt.
// The in-process tests (mcp-resources, mcp-elicitation, mcp-server-requests, exec-mcp) cover the
// details and the terminal forms; this layer proves the shipped executable does the same.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type MockResponses, sseStep, startMockResponses } from "../support/mock-responses.ts";
import { sse, textTurn } from "../support/sse.ts";

for (const era of ["legacy", "modern"] as const) {
  describe(`compiled binary, ${era} era`, () => {
    let home: ReturnType<typeof makeHome>;
    let mock: MockResponses;
    const tether = (args: string[]) => runTether(args, { home: home.home, env: { MOCK_KEY: "test-key" }, cwd: home.home, process: true });

    beforeAll(() => {
      home = makeHome();
      // One answer for the sampling request, one for exec's single turn.
      mock = startMockResponses([sseStep(sse(textTurn("resp_1", ["sampled ", "answer"]))), sseStep(sse(textTurn("resp_2", ["hello back"])))]);
      writeConfig(home.configPath, {
        top: {
          model: "gpt-test",
          model_provider: "mock",
          model_providers: { mock: { base_url: mock.url, env_key: "MOCK_KEY" } },
          sampling: "auto",
        },
        servers: { fx: stdioFixture(["--features", "--era", era], { startup_timeout_sec: 60 }) },
      });
    });
    afterAll(async () => {
      await mock.stop();
      home.cleanup();
    });

    test("resources, read, prompts, prompt", async () => {
      expect(expectOk(await tether(["mcp", "resources", "fx"])).stdout).toContain("fixture://docs/readme\treadme\ttext/plain");
      expect(expectOk(await tether(["mcp", "read", "fx", "fixture://docs/readme"])).stdout).toBe("# Fixture\nhello from a resource\n");
      expect(expectOk(await tether(["mcp", "prompts", "fx"])).stdout).toContain("review\tReview some code.\tcode*, style\n");
      expect(expectOk(await tether(["mcp", "prompt", "fx", "review", "--arg", "code=x = 1"])).stdout).toBe("[user]\nReview this code:\nx = 1\n");
      const missing = await tether(["mcp", "prompt", "fx", "review"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr.split("\n")[0]).toContain("code");
    });

    test("elicitation answered with --input; roots from --root; sampling through the model; log lines at --log-level", async () => {
      const asked = expectOk(await tether(["mcp", "call", "fx", "ask", "--input", "name=Ada", "--input", "count=2"]));
      expect(asked.stdout).toStartWith('accept {"name":"Ada","count":2');
      expect(expectOk(await tether(["mcp", "call", "fx", "roots", "--root", "/srv/data"])).stdout).toBe('roots: ["file:///srv/data"]\n');
      expect(expectOk(await tether(["mcp", "call", "fx", "sample"])).stdout).toContain("sampled answer");
      const chatty = expectOk(await tether(["mcp", "call", "fx", "chatty", "--log-level", "info"]));
      expect(chatty.stderr).toContain('server "fx" [info] fixture: starting the job\n');
      expect(chatty.stderr).toContain('server "fx" [error] fixture: one part failed\n');
      expect(chatty.stderr).not.toContain("a debug detail");
    });

    test("exec --mcp-prompt starts the conversation with the server's prompt", async () => {
      const result = expectOk(await tether(["exec", "--mcp-prompt", "fx/greet"]));
      expect(result.stdout).toContain("hello back");
      const sent = JSON.stringify(mock.requests.at(-1)?.body);
      expect(sent).toContain("Say hello to the fixture.");
    });
  });
}
