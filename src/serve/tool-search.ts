// Offline ranking for `tether mcp serve --tool-search`: which served tools fit a query, judged by
// their names, descriptions and parameter names only (no model, no network).
//
// Words are split on anything outside letters and digits and on camelCase, lower-cased. Each query
// word scores in the best field it hits: the tool name (weight 3), a parameter name (2), the
// description (1); a prefix hit (`sear` → `search`) counts half. Rare words count more (idf over
// the tool set), so "issue" beats "get" when many tools are `get_*`. Ties keep name order.
import type { Tool } from "@modelcontextprotocol/client";

export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_SEARCH_LIMIT = 50;

const NAME_WEIGHT = 3;
const PARAM_WEIGHT = 2;
const DESCRIPTION_WEIGHT = 1;

export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

interface Indexed {
  tool: Tool;
  name: Set<string>;
  params: Set<string>;
  description: Set<string>;
}

export class ToolIndex {
  private readonly entries: Indexed[];
  private readonly documentFrequency = new Map<string, number>();

  constructor(tools: Tool[]) {
    this.entries = tools.map((tool) => ({
      tool,
      name: new Set(words(tool.name)),
      params: new Set(Object.keys((tool.inputSchema?.properties as Record<string, unknown> | undefined) ?? {}).flatMap(words)),
      description: new Set(words(tool.description ?? "")),
    }));
    for (const entry of this.entries) {
      for (const word of new Set([...entry.name, ...entry.params, ...entry.description])) {
        this.documentFrequency.set(word, (this.documentFrequency.get(word) ?? 0) + 1);
      }
    }
  }

  search(query: string, limit: number = DEFAULT_SEARCH_LIMIT): { tool: Tool; score: number }[] {
    const terms = [...new Set(words(query))];
    if (terms.length === 0) return [];
    const n = this.entries.length;
    const scored: { tool: Tool; score: number }[] = [];
    for (const entry of this.entries) {
      let score = 0;
      for (const term of terms) {
        const hit = Math.max(
          NAME_WEIGHT * match(entry.name, term),
          PARAM_WEIGHT * match(entry.params, term),
          DESCRIPTION_WEIGHT * match(entry.description, term),
        );
        if (hit > 0) score += hit * Math.log(1 + n / (this.documentFrequency.get(term) ?? 1));
      }
      if (score > 0) scored.push({ tool: entry.tool, score });
    }
    scored.sort((a, b) => b.score - a.score || (a.tool.name < b.tool.name ? -1 : 1));
    return scored.slice(0, Math.min(Math.max(1, limit), MAX_SEARCH_LIMIT));
  }
}

/** 1 for the word itself, 0.5 when a word starts with it (a partly typed word), else 0. */
function match(set: Set<string>, term: string): number {
  if (set.has(term)) return 1;
  if (term.length >= 3) for (const word of set) if (word.startsWith(term)) return 0.5;
  return 0;
}
