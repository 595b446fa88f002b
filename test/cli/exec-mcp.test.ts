// `tether exec` meeting the rest of MCP (issue 13): resource tools, --mcp-prompt, tool lists that
// change, annotations in approvals, bounded tool output, images, elicitation events. In process,
// with the mock Responses server and the stdio fixture, in both eras where the server's side differs.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REFUSALS } from "../../src/agent/approvals.ts";
import { callTurn, execPerTest, type ExecHarness, expectExit, fixtureServer, MOCK_KEY } from "../agent/exec-harness.ts";
import { runTether } from "../support/cli.ts";
import { TINY_PNG_BASE64 } from "../support/fixture-results.ts";
import { sseStep } from "../support/mock-responses.ts";
import { functionCall, sse, textTurn } from "../support/sse.ts";

const setup = execPerTest();

const answer = (id: string, text = "done") => sseStep(sse(textTurn(id, [text])));
const jsonLines = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line));
/** The function_call_output items the model received in a request body. */
const outputsIn = (body: any) => body.input.filter((item: any) => item.type === "function_call_output");

const ERAS = ["legacy", "modern"] as const;

describe("exec: resources for the model", () => {
  for (const era of ERAS) {
    test(`list_mcp_resources and read_mcp_resource are offered when a server has resources, and read them (${era})`, async () => {
      const h = setup(
        [
          callTurn("resp_1", functionCall("call_1", "list_mcp_resources", {})),
          callTurn("resp_2", functionCall("call_2", "read_mcp_resource", { server: "fixture", uri: "fixture://docs/readme" })),
          callTurn("resp_3", functionCall("call_3", "read_mcp_resource", { server: "fixture", uri: "fixture://logo.png" })),
          answer("resp_4"),
        ],
        { tables: [fixtureServer({ tools: ["add"], flags: ["--features", "--era", era] })] },
      );
      const result = expectExit(await h.run(["--yes", "what docs are there?"]), 0);
      const bodies = h.bodies();
      const names: string[] = bodies[0].tools.map((t: any) => t.name);
      // The fixture's own tools (which differ a little by era), then the two resource tools.
      expect(names).toEqual(expect.arrayContaining(["mcp__fixture__add", "mcp__fixture__ask"]));
      expect(names.slice(-2)).toEqual(["list_mcp_resources", "read_mcp_resource"]);
      const listed = JSON.parse(outputsIn(bodies[1])[0].output);
      expect(listed.resources).toEqual([
        { server: "fixture", uri: "fixture://docs/readme", name: "readme", mimeType: "text/plain", description: "The fixture's readme." },
        { server: "fixture", uri: "fixture://logo.png", name: "logo", mimeType: "image/png", description: "A tiny PNG." },
      ]);
      expect(outputsIn(bodies[2])[1].output).toBe("# Fixture\nhello from a resource\n");
      // A binary image resource reaches the model as an image.
      expect(outputsIn(bodies[3])[2].output).toEqual([
        { type: "input_image", image_url: `data:image/png;base64,${TINY_PNG_BASE64}` },
      ]);
      expect(result.stderr).toContain("→ list_mcp_resources {}");
    }, 60_000);
  }

  test("not offered when no server has resources; an unknown server is an error for the model, not a crash", async () => {
    const h = setup([callTurn("resp_1", functionCall("call_1", "read_mcp_resource", { server: "nope", uri: "x://y" })), answer("resp_2")], {
      tables: [fixtureServer({ tools: ["add"], flags: ["--features"] }), fixtureServer({ name: "plain", tools: ["add"] })],
    });
    expectExit(await h.run(["--yes", "read it"]), 0);
    expect(outputsIn(h.bodies()[1])[0].output).toBe('error: no connected server named "nope" has resources; servers with resources: fixture');
    const plain = setup([answer("resp_1")], { tables: [fixtureServer({ tools: ["add"] })] });
    expectExit(await plain.run(["hi"]), 0);
    expect(plain.bodies()[0].tools.map((t: any) => t.name)).toEqual(["mcp__fixture__add"]);
  }, 60_000);
});

