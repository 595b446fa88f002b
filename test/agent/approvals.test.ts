import { describe, expect, test } from "bun:test";
import { ApprovalGate, parseApprovalAnswer, REFUSALS, type ApprovalAnswer, type ApprovalSettings } from "../../src/agent/approvals.ts";

const request = { callId: "call_1", modelName: "mcp__docs__search", server: "docs", tool: "search", arguments: { q: "x" } };

function gate(settings: Partial<ApprovalSettings>, answers: ApprovalAnswer[] = []): { gate: ApprovalGate; asked: () => number } {
  let asked = 0;
  const prompt = { ask: async () => (asked++, answers.shift() ?? "no") };
  return {
    gate: new ApprovalGate({ policy: "ask", yes: false, approveTools: () => [], prompt, ...settings }),
    asked: () => asked,
  };
}

describe("ApprovalGate", () => {
  test("config decides first: --yes, auto, approve_tools", async () => {
    expect(await gate({ yes: true }).gate.decide(request)).toEqual({ decision: "approved", source: "config" });
    expect(await gate({ policy: "auto" }).gate.decide(request)).toEqual({ decision: "approved", source: "config" });
    const listed = gate({ approveTools: (server) => (server === "docs" ? ["search"] : []) });
    expect(await listed.gate.decide(request)).toEqual({ decision: "approved", source: "config" });
    expect(listed.asked()).toBe(0);
  });

  test('"deny" denies everything, approve_tools included; --yes still wins', async () => {
    const denied = await gate({ policy: "deny", approveTools: () => ["search"] }).gate.decide(request);
    expect(denied).toEqual({ decision: "denied", source: "config", refusal: REFUSALS.policy, deniedBy: "policy" });
    expect((await gate({ policy: "deny", yes: true }).gate.decide(request)).decision).toBe("approved");
  });

  test("ask without a terminal denies, and the refusal tells the model why", async () => {
    const verdict = await gate({ prompt: undefined }).gate.decide(request);
    expect(verdict).toEqual({ decision: "denied", source: "config", refusal: REFUSALS.noTerminal, deniedBy: "no_terminal" });
  });

  test("the user's answers: y once, a for the session, n, q", async () => {
    const { gate: g, asked } = gate({}, ["yes", "always", "no", "quit"]);
    expect(await g.decide(request)).toEqual({ decision: "approved", source: "user" });
    expect(await g.decide(request)).toEqual({ decision: "approved_for_session", source: "user" });
    // Approved for the session: not asked again, and the source is now config.
    expect(await g.decide(request)).toEqual({ decision: "approved_for_session", source: "config" });
    expect(asked()).toBe(2);
    const other = { ...request, modelName: "mcp__docs__delete", tool: "delete" };
    expect(await g.decide(other)).toEqual({ decision: "denied", source: "user", refusal: REFUSALS.user, deniedBy: "user" });
    expect(await g.decide(other)).toEqual({ decision: "abort", source: "user" });
  });
});

test("parseApprovalAnswer reads y/a/n/q and their words, nothing else", () => {
  expect(["y", " Y ", "yes", "a", "always", "n", "No", "q", "quit"].map(parseApprovalAnswer)).toEqual([
    "yes", "yes", "yes", "always", "always", "no", "no", "quit", "quit",
  ]);
  expect(["", "maybe", "yy"].map(parseApprovalAnswer)).toEqual([undefined, undefined, undefined]);
});
