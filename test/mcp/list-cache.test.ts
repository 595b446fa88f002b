// The list cache's store (src/mcp/list-cache.ts): freshness on the run's clock, scope, keying,
// bounds, file mode, and that no secret reaches the file.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HttpServerConfig, StdioServerConfig } from "../../src/config/types.ts";
import { authorizationContext, FileListCache, listCachePath, MAX_CACHE_FILE_BYTES } from "../../src/mcp/list-cache.ts";
import { createTestContext } from "../support/context.ts";

let home: string;
let clock: number;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "tether-list-cache-"));
  clock = Date.parse("2026-12-01T10:00:00Z");
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const context = (env: Record<string, string> = {}) =>
  createTestContext({ env: { HOME: home, TETHER_HOME: join(home, ".tether"), ...env }, cwd: home, now: () => clock });

const common = { enabled: true, required: false, startupTimeoutSec: 10, toolTimeoutSec: 60, toolMaxTotalTimeoutSec: 3600, disabledTools: [], approveTools: [] };
const stdio = (extra: Partial<StdioServerConfig> = {}): StdioServerConfig => ({
  ...common,
  name: "fx",
  transport: "stdio",
  command: "fixture",
  args: [],
  env: {},
  envVars: [],
  ...extra,
});
const http = (extra: Partial<HttpServerConfig> = {}): HttpServerConfig => ({
  ...common,
  name: "web",
  transport: "http",
  url: "http://127.0.0.1:9/mcp",
  httpHeaders: {},
  envHttpHeaders: {},
  oauth: { grant: "authorization_code" },
  ...extra,
});

const TOOLS = JSON.stringify({ tools: [{ name: "echo", inputSchema: { type: "object" } }] });
const key = (principal = "") => ({ method: "tools/list", params: "", partition: JSON.stringify(["fixture@1.0.0", principal]) });

describe("FileListCache", () => {
  test("fresh for the ttl on the run's clock, then stale; the SDK sees the translated expiry", () => {
    const ctx = context();
    new FileListCache(ctx, stdio()).set(key(), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "public" });
    clock += 59_000;
    const fresh = new FileListCache(ctx, stdio());
    expect(fresh.freshList("tools", "")).toEqual({ items: [{ name: "echo", inputSchema: { type: "object" } }], at: clock - 59_000 });
    expect(fresh.get(key())!.expiresAt!).toBeGreaterThan(Date.now());
    clock += 2_000;
    const stale = new FileListCache(ctx, stdio());
    expect(stale.freshList("tools", "")).toBeUndefined();
    expect(stale.get(key())!.expiresAt!).toBeLessThanOrEqual(Date.now());
  });

  test("ttl 0 is stale at once", () => {
    const ctx = context();
    new FileListCache(ctx, stdio()).set(key(), { value: TOOLS, expiresAt: Date.now(), scope: "public" });
    expect(new FileListCache(ctx, stdio()).freshList("tools", "")).toBeUndefined();
  });

  test("cacheScope: a private list only for its principal, a public one for anyone", () => {
    const ctx = context();
    const cache = new FileListCache(ctx, http());
    cache.set(key("alice"), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "private" });
    expect(new FileListCache(ctx, http()).freshList("tools", "alice")).toBeDefined();
    expect(new FileListCache(ctx, http()).freshList("tools", "bob")).toBeUndefined();
    expect(new FileListCache(ctx, http()).freshList("tools", undefined)).toBeUndefined();
    cache.set(key(), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "public" });
    expect(new FileListCache(ctx, http()).freshList("tools", "bob")).toBeDefined();
  });

  test("list_changed (the SDK's delete) and evict drop the list", () => {
    const ctx = context();
    const cache = new FileListCache(ctx, stdio());
    cache.set(key(), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "public" });
    cache.delete(key());
    expect(new FileListCache(ctx, stdio()).freshList("tools", "")).toBeUndefined();
    cache.set(key(), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "public" });
    cache.evict("tools/list");
    expect(new FileListCache(ctx, stdio()).freshList("tools", "")).toBeUndefined();
  });

  test("resource contents stay in memory; lists go to a 0600 file in a 0700 directory", () => {
    const ctx = context();
    const cache = new FileListCache(ctx, stdio());
    cache.set({ method: "resources/read", params: "file:///secret", partition: "" }, { value: '{"contents":[{"text":"private"}]}', expiresAt: Date.now() + 60_000 });
    expect(existsSync(join(home, ".tether", "cache"))).toBe(false);
    expect(cache.get({ method: "resources/read", params: "file:///secret", partition: "" })?.value).toContain("private");
    cache.set(key(), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "public" });
    expect(statSync(cache.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, ".tether", "cache", "lists")).mode & 0o777).toBe(0o700);
    expect(readFileSync(cache.path, "utf8")).not.toContain("private");
  });

  test("bounded: at most 16 entries; a list too big for the file stays in memory", () => {
    const ctx = context();
    const cache = new FileListCache(ctx, stdio());
    for (let i = 0; i < 40; i++) cache.set(key(`p${i}`), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "private" });
    expect(JSON.parse(readFileSync(cache.path, "utf8")).entries.length).toBe(16);
    const huge = JSON.stringify({ tools: [{ name: "x", description: "y".repeat(MAX_CACHE_FILE_BYTES) }] });
    cache.set(key("big"), { value: huge, expiresAt: Date.now() + 60_000, scope: "private" });
    expect(statSync(cache.path).size).toBeLessThanOrEqual(MAX_CACHE_FILE_BYTES);
    expect(JSON.parse(readFileSync(cache.path, "utf8")).entries.length).toBe(16);
    expect(cache.get(key("big"))?.value).toBe(huge);
  });
});

describe("keying", () => {
  test("one file per entry: another URL, command, argument or env value is another file", () => {
    const ctx = context({ REGION: "eu" });
    const base = listCachePath(ctx, stdio());
    expect(listCachePath(ctx, stdio())).toBe(base);
    expect(listCachePath(ctx, stdio({ command: "other" }))).not.toBe(base);
    expect(listCachePath(ctx, stdio({ args: ["--x"] }))).not.toBe(base);
    expect(listCachePath(ctx, stdio({ env: { REGION: "${REGION}" } }))).not.toBe(listCachePath(context({ REGION: "us" }), stdio({ env: { REGION: "${REGION}" } })));
    expect(listCachePath(ctx, http())).not.toBe(listCachePath(ctx, http({ url: "http://127.0.0.1:10/mcp" })));
    // The calling shell's PATH is not the server's identity.
    expect(listCachePath(context({ PATH: "/a" }), stdio())).toBe(listCachePath(context({ PATH: "/b" }), stdio()));
  });

  test("the authorization context is a digest: no header value or token in it", async () => {
    const alice = await authorizationContext({ headers: { Authorization: "Bearer alice-secret-token" } });
    const bob = await authorizationContext({ headers: { Authorization: "Bearer bob-secret-token" } });
    expect(alice).toMatch(/^[0-9a-f]{16}$/);
    expect(alice).not.toBe(bob);
    expect(await authorizationContext({ headers: {} })).toBe("");
    const ctx = context();
    const cache = new FileListCache(ctx, http());
    cache.set(key(alice), { value: TOOLS, expiresAt: Date.now() + 60_000, scope: "private" });
    expect(readFileSync(cache.path, "utf8")).not.toContain("secret");
  });
});