describe("exec: --mcp-prompt", () => {
  for (const era of ERAS) {
    test(`the prompt's messages start the conversation, then the user's words (${era})`, async () => {
      const h = setup([answer("resp_1", "reviewed")], { tables: [fixtureServer({ tools: ["add"], flags: ["--features", "--era", era] })] });
      const result = expectExit(await h.run(["--mcp-prompt", "fixture/review", "--arg", "code=x = 1", "--arg", "style=terse", "keep it short"]), 0);
      expect(result.stdout).toBe("reviewed\n");
      expect(result.stderr).toBe('prompt review from server "fixture" (1 message)\n');
      expect(h.bodies()[0].input).toEqual([
        { type: "message", role: "user", content: [{ type: "input_text", text: "Review this code (terse):\nx = 1" }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "keep it short" }] },
      ]);
    }, 60_000);
  }

  test("an embedded resource is text; an assistant message stays the assistant's; PROMPT is optional; --json reports it", async () => {
    const h = setup([answer("resp_1")], { tables: [fixtureServer({ tools: ["add"], flags: ["--features"] })] });
    const result = expectExit(await h.run(["--json", "--mcp-prompt", "fixture/with_resource"]), 0);
    expect(h.bodies()[0].input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "hello from a resource" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "I read it." }] },
    ]);
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toEqual({ type: "prompt.loaded", server: "fixture", prompt: "with_resource", messages: 2 });
    expect(lines.some((line) => line.type === "user.prompt")).toBe(false);
  }, 60_000);

  test("an unknown server, an unknown prompt, a missing required argument: one line each, exit 2, no model request", async () => {
    const h = setup([], { tables: [fixtureServer({ tools: ["add"], flags: ["--features"] })] });
    const server = expectExit(await h.run(["--mcp-prompt", "docs/review"]), 2);
    expect(server.stderr).toBe('error: --mcp-prompt: no server named "docs"\nhint: servers: fixture\n');
    const prompt = expectExit(await h.run(["--mcp-prompt", "fixture/reveiw"]), 2);
    expect(prompt.stderr).toBe('error: server "fixture" has no prompt "reveiw"\nhint: did you mean "review"?\n');
    const missing = expectExit(await h.run(["--mcp-prompt", "fixture/review", "--arg", "style=long"]), 2);
    expect(missing.stderr).toBe('error: prompt "review" needs --arg code=...\nhint: see: tether mcp prompts fixture\n');
    expect(h.mock.requests).toHaveLength(0);
  }, 60_000);

  test("--arg k=@PATH and k=@- read a file or stdin (issue 22); stdin is the prompt's or an argument's, not both", async () => {
    const h = setup([answer("resp_1", "reviewed")], { tables: [fixtureServer({ tools: ["add"], flags: ["--features"] })] });
    writeFileSync(join(h.home.home, "code.py"), "x = 2\n");
    expectExit(await h.run(["--mcp-prompt", "fixture/review", "--arg", "code=@code.py", "--arg", "style=@-"], { stdin: "terse" }), 0);
    expect(h.bodies()[0].input).toEqual([{ type: "message", role: "user", content: [{ type: "input_text", text: "Review this code (terse):\nx = 2\n" }] }]);
    const missing = expectExit(await h.run(["--mcp-prompt", "fixture/review", "--arg", "code=@nope.py"]), 2);
    expect(missing.stderr).toBe(`error: --arg code=@nope.py: no file nope.py (${join(h.home.home, "nope.py")})\nhint: write @@nope.py for a value that starts with @\n`);
    const both = expectExit(await h.run(["--mcp-prompt", "fixture/review", "--arg", "code=@-", "-"], { stdin: "x" }), 2);
    expect(both.stderr.split("\n")[0]).toBe("error: only one can read stdin, got the prompt (-) and --arg code=@-");
    expect(h.mock.requests).toHaveLength(1);
  }, 60_000);

  test("the prompt's server must connect: exit 1, saying why it was needed", async () => {
    const h = setup([], { tables: ['[mcp_servers.broken]\ncommand = "/nonexistent/tether-test-server"'] });
    const result = expectExit(await h.run(["--mcp-prompt", "broken/greet"]), 1);
    expect(result.stderr.split("\n")[0]).toEndWith('(--mcp-prompt needs server "broken", so exec stops)');
    expect(h.mock.requests).toHaveLength(0);
  }, 60_000);
});

