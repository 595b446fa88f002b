// Decides whether a tool call may run (SPEC §6): config first, then the user on a TTY.
import type { ApprovalPolicy } from "../config/types.ts";

/** What the user answered: `y` once, `a` for the session, `n` deny, `q` abort the run. */
export type ApprovalAnswer = "yes" | "always" | "no" | "quit";

/** What a tool's annotations say about it, as the prompt shows it; only hints the server set to true. */
export type ToolHint = "read-only" | "destructive" | "open-world";

export interface ApprovalRequest {
  callId: string;
  /** The name the model used, e.g. `mcp__docs__search`. */
  modelName: string;
  /** Empty for tether's own tools that span every server (list_mcp_resources without `server`). */
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
  hints: readonly ToolHint[];
}

/** The hints of a tool's MCP annotations. Hints are the server's word, so only an explicit `true` counts. */
export function toolHints(annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; openWorldHint?: boolean } | undefined): ToolHint[] {
  const hints: ToolHint[] = [];
  if (annotations?.readOnlyHint === true) hints.push("read-only");
  if (annotations?.destructiveHint === true) hints.push("destructive");
  if (annotations?.openWorldHint === true) hints.push("open-world");
  return hints;
}

/** Asks the user; only present when there is a terminal to ask on. */
export interface ApprovalPrompt {
  ask(request: ApprovalRequest): Promise<ApprovalAnswer>;
}

export type ToolDecision = "approved" | "approved_for_session" | "denied" | "abort";
export type ToolDecisionSource = "config" | "user";

export interface Verdict {
  decision: ToolDecision;
  source: ToolDecisionSource;
  /** For a denial: what the model is told instead of a tool output. */
  refusal?: string;
  /** For a denial: who or what said no, for the user's eyes. */
  deniedBy?: "user" | "policy" | "no_terminal" | "destructive";
}

export interface ApprovalSettings {
  policy: ApprovalPolicy;
  /** `--yes`: a flag beats config, so it approves even under `approval_policy = "deny"`. */
  yes: boolean;
  /** The server's `approve_tools` (MCP tool names, not model names). */
  approveTools(server: string): readonly string[];
  /** `auto_approve_read_only`, the server's own setting over the top-level one. */
  autoApproveReadOnly(server: string): boolean;
  prompt?: ApprovalPrompt;
}

export const REFUSALS = {
  user: "denied: the user declined this tool call. Do not retry it; continue without it, or explain what you needed it for.",
  policy:
    'denied: tool calls are turned off in this session (approval_policy = "deny" in the user\'s config). ' +
    "Do not retry; answer without tools.",
  noTerminal:
    "denied: this tool call needs the user's approval, but tether is running without a terminal to ask on. " +
    "Do not retry it. The user can allow tools with --yes or approve_tools in config.toml.",
  destructive:
    "denied: this tool is marked destructive, so it needs the user's approval, but tether is running without a terminal to ask on. " +
    "Do not retry it. Only --yes allows destructive tools without asking.",
} as const;

type ApprovalRule = "yes" | "policy_deny" | "destructive" | "policy_auto" | "approve_tools" | "read_only" | "ask";

/** One gate per run: it remembers the tools the user approved for the session. */
export class ApprovalGate {
  private readonly session = new Set<string>();

  constructor(private readonly settings: ApprovalSettings) {}

  async decide(request: ApprovalRequest): Promise<Verdict> {
    switch (this.rule(request)) {
      case "yes":
      case "policy_auto":
      case "approve_tools":
      case "read_only":
        return { decision: "approved", source: "config" };
      case "policy_deny":
        return { decision: "denied", source: "config", refusal: REFUSALS.policy, deniedBy: "policy" };
      case "destructive":
        return this.ask(request, { refusal: REFUSALS.destructive, deniedBy: "destructive" });
      case "ask":
        return this.ask(request, { refusal: REFUSALS.noTerminal, deniedBy: "no_terminal" });
    }
  }

  /**
   * Whether `auto_approve_read_only` is what lets this tool run unasked: nothing before it decides
   * (--yes, the policy, a destructive hint, approve_tools). exec tells the user which servers that is.
   */
  runsUnaskedAsReadOnly(request: Pick<ApprovalRequest, "server" | "tool" | "hints">): boolean {
    return this.rule(request) === "read_only";
  }

  /** The setting that decides a call, in the order they apply. */
  private rule(request: Pick<ApprovalRequest, "server" | "tool" | "hints">): ApprovalRule {
    const { settings } = this;
    if (settings.yes) return "yes";
    if (settings.policy === "deny") return "policy_deny";
    // A destructive tool is the user's call: no config setting approves it, only --yes above or
    // the user's own "always" for the session.
    if (request.hints.includes("destructive")) return "destructive";
    if (settings.policy === "auto") return "policy_auto";
    if (settings.approveTools(request.server).includes(request.tool)) return "approve_tools";
    if (request.hints.includes("read-only") && settings.autoApproveReadOnly(request.server)) return "read_only";
    return "ask";
  }

  /** The session's earlier "always", else the user on the terminal; `unasked` when there is none. */
  private async ask(request: ApprovalRequest, unasked: Pick<Verdict, "refusal" | "deniedBy">): Promise<Verdict> {
    const { settings } = this;
    if (this.session.has(request.modelName)) return { decision: "approved_for_session", source: "config" };
    if (!settings.prompt) return { decision: "denied", source: "config", ...unasked };
    const answer = await settings.prompt.ask(request);
    switch (answer) {
      case "yes":
        return { decision: "approved", source: "user" };
      case "always":
        this.session.add(request.modelName);
        return { decision: "approved_for_session", source: "user" };
      case "no":
        return { decision: "denied", source: "user", refusal: REFUSALS.user, deniedBy: "user" };
      case "quit":
        return { decision: "abort", source: "user" };
    }
  }
}

/** Reads one typed answer; undefined for anything else, so the caller asks again. */
export function parseApprovalAnswer(line: string): ApprovalAnswer | undefined {
  switch (line.trim().toLowerCase()) {
    case "y":
    case "yes":
      return "yes";
    case "a":
    case "always":
      return "always";
    case "n":
    case "no":
      return "no";
    case "q":
    case "quit":
      return "quit";
    default:
      return undefined;
  }
}
