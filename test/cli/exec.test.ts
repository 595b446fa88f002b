// `tether exec` through the real CLI: a mock Responses server, the fixture MCP server, piped stdio.
import { describe, expect, test } from "bun:test";
import { REFUSALS } from "../../src/agent/approvals.ts";
import { callTurn, execPerTest, expectExit, fixtureServer, MOCK_KEY } from "../agent/exec-harness.ts";
import { failStep, sseStep } from "../support/mock-responses.ts";
import { failed, functionCall, responseCreated, sse, textTurn } from "../support/sse.ts";

const setup = execPerTest();

const userMessage = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
const addCall = functionCall("call_1", "mcp__fixture__add", { a: 2, b: 3 });
const output = (callId: string, text: string) => ({ type: "function_call_output", call_id: callId, output: text });

describe("exec: answers", () => {
  test("streams a plain text answer to stdout", async () => {
    const h = setup([sseStep(sse(textTurn("resp_1", ["Hello", ", ", "world."])), { chunkSize: 9 })]);
    const result = expectExit(await h.run(["say hello"]), 0);
    expect(result.stdout).toBe("Hello, world.\n");
    expect(result.stderr).toBe("");
    expect(h.mock.requests).toHaveLength(1);
    const [request] = h.mock.requests;
    expect(request!.path).toBe("/v1/responses");
    expect(request!.headers.authorization).toBe(`Bearer ${MOCK_KEY}`);
    const body = request!.body as any;
    expect(body).toEqual({ model: "gpt-test", instructions: expect.any(String), input: [userMessage("say hello")], tools: [], stream: true });
    expect(body.instructions.length).toBeGreaterThan(20);
  });

  test("reads the prompt from stdin when it is '-' or absent", async () => {
    const h = setup([sseStep(sse(textTurn("resp_1", ["one"]))), sseStep(sse(textTurn("resp_2", ["two"])))]);
    expect(expectExit(await h.run([], { stdin: "what is up?\n" }), 0).stdout).toBe("one\n");
    expect(expectExit(await h.run(["-"], { stdin: "and now?" }), 0).stdout).toBe("two\n");
    expect(h.bodies().map((body) => body.input[0])).toEqual([userMessage("what is up?"), userMessage("and now?")]);
  });

  test("an unquoted prompt is its words joined by spaces", async () => {
    const h = setup([sseStep(sse(textTurn("resp_1", ["ok"])))]);
    expectExit(await h.run(["add", "two", "numbers"]), 0);
    expect(h.bodies()[0].input[0]).toEqual(userMessage("add two numbers"));
  });

  test("--model overrides config's model", async () => {
    const h = setup([sseStep(sse(textTurn("resp_1", ["ok"])))]);
    expectExit(await h.run(["--model", "gpt-other", "hi"]), 0);
    expect(h.bodies()[0].model).toBe("gpt-other");
  });
});

