// `tether exec` on a terminal: the approval prompt answered with y / a / n / q over a real
// pseudo-terminal, and Ctrl-C.
import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REFUSALS } from "../../src/agent/approvals.ts";
import { callTurn, execPerTest, fixtureServer } from "../agent/exec-harness.ts";
import { isProcessAlive, baseEnv } from "../support/cli.ts";
import { sseStep } from "../support/mock-responses.ts";
import { functionCall, sse, textTurn } from "../support/sse.ts";
import { ensureHostBinary } from "../support/binary.ts";
import { readUntil } from "../support/streams.ts";

const ASK = 'allow add on server "fixture"? yes / always this session / no / quit: ';
const add = (callId: string, a: number, b: number) => functionCall(callId, "mcp__fixture__add", { a, b });
const outputs = (body: any) => body.input.filter((item: any) => item.type === "function_call_output");

const setup = execPerTest({ tables: [fixtureServer({ tools: ["add", "slow"] })] });

describe("exec approvals on a terminal", () => {
  test("y runs the call once; an unknown answer asks again", async () => {
    const h = setup([callTurn("resp_1", add("call_1", 2, 3)), sseStep(sse(textTurn("resp_2", ["It is 5."])))]);
    const { output, code } = await h.runInTerminal(["what is 2+3?"], [
      { expect: ASK, send: "maybe\r" },
      { expect: `please answer y, a, n or q\n  ${ASK}`, send: "y\r" },
    ]);
    expect(code).toBe(0);
    expect(output).toContain(`→ mcp__fixture__add {"a":2,"b":3}\n  ${ASK}maybe\n`);
    expect(output).toContain(`${ASK}y\n← 5\nIt is 5.\n`);
    expect(outputs(h.bodies()[1])).toEqual([{ type: "function_call_output", call_id: "call_1", output: "5" }]);
  });

  test("a approves the tool for the rest of the session: the next call is not asked", async () => {
    const h = setup([
      callTurn("resp_1", add("call_1", 1, 1)),
      callTurn("resp_2", add("call_2", 2, 2)),
      sseStep(sse(textTurn("resp_3", ["2 and 4."]))),
    ]);
    const { output, code } = await h.runInTerminal(["add twice"], [{ expect: ASK, send: "a\r" }]);
    expect(code).toBe(0);
    expect(output.split(ASK)).toHaveLength(2); // asked exactly once
    expect(output).toContain('← 2\n→ mcp__fixture__add {"a":2,"b":2}\n← 4\n2 and 4.\n');
    expect(outputs(h.bodies()[2]).map((item: any) => item.output)).toEqual(["2", "4"]);
  });

  test("n denies the call and the model is told the user declined", async () => {
    const h = setup([callTurn("resp_1", add("call_1", 2, 3)), sseStep(sse(textTurn("resp_2", ["OK, I won't."])))]);
    const { output, code } = await h.runInTerminal(["add"], [{ expect: ASK, send: "n\r" }]);
    expect(code).toBe(0);
    expect(output).toContain(`${ASK}n\n✗ denied mcp__fixture__add: by you\nOK, I won't.\n`);
    expect(outputs(h.bodies()[1])).toEqual([{ type: "function_call_output", call_id: "call_1", output: REFUSALS.user }]);
  });

  test("q aborts the run with exit 1 and no further request", async () => {
    const h = setup([callTurn("resp_1", add("call_1", 2, 3)), sseStep(sse(textTurn("resp_2", ["never"])))]);
    const { output, code } = await h.runInTerminal(["add"], [{ expect: ASK, send: "q\r" }]);
    expect(code).toBe(1);
    expect(output).toContain(`${ASK}q\nerror: aborted at the approval of mcp__fixture__add\n`);
    expect(h.mock.requests).toHaveLength(1);
  });

  test("Ctrl-C at the prompt exits 130", async () => {
    const h = setup([callTurn("resp_1", add("call_1", 2, 3))]);
    const { output, code } = await h.runInTerminal(["add"], [{ expect: ASK, send: "\x03" }]);
    expect(code).toBe(130);
    expect(output).toContain("error: interrupted\n");
  });

  test('a destructive tool is asked about, its hints shown, even under approval_policy = "auto"', async () => {
    const harness = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__wipe", {})), sseStep(sse(textTurn("resp_2", ["Wiped."])))], {
      top: ['approval_policy = "auto"'],
      tables: [fixtureServer({ tools: [], flags: ["--exec-tools"] })],
    });
    const ask = 'allow wipe on server "fixture" [destructive]? yes / always this session / no / quit: ';
    const { output, code } = await harness.runInTerminal(["wipe it"], [{ expect: ask, send: "y\r" }]);
    expect(code).toBe(0);
    expect(output).toContain(`→ mcp__fixture__wipe {}\n  ${ask}y\n← wiped\nWiped.\n`);
  });
});

describe("exec and Ctrl-C", () => {
  // SIGTERM (kill, docker stop) takes Ctrl-C's path: the cleanups close the server, nothing is cut off.
  for (const [signal, code, message] of [
    ["SIGINT", 130, "interrupted"],
    ["SIGTERM", 143, "terminated"],
  ] as const) {
    test(`${signal} during a tool call exits ${code} and kills the server`, async () => {
      const pidFile = join(tmpdir(), `tether-exec-fixture-${process.pid}-${Date.now()}.pid`);
      const harness = setup([callTurn("resp_1", functionCall("call_1", "mcp__fixture__slow", { ms: 60_000 }))], {
        tables: [fixtureServer({ tools: ["slow"], flags: ["--pid-file", pidFile] })],
      });
      const child = Bun.spawn([await ensureHostBinary(), "exec", "--yes", "be slow"], {
        cwd: harness.home.home,
        env: baseEnv(harness.home.home, { MOCK_KEY: "test-key" }),
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        timeout: 60_000,
      });
      const stderr = readUntil(child.stderr, "→ mcp__fixture__slow");
      await stderr.seen;
      const serverPid = Number(readFileSync(pidFile, "utf8").trim());
      expect(isProcessAlive(serverPid)).toBe(true);
      child.kill(signal); // to tether alone, not its process group: tether must stop the server itself
      expect(await child.exited).toBe(code);
      expect(await stderr.rest).toContain(`error: ${message}\n`);
      expect(isProcessAlive(serverPid)).toBe(false);
      rmSync(pidFile, { force: true });
    });
  }
});
