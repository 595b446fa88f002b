import { describe, expect, test } from "bun:test";
import { ApprovalGate, parseApprovalAnswer, REFUSALS, toolHints, type ApprovalAnswer, type ApprovalSettings } from "../../src/agent/approvals.ts";

const request = { callId: "call_1", modelName: "mcp__docs__search", server: "docs", tool: "search", arguments: { q: "x" }, hints: [] };

function gate(settings: Partial<ApprovalSettings>, answers: ApprovalAnswer[] = []): { gate: ApprovalGate; asked: () => number } {
  let asked = 0;
  const prompt = { ask: async () => (asked++, answers.shift() ?? "no") };
  return {
    gate: new ApprovalGate({ policy: "ask", yes: false, approveTools: () => [], autoApproveReadOnly: () => false, prompt, ...settings }),
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

describe("annotations", () => {
  const readOnly = { ...request, hints: ["read-only" as const] };
  const destructive = { ...request, modelName: "mcp__docs__wipe", tool: "wipe", hints: ["destructive" as const, "open-world" as const] };

  test("toolHints keeps only the hints a server set to true", () => {
    expect(toolHints({ readOnlyHint: true, destructiveHint: false, openWorldHint: true })).toEqual(["read-only", "open-world"]);
    expect(toolHints({ destructiveHint: true })).toEqual(["destructive"]);
    expect(toolHints(undefined)).toEqual([]);
  });

  test("auto_approve_read_only runs read-only tools without asking (source config), per server", async () => {
    const g = gate({ autoApproveReadOnly: (server) => server === "docs" });
    expect(await g.gate.decide(readOnly)).toEqual({ decision: "approved", source: "config" });
    expect(g.asked()).toBe(0);
    // Not read-only, or another server: asked as before.
    expect((await g.gate.decide(request)).source).toBe("user");
    expect((await g.gate.decide({ ...readOnly, server: "other" })).source).toBe("user");
    expect(g.asked()).toBe(2);
  });

  test("runsUnaskedAsReadOnly: only where auto_approve_read_only is what lets the tool run unasked (what exec reports)", () => {
    const on = { autoApproveReadOnly: (server: string) => server === "docs" };
    expect(gate(on).gate.runsUnaskedAsReadOnly(readOnly)).toBe(true);
    expect(gate(on).gate.runsUnaskedAsReadOnly(request)).toBe(false);
    expect(gate(on).gate.runsUnaskedAsReadOnly({ ...readOnly, server: "other" })).toBe(false);
    // Decided before the read-only rule: by --yes, the policy, approve_tools, or a destructive hint (asked).
    expect(gate({ ...on, yes: true }).gate.runsUnaskedAsReadOnly(readOnly)).toBe(false);
    expect(gate({ ...on, policy: "auto" }).gate.runsUnaskedAsReadOnly(readOnly)).toBe(false);
    expect(gate({ ...on, policy: "deny" }).gate.runsUnaskedAsReadOnly(readOnly)).toBe(false);
    expect(gate({ ...on, approveTools: () => ["search"] }).gate.runsUnaskedAsReadOnly(readOnly)).toBe(false);
    expect(gate(on).gate.runsUnaskedAsReadOnly({ ...readOnly, hints: ["read-only", "destructive"] })).toBe(false);
  });

  test("a destructive tool is asked about even under approval_policy = auto, approve_tools or auto_approve_read_only", async () => {
    const g = gate({ policy: "auto", approveTools: () => ["wipe"], autoApproveReadOnly: () => true }, ["yes"]);
    expect(await g.gate.decide({ ...destructive, hints: ["destructive", "read-only"] })).toEqual({ decision: "approved", source: "user" });
    expect(g.asked()).toBe(1);
  });

  test("a destructive tool without a terminal is denied with its own refusal; --yes runs it; deny still denies", async () => {
    const verdict = await gate({ policy: "auto", prompt: undefined }).gate.decide(destructive);
    expect(verdict).toEqual({ decision: "denied", source: "config", refusal: REFUSALS.destructive, deniedBy: "destructive" });
    expect(await gate({ yes: true }).gate.decide(destructive)).toEqual({ decision: "approved", source: "config" });
    expect((await gate({ policy: "deny" }).gate.decide(destructive)).deniedBy).toBe("policy");
  });

  test("the user's own 'always' covers a destructive tool for the session", async () => {
    const g = gate({}, ["always"]);
    expect((await g.gate.decide(destructive)).decision).toBe("approved_for_session");
    expect(await g.gate.decide(destructive)).toEqual({ decision: "approved_for_session", source: "config" });
    expect(g.asked()).toBe(1);
  });
});

test("parseApprovalAnswer reads y/a/n/q and their words, nothing else", () => {
  expect(["y", " Y ", "yes", "a", "always", "n", "No", "q", "quit"].map(parseApprovalAnswer)).toEqual([
    "yes", "yes", "yes", "always", "always", "no", "no", "quit", "quit",
  ]);
  expect(["", "maybe", "yy"].map(parseApprovalAnswer)).toEqual([undefined, undefined, undefined]);
});