describe("exec: tools", () => {
  test("a call to add approved by approve_tools runs, and its output goes back to the model", async () => {
    const h = setup([callTurn("resp_1", addCall), sseStep(sse(textTurn("resp_2", ["2 + 3 = 5"])))], {
      tables: [fixtureServer({ tools: ["add"], approveTools: ["add"] })],
    });
    const result = expectExit(await h.run(["what is 2+3?"]), 0);
    expect(result.stdout).toBe("2 + 3 = 5\n");
    expect(result.stderr).toBe('→ mcp__fixture__add {"a":2,"b":3}\n← 5\n');

    const [first, second] = h.bodies();
    expect(first.tools).toEqual([
      {
        type: "function",
        name: "mcp__fixture__add",
        description: "Add two numbers.",
        parameters: expect.objectContaining({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] }),
        strict: false,
      },
    ]);
    expect(second.input).toEqual([userMessage("what is 2+3?"), addCall.item, output("call_1", "5")]);
    expect(second.tools).toEqual(first.tools);
  });

  for (const era of ["modern", "dual"]) {
    test(`the same call reaches a ${era === "modern" ? "strict 2026-07-28" : "dual-era"} server`, async () => {
      const h = setup([callTurn("resp_1", addCall), sseStep(sse(textTurn("resp_2", ["5"])))], {
        tables: [fixtureServer({ tools: ["add"], approveTools: ["add"], flags: ["--era", era] })],
      });
      const result = expectExit(await h.run(["what is 2+3?"]), 0);
      expect(result.stderr).toBe('→ mcp__fixture__add {"a":2,"b":3}\n← 5\n');
      expect(h.bodies()[1].input.at(-1)).toEqual(output("call_1", "5"));
    });
  }

  test("--yes approves a call under approval_policy = ask", async () => {
    const h = setup([callTurn("resp_1", addCall), sseStep(sse(textTurn("resp_2", ["5"])))], { tables: [fixtureServer()] });
    const result = expectExit(await h.run(["--yes", "add"]), 0);
    expect(result.stdout).toBe("5\n");
    expect(h.bodies()[1].input.at(-1)).toEqual(output("call_1", "5"));
  });

  test('approval_policy = "deny" denies every call, approve_tools included, and says why', async () => {
    const h = setup([callTurn("resp_1", addCall), sseStep(sse(textTurn("resp_2", ["I may not use tools."])))], {
      top: ['approval_policy = "deny"'],
      tables: [fixtureServer({ approveTools: ["add"] })],
    });
    const result = expectExit(await h.run(["add"]), 0);
    expect(result.stdout).toBe("I may not use tools.\n");
    expect(result.stderr).toBe('→ mcp__fixture__add {"a":2,"b":3}\n✗ denied mcp__fixture__add: approval_policy = "deny"\n');
    expect(h.bodies()[1].input.at(-1)).toEqual(output("call_1", REFUSALS.policy));
  });

  test("approval_policy = ask with no terminal denies the call and tells the model why", async () => {
    const h = setup([callTurn("resp_1", addCall), sseStep(sse(textTurn("resp_2", ["I need approval."])))], {
      tables: [fixtureServer()],
    });
    const result = expectExit(await h.run(["add"]), 0);
    expect(result.stdout).toBe("I need approval.\n");
    expect(result.stderr).toBe(
      '→ mcp__fixture__add {"a":2,"b":3}\n✗ denied mcp__fixture__add: no terminal to ask for approval (use --yes, or approve_tools in config.toml)\n',
    );
    const told = h.bodies()[1].input.at(-1);
    expect(told).toEqual(output("call_1", REFUSALS.noTerminal));
    expect(told.output).toContain("without a terminal");
  });

  test("a tool timeout goes back to the model as an error output", async () => {
    const slow = functionCall("call_slow", "mcp__fixture__slow", { ms: 20_000 });
    const h = setup([callTurn("resp_1", slow), sseStep(sse(textTurn("resp_2", ["The tool timed out."])))], {
      tables: [fixtureServer({ toolTimeoutSec: 0.5 })],
    });
    const result = expectExit(await h.run(["--yes", "be slow"]), 0);
    expect(result.stdout).toBe("The tool timed out.\n");
    const timeout = 'error: tool "slow" on server "fixture" timed out after 0.5s';
    expect(result.stderr).toBe(`→ mcp__fixture__slow {"ms":20000}\n← ${timeout}\n`);
    expect(h.bodies()[1].input.at(-1)).toEqual(output("call_slow", timeout));
  });

  test("an isError result, an unknown tool and bad arguments go back as error outputs", async () => {
    const h = setup(
      [
        callTurn(
          "resp_1",
          functionCall("call_fail", "mcp__fixture__fail", { message: "disk full" }),
          functionCall("call_nope", "mcp__fixture__nope", {}),
          functionCall("call_bad", "mcp__fixture__add", "{not json"),
        ),
        sseStep(sse(textTurn("resp_2", ["Nothing worked."]))),
      ],
      { tables: [fixtureServer({ tools: ["add", "fail"] })] },
    );
    expectExit(await h.run(["--yes", "try"]), 0);
    const outputs = h.bodies()[1].input.filter((item: any) => item.type === "function_call_output");
    expect(outputs[0]).toEqual(output("call_fail", "error: disk full"));
    expect(outputs[1]).toEqual(output("call_nope", 'error: there is no tool named "mcp__fixture__nope"; available: mcp__fixture__add, mcp__fixture__fail'));
    expect(outputs[2].output).toStartWith("error: the arguments are not valid JSON");
  });

  test("--max-turns stops a model that keeps calling tools, with a clear message", async () => {
    const again = (n: number) => callTurn(`resp_${n}`, functionCall(`call_${n}`, "mcp__fixture__add", { a: n, b: n }));
    const h = setup([again(1), again(2), again(3)], { tables: [fixtureServer({ approveTools: ["add"] })] });
    const result = expectExit(await h.run(["--max-turns", "2", "loop"]), 1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      '→ mcp__fixture__add {"a":1,"b":1}\n← 2\n' +
        "error: stopped after 2 turns: the model still wants to call mcp__fixture__add\n" +
        "hint: raise --max-turns (or max_turns in config.toml) if the task needs more steps\n",
    );
    expect(h.mock.requests).toHaveLength(2);
  });

  test("max_turns from config is the default", async () => {
    const h = setup([callTurn("resp_1", addCall)], { top: ["max_turns = 1"], tables: [fixtureServer({ approveTools: ["add"] })] });
    const result = expectExit(await h.run(["loop"]), 1);
    expect(result.stderr).toStartWith("error: stopped after 1 turn: the model still wants to call mcp__fixture__add\n");
  });

  test("a server that fails to start is reported once and left out; the run goes on", async () => {
    const broken = '[mcp_servers.broken]\ncommand = "/nonexistent/tether-test-server"';
    const h = setup([sseStep(sse(textTurn("resp_1", ["fine"])))], { tables: [fixtureServer({ tools: ["add"] }), broken] });
    const result = expectExit(await h.run(["hi"]), 0);
    expect(result.stdout).toBe("fine\n");
    expect(result.stderr).toBe(
      'warning: server "broken" is left out, with all its tools: command "/nonexistent/tether-test-server" not found\n' +
        "hint: check 'command' in config.toml and that the program is installed and on PATH\n",
    );
    expect(h.bodies()[0].tools.map((tool: any) => tool.name)).toEqual(["mcp__fixture__add"]);
  });

  test("a server whose env_vars variable is not set is left out, said once before the run, and --json names it", async () => {
    const needsKey = fixtureServer({ name: "needs_key", tools: ["add"] }) + '\nenv_vars = ["TETHER_TEST_UNSET_KEY"]';
    const turn = () => sseStep(sse(textTurn("resp_1", ["fine"])));
    const h = setup([turn(), turn()], { tables: [fixtureServer({ tools: ["add"] }), needsKey] });
    const result = expectExit(await h.run(["hi"], { env: { TETHER_TEST_UNSET_KEY: undefined } }), 0);
    expect(result.stdout).toBe("fine\n");
    expect(result.stderr).toBe(
      'warning: server "needs_key" is left out, with all its tools: env_vars: environment variable TETHER_TEST_UNSET_KEY is not set\n' +
        "hint: export TETHER_TEST_UNSET_KEY=...\n",
    );
    expect(h.bodies()[0].tools.map((tool: any) => tool.name)).toEqual(["mcp__fixture__add"]);

    const json = expectExit(await h.run(["--json", "hi"], { env: { TETHER_TEST_UNSET_KEY: undefined } }), 0);
    expect(json.stderr).toBe(result.stderr);
    expect(JSON.parse(json.stdout.split("\n")[0]!)).toEqual({
      type: "session.started",
      model: "gpt-test",
      provider: "mock",
      tools: ["mcp__fixture__add"],
      failed_servers: [
        { name: "needs_key", error: 'server "needs_key" env_vars: environment variable TETHER_TEST_UNSET_KEY is not set', hint: "export TETHER_TEST_UNSET_KEY=..." },
      ],
      read_only_unasked: [],
    });
  });

  test("a required server that fails to start stops exec before any model request", async () => {
    const broken = '[mcp_servers.broken]\ncommand = "/nonexistent/tether-test-server"\nrequired = true';
    const h = setup([sseStep(sse(textTurn("resp_1", ["never"])))], { tables: [broken] });
    const result = expectExit(await h.run(["hi"]), 1);
    expect(result.stderr).toStartWith(
      'error: server "broken": command "/nonexistent/tether-test-server" not found (server "broken" is required, so exec stops)\n',
    );
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe("exec: model API failures", () => {
  test("429 and 503 are retried, honouring Retry-After, and the user sees why it waits", async () => {
    const h = setup([
      failStep(429, { error: "slow down", retryAfter: "1" }),
      failStep(503, { error: "busy", retryAfter: "0" }),
      sseStep(sse(textTurn("resp_1", ["made it"]))),
    ]);
    const result = expectExit(await h.run(["hi"]), 0);
    expect(result.stdout).toBe("made it\n");
    expect(result.stderr).toBe(
      "the model API returned 429 Too Many Requests: slow down; retrying in 1s (attempt 2 of 4)\n" +
        "the model API returned 503 Service Unavailable: busy; retrying in 0s (attempt 3 of 4)\n",
    );
    expect(h.mock.requests).toHaveLength(3);
  });

  test("a stream cut midway is retried, and the answer is shown once", async () => {
    const turn = textTurn("resp_1", ["The answer ", "is ", "42."]);
    const shown = sse(turn.slice(0, 3)).length; // created + two deltas: "The answer is " was shown
    const h = setup([sseStep(sse(turn), { cutAfterBytes: shown + 5, cutMode: "reset" }), sseStep(sse(turn), { chunkSize: 11 })]);
    const result = expectExit(await h.run(["hi"]), 0);
    expect(result.stdout).toBe("The answer is 42.\n");
    expect(result.stderr).toMatch(/^the model stream broke off: .*; retrying in [\d.]+s \(attempt 2 of 4\)\n$/);
    expect(h.mock.requests).toHaveLength(2);
    expect(h.bodies()[1]).toEqual(h.bodies()[0]);
  });

  test("response.failed ends the run with exit 1 and the model's message", async () => {
    const h = setup([sseStep(sse([responseCreated("resp_1"), failed("resp_1", "The model is overloaded.")]))]);
    const result = expectExit(await h.run(["hi"]), 1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("error: the model response failed: The model is overloaded.\n");
  });

  test("a missing API key names the env var and exits 2 before any request", async () => {
    const h = setup([]);
    const result = expectExit(await h.run(["hi"], { env: { MOCK_KEY: undefined } }), 2);
    expect(result.stderr).toBe(
      'error: the API key for model provider "mock" is missing: environment variable MOCK_KEY is not set\n' +
        "hint: export MOCK_KEY=... (tether reads the key from the environment, never from config.toml)\n",
    );
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe("exec: usage errors", () => {
  test("no prompt and nothing on stdin is a usage error", async () => {
    const h = setup([]);
    const result = expectExit(await h.run([]), 2);
    expect(result.stderr).toBe('error: the prompt on stdin is empty\nhint: tether exec "PROMPT"\n');
  });

  test("--max-turns must be a positive whole number", async () => {
    const h = setup([]);
    const result = expectExit(await h.run(["--max-turns", "0", "hi"]), 2);
    expect(result.stderr).toBe('error: --max-turns wants a whole number of at least 1, got "0"\n');
  });
});

describe("exec --json", () => {
  test("one JSON object per line: session, text deltas, tool call, decision, result, usage, final", async () => {
    const h = setup([callTurn("resp_1", addCall), sseStep(sse(textTurn("resp_2", ["2 + 3 ", "= 5"])))], {
      tables: [fixtureServer({ tools: ["add"], approveTools: ["add"] })],
    });
    const result = expectExit(await h.run(["--json", "what is 2+3?"]), 0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    const usage = { input_tokens: 12, output_tokens: 7, total_tokens: 19, cached_tokens: 0, reasoning_tokens: 0 };
    const call = { turn: 1, call_id: "call_1", name: "mcp__fixture__add" };
    expect(lines).toEqual([
      { type: "session.started", model: "gpt-test", provider: "mock", tools: ["mcp__fixture__add"], failed_servers: [], read_only_unasked: [] },
      { type: "turn.completed", turn: 1, response_id: "resp_1", usage },
      { type: "tool.call", ...call, server: "fixture", tool: "add", arguments: { a: 2, b: 3 } },
      { type: "tool.decision", ...call, decision: "approved", source: "config" },
      { type: "tool.result", ...call, success: true, output: "5", duration_ms: expect.any(Number) },
      { type: "text.delta", turn: 2, delta: "2 + 3 " },
      { type: "text.delta", turn: 2, delta: "= 5" },
      { type: "turn.completed", turn: 2, response_id: "resp_2", usage },
      {
        type: "final",
        text: "2 + 3 = 5",
        turns: 2,
        tool_calls: 1,
        usage: { input_tokens: 24, output_tokens: 14, total_tokens: 38, cached_tokens: 0, reasoning_tokens: 0 },
      },
    ]);
  });
});