describe("exec: a tool list that changes", () => {
  for (const era of ERAS) {
    test(`tools added during the run are offered from the next turn (${era})`, async () => {
      const h = setup(
        [
          callTurn("resp_1", functionCall("call_1", "mcp__fixture__add_tool", {})),
          callTurn("resp_2", functionCall("call_2", "mcp__fixture__added_1", {})),
          answer("resp_3"),
        ],
        { tables: [fixtureServer({ tools: [], flags: ["--exec-tools", "--era", era] })] },
      );
      const result = expectExit(await h.run(["--yes", "--json", "grow"]), 0);
      const names = h.bodies().map((body) => body.tools.map((t: any) => t.name));
      expect(names[0]).not.toContain("mcp__fixture__added_1");
      expect(names[1]).toContain("mcp__fixture__added_1");
      expect(outputsIn(h.bodies()[2])[1].output).toBe("added 1 ran");
      const changed = jsonLines(result.stdout).filter((line) => line.type === "tools.changed");
      expect(changed).toEqual([{ type: "tools.changed", turn: 2, servers: ["fixture"], tools: names[1], failed: [] }]);
    }, 60_000);
  }

  test("the text view says so on stderr", async () => {
    const h = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__add_tool", {})), answer("resp_2")], {
      tables: [fixtureServer({ tools: [], flags: ["--exec-tools"] })],
    });
    const result = expectExit(await h.run(["--yes", "grow"]), 0);
    expect(result.stderr).toBe('→ mcp__fixture__add_tool {}\n← added_1\ntools changed on "fixture"; the model now has 5 tools\n');
  }, 60_000);
});

describe("exec: annotations in approvals", () => {
  const READ_ONLY_NOTE =
    'note: auto_approve_read_only: read-only tools run without asking on server "fixture" (peek); the server decides which tools are read-only\n';
  const tables = (extra: string[] = []) => [[fixtureServer({ tools: [], flags: ["--exec-tools"] }), ...extra].join("\n")];

  test("auto_approve_read_only runs read-only tools without asking (source config); others are still denied without a terminal", async () => {
    const h = setup(
      [callTurn("resp_1", functionCall("call_1", "mcp__fixture__peek", {}), functionCall("call_2", "mcp__fixture__browse", {})), answer("resp_2")],
      { top: ["auto_approve_read_only = true"], tables: tables() },
    );
    const result = expectExit(await h.run(["--json", "look"]), 0);
    const decisions = jsonLines(result.stdout).filter((line) => line.type === "tool.decision");
    expect(decisions.map((d) => [d.name, d.decision, d.source])).toEqual([
      ["mcp__fixture__peek", "approved", "config"],
      ["mcp__fixture__browse", "denied", "config"],
    ]);
    expect(outputsIn(h.bodies()[1]).map((o: any) => o.output)).toEqual(["all quiet", REFUSALS.noTerminal]);
    // Said once, before the run: in the session line and on stderr.
    expect(jsonLines(result.stdout)[0].read_only_unasked).toEqual([{ server: "fixture", tools: ["peek"] }]);
    expect(result.stderr).toBe(READ_ONLY_NOTE);
  }, 60_000);

  test("exec says once, before the run, which servers' read-only tools run without asking", async () => {
    const call = () => callTurn("resp_1", functionCall("call_1", "mcp__fixture__peek", {}));
    const h = setup([call(), answer("resp_2"), call(), answer("resp_4"), answer("resp_5")], {
      top: ["auto_approve_read_only = true"],
      tables: tables(),
    });
    const result = expectExit(await h.run(["look"]), 0);
    expect(result.stderr).toBe(`${READ_ONLY_NOTE}→ mcp__fixture__peek {}\n← all quiet\n`);
    // Set on the server alone, the same; --yes or approve_tools decide first, so nothing is said.
    const own = setup([call(), answer("resp_2")], { tables: tables(["auto_approve_read_only = true"]) });
    expect(expectExit(await own.run(["look"]), 0).stderr).toStartWith(READ_ONLY_NOTE);
    expect(expectExit(await h.run(["--yes", "look"]), 0).stderr).toBe("→ mcp__fixture__peek {}\n← all quiet\n");
    const approved = setup([answer("resp_1")], { top: ["auto_approve_read_only = true"], tables: tables(['approve_tools = ["peek"]']) });
    expect(expectExit(await approved.run(["look"]), 0).stderr).toBe("");
    const two = setup([answer("resp_1")], {
      top: ["auto_approve_read_only = true"],
      tables: [...tables(), fixtureServer({ name: "other", tools: [], flags: ["--exec-tools"] })],
    });
    expect(expectExit(await two.run(["look"]), 0).stderr).toBe(
      'note: auto_approve_read_only: read-only tools run without asking on servers "fixture" (peek) and "other" (peek); the servers decide which tools are read-only\n',
    );
  }, 60_000);

  test("a server's own auto_approve_read_only = false wins over the top level", async () => {
    const h = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__peek", {})), answer("resp_2")], {
      top: ["auto_approve_read_only = true"],
      tables: tables(["auto_approve_read_only = false"]),
    });
    const result = expectExit(await h.run(["look"]), 0);
    expect(outputsIn(h.bodies()[1])[0].output).toBe(REFUSALS.noTerminal);
    expect(result.stderr).not.toContain("auto_approve_read_only");
  }, 60_000);

  test('a destructive tool is not run under approval_policy = "auto" without a terminal; --yes runs it', async () => {
    const script = () => [callTurn("resp_1", functionCall("call_1", "mcp__fixture__wipe", {})), answer("resp_2")];
    const h = setup(script(), { top: ['approval_policy = "auto"'], tables: tables(['approve_tools = ["wipe"]']) });
    const denied = expectExit(await h.run(["wipe it"]), 0);
    expect(denied.stderr).toBe(
      "→ mcp__fixture__wipe {}\n✗ denied mcp__fixture__wipe: the tool is marked destructive and there is no terminal to ask for approval (only --yes allows it)\n",
    );
    expect(outputsIn(h.bodies()[1])[0].output).toBe(REFUSALS.destructive);
    const yes = setup(script(), { top: ['approval_policy = "auto"'], tables: tables() });
    expectExit(await yes.run(["--yes", "wipe it"]), 0);
    expect(outputsIn(yes.bodies()[1])[0].output).toBe("wiped");
  }, 60_000);
});

