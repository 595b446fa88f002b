// Sampling with `sampling = "ask"` on a real terminal (the compiled binary in a pseudo-terminal):
// the request is shown, `y` sends it to the model, the answer reaches the server's tool.
import { beforeEach, expect, test } from "bun:test";
import { runInTerminal } from "../agent/exec-harness.ts";
import { baseEnv, homePerTest } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type MockResponses, sseStep, startMockResponses } from "../support/mock-responses.ts";
import { sse, textTurn } from "../support/sse.ts";
import { screenText } from "../support/shell-pty.ts";

const each = homePerTest();
let mock: MockResponses;
beforeEach(() => {
  mock = startMockResponses([sseStep(sse(textTurn("resp_1", ["four"])))]);
  each.fixtures.push(mock);
});

for (const era of ["legacy", "modern"] as const) {
  test(`${era}: the request is shown and asked about; y sends it to the model`, async () => {
    writeConfig(each.home.configPath, {
      top: { model: "gpt-test", model_provider: "mock", model_providers: { mock: { base_url: mock.url, env_key: "MOCK_KEY" } }, sampling: "ask" },
      servers: { fx: stdioFixture(["--features", "--era", era], { startup_timeout_sec: 60 }) },
    });
    const result = await runInTerminal(
      ["mcp", "call", "fx", "sample", "--arg", "prompt=What is 2+2?"],
      [{ expect: "send it to the model? yes / No: ", send: "y\r" }],
      baseEnv(each.home.home, { MOCK_KEY: "test-key" }),
      each.home.home,
    );
    // What the user reads: a carriage return starts its line over (the spinner's frames vanish).
    const output = screenText(result.output.split("\n").map((line) => line.slice(line.lastIndexOf("\r") + 1)).join("\n"));
    expect(result.code).toBe(0);
    expect(output).toContain('server "fx" asks to use the model (sampling):\n  system: You are the fixture\'s helper.\n  user: What is 2+2?\n  max tokens: 4096 (the server asked for 100000)\n');
    expect(output).toContain("sampled [gpt-test, endTurn]: four\n");
    expect(mock.requests).toHaveLength(1);
  }, 120_000);
}
