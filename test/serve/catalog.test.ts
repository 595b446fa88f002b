// The served-name rule of `tether mcp serve` (src/serve/catalog.ts).
import { expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/client";
import { ServedNames, servedResources } from "../../src/serve/catalog.ts";

const tool = (name: string): Tool => ({ name, inputSchema: { type: "object" } });

test("server__name; long or odd names shortened; a collision settled in sorted order with a salted hash", () => {
  const served = new ServedNames([
    { server: "a__b", item: tool("c") },
    { server: "a", item: tool("b__c") },
    { server: "docs", item: tool("search") },
    { server: "docs", item: tool("x".repeat(80)) },
    { server: "web", item: tool("fetch.page") },
  ]);
  const names = served.list().map((t) => t.name);
  expect(names).toContain("a__b__c");
  expect(names).toContain("docs__search");
  expect(served.resolve("a__b__c")).toEqual({ server: "a", item: tool("b__c") });
  const loser = served.servedName("a__b", "c")!;
  expect(loser).toMatch(/^a__b__c_[0-9a-f]{10}$/);
  expect(served.resolve(loser)!.server).toBe("a__b");
  const long = served.servedName("docs", "x".repeat(80))!;
  expect(long.length).toBe(64);
  expect(served.servedName("web", "fetch.page")).toMatch(/^web__fetch_page_[0-9a-f]{10}$/);
  expect(served.resolve("nope")).toBeUndefined();
});

test("resources keep their URIs; the first server in name order owns a shared URI; templates route reads", () => {
  const served = servedResources([
    { server: "b", resources: [{ uri: "file:///same", name: "same" }], templates: [{ uriTemplate: "notes://{id}", name: "note" }] },
    { server: "a", resources: [{ uri: "file:///same", name: "same" }, { uri: "a://only", name: "only" }], templates: [] },
  ]);
  expect(served.resources.map((r) => [r.uri, r.name])).toEqual([
    ["file:///same", "a__same"],
    ["a://only", "a__only"],
  ]);
  expect(served.templates).toEqual([{ uriTemplate: "notes://{id}", name: "b__note" }]);
  expect(served.owner("file:///same")).toBe("a");
  expect(served.owner("notes://42")).toBe("b");
  expect(served.owner("other://x")).toBeUndefined();
});

test("--no-prefix: names as the upstreams give them; a name two servers share is an error naming both", () => {
  const served = new ServedNames([{ server: "docs", item: tool("search") }, { server: "web", item: tool("fetch.page") }], false);
  expect(served.list().map((t) => t.name)).toEqual(["search", "fetch.page"]);
  expect(served.resolve("search")!.server).toBe("docs");
  expect(served.servedName("web", "fetch.page")).toBe("fetch.page");
  expect(served.servedName("docs", "fetch.page")).toBeUndefined();
  expect(() => new ServedNames([{ server: "web", item: tool("search") }, { server: "docs", item: tool("search") }], false, "tool")).toThrow(
    '--no-prefix: servers "docs" and "web" both offer a tool named "search"',
  );
  const resources = servedResources([{ server: "docs", resources: [{ uri: "docs://a", name: "a" }], templates: [{ uriTemplate: "docs://n/{id}", name: "n" }] }], false);
  expect(resources.resources.map((r) => r.name)).toEqual(["a"]);
  expect(resources.templates.map((t) => t.name)).toEqual(["n"]);
  expect(resources.templateOwner("docs://n/{id}")).toBe("docs");
});