describe("exec: annotations on the approval prompt (a terminal)", () => {
  /** In process, with stdin and stderr reported as a terminal, `answers` typed on stdin. */
  const runOnTerminal = (h: ExecHarness, args: string[], answers: string) =>
    runTether(["exec", ...args], { home: h.home.home, env: { MOCK_KEY }, stdin: answers, tty: { stdin: true, stderr: true } });

  test('the prompt shows the hints; a destructive tool is asked about even under approval_policy = "auto"', async () => {
    const h = setup(
      [
        callTurn("resp_1", functionCall("call_1", "mcp__fixture__wipe", {})),
        callTurn("resp_2", functionCall("call_2", "mcp__fixture__peek", {}), functionCall("call_3", "mcp__fixture__browse", {})),
        answer("resp_3"),
      ],
      { top: ['approval_policy = "auto"'], tables: [fixtureServer({ tools: [], flags: ["--exec-tools"] })] },
    );
    const result = expectExit(await runOnTerminal(h, ["clean up"], "n\n"), 0);
    expect(result.stderr).toContain(
      '→ mcp__fixture__wipe {}\n  allow wipe on server "fixture" [destructive]? yes / always this session / no / quit: ✗ denied mcp__fixture__wipe: by you\n',
    );
    // Not destructive: "auto" runs them without asking.
    expect(result.stderr).toContain("→ mcp__fixture__peek {}\n← all quiet\n→ mcp__fixture__browse {}\n← a page\n");
    expect(outputsIn(h.bodies()[1])[0].output).toBe(REFUSALS.user);
  }, 60_000);

  test("read-only and open-world are shown too, and resource tools name every server or theirs", async () => {
    const h = setup(
      [
        callTurn("resp_1", functionCall("call_1", "mcp__fixture__peek", {}), functionCall("call_2", "mcp__fixture__browse", {})),
        callTurn("resp_2", functionCall("call_3", "list_mcp_resources", {}), functionCall("call_4", "read_mcp_resource", { server: "fixture", uri: "fixture://docs/readme" })),
        answer("resp_3"),
      ],
      { tables: [fixtureServer({ tools: [], flags: ["--exec-tools", "--features"] })] },
    );
    const result = expectExit(await runOnTerminal(h, ["look"], "y\ny\ny\ny\n"), 0);
    expect(result.stderr).toContain('allow peek on server "fixture" [read-only]? ');
    expect(result.stderr).toContain('allow browse on server "fixture" [open-world]? ');
    expect(result.stderr).toContain("allow list_mcp_resources on every server [read-only]? ");
    expect(result.stderr).toContain('allow read_mcp_resource on server "fixture" [read-only]? ');
  }, 60_000);
});

