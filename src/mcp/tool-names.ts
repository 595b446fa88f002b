// Names under which MCP tools are offered to a model (`mcp__<server>__<tool>`), and the way back.
//
// The Responses API accepts function names matching ^[a-zA-Z0-9_-]{1,64}$. The rule:
//   1. A qualified name that already matches is used exactly as it is.
//   2. Otherwise it is shortened: every character outside [A-Za-z0-9_-] becomes `_`, the result is
//      cut to 53 characters and `_` plus the first 10 hex digits of sha256(qualified name) is
//      appended (64 characters at most).
//   3. Collisions are settled over the (server, tool) pairs sorted by server, then tool, so the
//      result never depends on input order. Plain names (1) are claimed first: a valid name is
//      never displaced by a shortened one. Then each remaining pair claims its shortened name (2).
//      A pair whose name is already taken (two pairs with the same qualified name, such as server
//      `a` + tool `b__c` and server `a__b` + tool `c`, or a 40-bit hash collision) retries with
//      the hash of JSON `[server, tool, attempt]` for attempt 1, 2, ... until its name is free.
import { createHash } from "node:crypto";

export const MODEL_TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_MODEL_TOOL_NAME_LENGTH = 64;
/** Hex digits of sha256 kept in a shortened name: 40 bits, so accidental collisions are rare. */
export const TOOL_NAME_HASH_LENGTH = 10;

export interface ToolRef {
  server: string;
  tool: string;
}

/** `mcp__<server>__<tool>`, before any shortening. */
export function qualifyToolName(server: string, tool: string): string {
  return `mcp__${server}__${tool}`;
}

export function isValidModelToolName(name: string): boolean {
  return MODEL_TOOL_NAME_PATTERN.test(name);
}

/** `hashInput` defaults to the name itself; collision retries pass a salted input instead. */
export function shortenToolName(qualified: string, hashInput: string = qualified): string {
  const hash = createHash("sha256").update(hashInput).digest("hex").slice(0, TOOL_NAME_HASH_LENGTH);
  // The `u` flag makes a character outside the BMP (emoji, most CJK extensions) one `_`, not two.
  const sanitized = qualified.replace(/[^A-Za-z0-9_-]/gu, "_");
  return `${sanitized.slice(0, MAX_MODEL_TOOL_NAME_LENGTH - 1 - TOOL_NAME_HASH_LENGTH)}_${hash}`;
}

/** The name one tool gets when nothing collides with it (rules 1 and 2). */
export function modelToolName(server: string, tool: string): string {
  const qualified = qualifyToolName(server, tool);
  return isValidModelToolName(qualified) ? qualified : shortenToolName(qualified);
}

/** The two-way mapping for one set of tools, built once per session from every server's tool list. */
export class ToolNameMap {
  private readonly byModelName = new Map<string, ToolRef>();
  private readonly byRef = new Map<string, string>();

  /** `qualify` builds the unshortened name; `tether mcp serve` passes its own (`<server>__<tool>`). */
  constructor(refs: Iterable<ToolRef>, qualify: QualifyName = qualifyToolName) {
    for (const [ref, name] of assignModelToolNames(refs, qualify)) {
      this.byModelName.set(name, ref);
      this.byRef.set(refKey(ref.server, ref.tool), name);
    }
  }

  /** The model-facing name, or undefined for a tool that was not in the list. */
  toModel(server: string, tool: string): string | undefined {
    return this.byRef.get(refKey(server, tool));
  }

  fromModel(name: string): ToolRef | undefined {
    const ref = this.byModelName.get(name);
    return ref && { ...ref };
  }

  get size(): number {
    return this.byModelName.size;
  }

  /** [model name, tool] pairs, in the sorted order the names were assigned. */
  entries(): Array<[string, ToolRef]> {
    return [...this.byModelName].map(([name, ref]) => [name, { ...ref }]);
  }
}

/** How a (server, tool) pair is spelled before rules 1-3 apply. */
export type QualifyName = (server: string, tool: string) => string;

/** Applies the rule in the module comment; returns [ref, model name] in sorted order, duplicates dropped. */
export function assignModelToolNames(refs: Iterable<ToolRef>, qualify: QualifyName = qualifyToolName): Array<[ToolRef, string]> {
  const sorted = sortUniqueRefs(refs);
  const taken = new Set<string>();
  const assigned = new Map<ToolRef, string>();
  const claim = (ref: ToolRef, name: string): void => {
    if (taken.has(name)) return;
    taken.add(name);
    assigned.set(ref, name);
  };

  for (const ref of sorted) {
    const qualified = qualify(ref.server, ref.tool);
    if (isValidModelToolName(qualified)) claim(ref, qualified);
  }
  for (const ref of sorted) {
    if (!assigned.has(ref)) claim(ref, shortenToolName(qualify(ref.server, ref.tool)));
  }
  for (let attempt = 1; assigned.size < sorted.length; attempt++) {
    for (const ref of sorted) {
      if (assigned.has(ref)) continue;
      const qualified = qualify(ref.server, ref.tool);
      claim(ref, shortenToolName(qualified, JSON.stringify([ref.server, ref.tool, attempt])));
    }
  }
  return sorted.map((ref) => [ref, assigned.get(ref)!]);
}

function sortUniqueRefs(refs: Iterable<ToolRef>): ToolRef[] {
  const unique = new Map<string, ToolRef>();
  for (const { server, tool } of refs) unique.set(refKey(server, tool), { server, tool });
  // Plain code-unit order, not localeCompare: the same on every machine and locale.
  return [...unique.values()].sort((a, b) => compare(a.server, b.server) || compare(a.tool, b.tool));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// JSON, not a separator character: a server or tool name may contain any separator.
function refKey(server: string, tool: string): string {
  return JSON.stringify([server, tool]);
}
