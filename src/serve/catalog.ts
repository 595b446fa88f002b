// What `tether mcp serve` offers downstream: every upstream's tools, prompts, resources and
// resource templates under served names, and the way from a served name (or a URI) back.
//
// Naming rule (README "tether mcp serve"): a tool or prompt is offered as `<server>__<name>`
// (separator `__`, SERVED_NAME_SEPARATOR). The rules of src/mcp/tool-names.ts then apply to that
// spelling: a name outside [A-Za-z0-9_-]{1,64} is shortened to 53 characters + `_` + 10 hex digits
// of its sha256, and collisions (server `a` + tool `b__c` against server `a__b` + tool `c`) are
// settled in sorted (server, name) order, the loser getting a salted hash. Resources and templates
// keep their URIs (a URI is an address the client may already hold, and tool results link to it);
// only their `name` is prefixed. Two upstreams listing the same URI: the first in sorted server
// order owns it.
//
// `--no-prefix` (prefix = false): tools, prompts and resources keep the upstream's own names, so a
// client sees the server as if it spoke to it directly (the conformance suite calls fixed names).
// Two upstreams offering the same tool or prompt name is then an error naming both, raised when
// the list is built (the client's list request fails with it, and it is logged), never a silent pick.
import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from "@modelcontextprotocol/client";
import { UriTemplate } from "@modelcontextprotocol/client";
import { TetherError } from "../errors.ts";
import type { McpConnection } from "../mcp/connect.ts";
import { ToolNameMap, type ToolRef } from "../mcp/tool-names.ts";

export const SERVED_NAME_SEPARATOR = "__";

export function servedSpelling(server: string, name: string): string {
  return `${server}${SERVED_NAME_SEPARATOR}${name}`;
}

export interface Served<T> {
  server: string;
  /** The item as the upstream listed it (its own name). */
  item: T;
}

export class ServedNames<T extends { name: string }> {
  private readonly map?: ToolNameMap;
  private readonly items = new Map<string, Served<T>>();

  constructor(entries: Served<T>[], prefix = true, kind = "tool") {
    if (!prefix) {
      for (const entry of entries) {
        const taken = this.items.get(entry.item.name);
        if (taken && taken.server !== entry.server) throw collision(kind, entry.item.name, taken.server, entry.server);
        this.items.set(entry.item.name, entry);
      }
      return;
    }
    this.map = new ToolNameMap(
      entries.map((e): ToolRef => ({ server: e.server, tool: e.item.name })),
      servedSpelling,
    );
    for (const entry of entries) {
      const name = this.map.toModel(entry.server, entry.item.name);
      if (name !== undefined && !this.items.has(name)) this.items.set(name, entry);
    }
  }

  /** The downstream list: each item renamed, in sorted order. */
  list(): T[] {
    return [...this.items].map(([name, { item }]) => ({ ...item, name }));
  }

  resolve(name: string): Served<T> | undefined {
    return this.items.get(name);
  }

  servedName(server: string, name: string): string | undefined {
    if (!this.map) return this.items.get(name)?.server === server ? name : undefined;
    return this.map.toModel(server, name);
  }
}

/** Tools of the connected upstreams (already filtered by enabled_tools / disabled_tools). */
export function servedTools(connections: McpConnection[], prefix = true): ServedNames<Tool> {
  return new ServedNames(
    connections.flatMap((c) => c.tools.map((item) => ({ server: c.server.name, item }))),
    prefix,
    "tool",
  );
}

export function servedPrompts(lists: { server: string; prompts: Prompt[] }[], prefix = true): ServedNames<Prompt> {
  return new ServedNames(
    lists.flatMap((l) => l.prompts.map((item) => ({ server: l.server, item }))),
    prefix,
    "prompt",
  );
}

function collision(kind: string, name: string, first: string, second: string): TetherError {
  const [a, b] = [first, second].sort();
  return new TetherError(`--no-prefix: servers "${a}" and "${b}" both offer a ${kind} named "${name}"`, {
    hint: `serve without --no-prefix, or leave one out with enabled_tools / disabled_tools or --servers`,
  });
}

export interface ServedResources {
  resources: Resource[];
  templates: ResourceTemplate[];
  /** The upstream a URI is read from: an exact listed URI, else the first template that matches. */
  owner(uri: string): string | undefined;
  /** The upstream that lists this URI template (completion of a template's arguments). */
  templateOwner(uriTemplate: string): string | undefined;
}

export function servedResources(
  lists: { server: string; resources: Resource[]; templates: ResourceTemplate[] }[],
  prefix = true,
): ServedResources {
  const spell = (server: string, name: string) => (prefix ? servedSpelling(server, name) : name);
  const sorted = [...lists].sort((a, b) => (a.server < b.server ? -1 : a.server > b.server ? 1 : 0));
  const byUri = new Map<string, string>();
  const resources: Resource[] = [];
  const templates: ResourceTemplate[] = [];
  const matchers: { server: string; template: UriTemplate }[] = [];
  const byTemplate = new Map<string, string>();
  for (const { server, resources: rs, templates: ts } of sorted) {
    for (const resource of rs) {
      if (byUri.has(resource.uri)) continue;
      byUri.set(resource.uri, server);
      resources.push({ ...resource, name: spell(server, resource.name) });
    }
    for (const template of ts) {
      templates.push({ ...template, name: spell(server, template.name) });
      if (!byTemplate.has(template.uriTemplate)) byTemplate.set(template.uriTemplate, server);
      try {
        matchers.push({ server, template: new UriTemplate(template.uriTemplate) });
      } catch {
        // A template the SDK cannot parse is still listed; reads of its URIs need an exact match.
      }
    }
  }
  return {
    resources,
    templates,
    owner(uri) {
      return byUri.get(uri) ?? matchers.find((m) => m.template.match(uri) !== null)?.server;
    },
    templateOwner: (uriTemplate) => byTemplate.get(uriTemplate),
  };
}