describe("exec: bounded tool output", () => {
  test("a result over tool_output_max_bytes: head and tail, a line saying what was left out and where all of it is (0600 in a 0700 dir)", async () => {
    const h = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__big", { bytes: 10_000 })), answer("resp_2")], {
      top: ["tool_output_max_bytes = 2048"],
      tables: [fixtureServer({ tools: ["big"], approveTools: ["big"] })],
    });
    const result = expectExit(await h.run(["--json", "big"]), 0);
    const dir = join(h.home.tetherHome, "outputs");
    const [file] = readdirSync(dir);
    const saved = join(dir, file!);
    expect(readFileSync(saved, "utf8")).toBe("x".repeat(10_000));
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const sent: string = outputsIn(h.bodies()[1])[0].output;
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(2048);
    const match = sent.match(/^(x+)\n\[… (\d+) bytes left out; the full output is in (.+) …\]\n(x+)$/)!;
    expect(match).not.toBeNull();
    expect(match[1]!.length + Number(match[2]) + match[4]!.length).toBe(10_000);
    expect(match[3]).toBe(saved);
    // The view and telemetry get the same capped text.
    const toolResult = jsonLines(result.stdout).find((line) => line.type === "tool.result");
    expect(toolResult.output).toBe(sent);
    expect(toolResult.saved_to).toBe(saved);
  }, 60_000);

  test("a result within the limit is sent whole and nothing is saved; the text view points at a saved file", async () => {
    const h = setup(
      [callTurn("resp_1", functionCall("call_1", "mcp__fixture__big", { bytes: 1024 })), callTurn("resp_2", functionCall("call_2", "mcp__fixture__big", { bytes: 40_000 })), answer("resp_3")],
      { tables: [fixtureServer({ tools: ["big"], approveTools: ["big"] })] },
    );
    const result = expectExit(await h.run(["big"]), 0);
    expect(outputsIn(h.bodies()[1])[0].output).toBe("x".repeat(1024));
    // The default limit: 32 KiB.
    expect(Buffer.byteLength(outputsIn(h.bodies()[2])[1].output)).toBeLessThanOrEqual(32 * 1024);
    const [file] = readdirSync(join(h.home.tetherHome, "outputs"));
    expect(result.stderr).toContain(`  the model got the start and end of the output; all of it is in ${join(h.home.tetherHome, "outputs", file!)}\n`);
  }, 60_000);
});

describe("exec: images", () => {
  for (const era of ERAS) {
    test(`an image from a tool reaches the model as an input image (${era})`, async () => {
      const h = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__image", {})), answer("resp_2")], {
        tables: [fixtureServer({ tools: ["image"], approveTools: ["image"], flags: ["--era", era] })],
      });
      const result = expectExit(await h.run(["--json", "show me"]), 0);
      expect(outputsIn(h.bodies()[1])).toEqual([
        {
          type: "function_call_output",
          call_id: "call_1",
          output: [
            { type: "input_text", text: "a 1x1 png" },
            { type: "input_image", image_url: `data:image/png;base64,${TINY_PNG_BASE64}` },
          ],
        },
      ]);
      const toolResult = jsonLines(result.stdout).find((line) => line.type === "tool.result");
      expect(toolResult.output).toBe("a 1x1 png");
      expect(toolResult.images).toEqual([{ mime_type: "image/png", bytes: Buffer.from(TINY_PNG_BASE64, "base64").length }]);
    }, 60_000);
  }

  test("the text view counts the images", async () => {
    const h = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__image", {})), answer("resp_2")], {
      tables: [fixtureServer({ tools: ["image"], approveTools: ["image"] })],
    });
    expect(expectExit(await h.run(["show me"]), 0).stderr).toBe("→ mcp__fixture__image {}\n← a 1x1 png (+1 image)\n");
  }, 60_000);
});

describe("exec: elicitation events", () => {
  for (const era of ERAS) {
    test(`--json reports the request and the action, never the answers (${era})`, async () => {
      const h = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__ask", {})), answer("resp_2")], {
        tables: [fixtureServer({ tools: [], approveTools: ["ask"], flags: ["--features", "--era", era] })],
      });
      const result = expectExit(await h.run(["--json", "--input", "name=Ada", "--input-defaults", "ask me"]), 0);
      const events = jsonLines(result.stdout).filter((line) => line.type === "elicitation");
      expect(events).toEqual([
        { type: "elicitation", phase: "requested", server: "fixture", mode: "form" },
        { type: "elicitation", phase: "answered", server: "fixture", mode: "form", action: "accept" },
      ]);
      expect(result.stdout.match(/Ada/g)?.length).toBe(1); // only in the tool's own result
      expect(outputsIn(h.bodies()[1])[0].output).toContain('"name":"Ada"');
    }, 60_000);
  }
});
