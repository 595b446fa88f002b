// The cached tool, prompt and resource lists of each server entry (SEP-2549, `ttlMs` / `cacheScope`),
// kept across commands so `mcp call` need not list a server's tools before every call and `mcp grep`
// can search without starting any server.
//
// The SDK's Client does the caching itself: it serves a list from its `responseCacheStore` while the
// entry is fresh, computes freshness from the result's `ttlMs` (capped at 24 h), partitions entries by
// the server's identity and, for `cacheScope: "private"`, by the authorization context
// (`cachePartition`), and drops a list when the server says it changed (list_changed). This module is
// only that store, on disk: one 0600 JSON file per server entry, next to the completion-name cache.
//
// What is persisted: the four list results (tools, prompts, resources, resource templates). Resource
// contents (`resources/read`) and `server/discover` stay in memory for the one connection.
import { TetherError } from "../errors.ts";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { CacheEntry, CacheKey, CacheScope, ResponseCacheStore } from "@modelcontextprotocol/client";
import type { HttpServerConfig, ServerConfig } from "../config/types.ts";
import type { Context } from "../context.ts";
import { expandMap, requireEnvVar, serverUrl } from "../config/expand.ts";
import { ensureHomeDir, writeFileAtomic } from "../files/atomic.ts";
import { isPlainObject } from "../values.ts";
import type { HttpAuth } from "./http.ts";
import { launchParameters } from "./stdio-launch.ts";

/**
 * How long a list without `ttlMs` stays fresh: what a 2025 server sends (it has no `ttlMs`). The spec
 * says "assume 0 and rely on your own heuristics"; ours is five minutes, the completion cache's
 * freshness, cut short by any list_changed the server sends while tether is connected, and by a
 * call that fails as if the list were stale (operations.ts).
 */
export const DEFAULT_LIST_TTL_MS = 5 * 60_000;

/** The lists a server keeps: what changes (list_changed), and what the completion cache holds names of. */
export type ListKind = "tools" | "resources" | "prompts";

/** The list methods persisted, and the kind each one is. */
const LIST_METHODS: Record<string, ListKind | "templates"> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "templates",
};

/** Bounds on one server's file: entries (server identities × principals × methods) and bytes. */
const MAX_ENTRIES = 16;
export const MAX_CACHE_FILE_BYTES = 8 * 1024 * 1024;

interface StoredEntry {
  method: string;
  params: string;
  partition: string;
  /** The result document as the SDK encoded it. */
  value: string;
  scope?: CacheScope;
  /** When it was stored and until when it is fresh, both on ctx.now()'s clock. */
  at: number;
  freshUntil: number;
}

interface CacheFile {
  v: 1;
  entries: StoredEntry[];
  /** Kinds this server does not offer (no capability), with when that was seen: nothing to list or cache. */
  absent?: Partial<Record<ListKind, number>>;
}

function cacheDir(ctx: Context): string {
  return join(ctx.paths.home, "cache", "lists");
}

/** What must be the same for two runs to share a cache file, hashed: nothing of it is written out. */
function identity(ctx: Context, server: ServerConfig): unknown {
  if (server.transport === "stdio") {
    // The server's own variables only, not childEnvironment(): a changed PATH in the calling shell
    // is not a changed server.
    const where = `server "${server.name}"`;
    return {
      ...launchParameters(ctx, server),
      env: expandMap(server.env, ctx.env, `${where} env`),
      envVars: server.envVars.map((name) => [name, requireEnvVar(ctx.env, name, `${where} env_vars`)]),
    };
  }
  return { url: serverUrl(ctx, server as HttpServerConfig).href };
}

/**
 * One file per server entry of one config file: a digest of the config path, the whole entry, and
 * what it resolves to (command, arguments and the server's environment; or the URL). An edited
 * entry, or a ${VAR} that now expands differently, starts from an empty cache.
 */
export function listCachePath(ctx: Context, server: ServerConfig): string {
  const digest = sha256(JSON.stringify([ctx.paths.config, server, identity(ctx, server)])).slice(0, 32);
  return join(cacheDir(ctx), `${digest}.json`);
}

function sha256(text: string): string {
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}

/**
 * The authorization context a `cacheScope: "private"` list belongs to: a digest of the configured
 * header values (bearer tokens, API keys) and of the OAuth access token in use. Only this digest
 * (64 bits of a salted SHA-256) reaches the file, never a header or a token. A refreshed token is a
 * new context: private lists are fetched again then, which errs on the safe side.
 */
export async function authorizationContext(auth: HttpAuth | undefined): Promise<string> {
  if (!auth) return "";
  let token: string | undefined;
  try {
    token = (await auth.authProvider?.tokens())?.access_token;
  } catch (error) {
    // A login that is gone or cannot be renewed is the command's error, said as the connection would say it.
    if (error instanceof TetherError) throw error;
    // Unreadable: a context no other run has, so no private list is shared.
    token = crypto.randomUUID();
  }
  const values = Object.entries(auth.headers).sort(([a], [b]) => a.localeCompare(b));
  if (values.length === 0 && !token) return "";
  return sha256(JSON.stringify(["tether list cache", values, token ?? ""])).slice(0, 16);
}

function readCacheFile(path: string): CacheFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (isPlainObject(parsed) && parsed.v === 1 && Array.isArray(parsed.entries)) {
      const entries = parsed.entries.filter(
        (e): e is StoredEntry =>
          isPlainObject(e) &&
          typeof e.method === "string" &&
          typeof e.params === "string" &&
          typeof e.partition === "string" &&
          typeof e.value === "string" &&
          typeof e.at === "number" &&
          typeof e.freshUntil === "number",
      );
      const absent = isPlainObject(parsed.absent) ? (parsed.absent as CacheFile["absent"]) : undefined;
      return { v: 1, entries, ...(absent && { absent }) };
    }
  } catch {
    // Missing or damaged: as if nothing were cached.
  }
  return { v: 1, entries: [] };
}

function sameKey(entry: StoredEntry, key: CacheKey): boolean {
  return entry.method === key.method && entry.params === (key.params ?? "") && entry.partition === (key.partition ?? "");
}

/**
 * The SDK's ResponseCacheStore over one server entry's file. The SDK stamps `expiresAt` on its own
 * clock (Date.now); the file keeps freshness on ctx.now()'s, and each read translates back, so a
 * test's clock decides what is fresh.
 */
export class FileListCache implements ResponseCacheStore {
  private file: CacheFile | undefined;
  /** resources/read, server/discover: this connection only. */
  private readonly memory = new Map<string, CacheEntry>();
  private stamp = 0;
  /** One stamp per stored entry, stable while it is unchanged: the SDK re-derives its tool index when it moves. */
  private readonly stamps = new WeakMap<StoredEntry, number>();
  private readonly written = new Map<string, number>();

  constructor(
    private readonly ctx: Context,
    private readonly server: ServerConfig,
    readonly path: string = listCachePath(ctx, server),
  ) {}

  private load(): CacheFile {
    return (this.file ??= readCacheFile(this.path));
  }

  /** How many times `method` was stored by this run: a listing that stored nothing was served from here. */
  writes(method: string): number {
    return this.written.get(method) ?? 0;
  }

  get(key: CacheKey): CacheEntry | undefined {
    if (!(key.method in LIST_METHODS)) return this.memory.get(memoryKey(key));
    const entry = this.load().entries.find((e) => sameKey(e, key));
    if (!entry) return this.memory.get(memoryKey(key));
    const remaining = entry.freshUntil - this.ctx.now();
    // The SDK's clock, as this.set() explains.
    let stamp = this.stamps.get(entry);
    if (stamp === undefined) this.stamps.set(entry, (stamp = ++this.stamp));
    return { value: entry.value, stamp, expiresAt: Date.now() + remaining, ...(entry.scope && { scope: entry.scope }) };
  }

  set(key: CacheKey, entry: { value: string; expiresAt?: number; scope?: CacheScope }): number {
    const stamp = ++this.stamp;
    // Not persisted: resource contents and discovery, and a list too big for the file (this
    // connection still has it).
    if (!(key.method in LIST_METHODS) || Buffer.byteLength(entry.value) > MAX_CACHE_FILE_BYTES / 2) {
      if (key.method in LIST_METHODS) this.delete(key);
      this.memory.set(memoryKey(key), { ...entry, stamp });
      return stamp;
    }
    this.written.set(key.method, this.writes(key.method) + 1);
    const now = this.ctx.now();
    // The SDK computed expiresAt as Date.now() + ttlMs (at most 24 h): keep the ttl, on our clock.
    const ttl = entry.expiresAt === undefined ? 0 : Math.max(0, entry.expiresAt - Date.now());
    const stored: StoredEntry = {
      method: key.method,
      params: key.params ?? "",
      partition: key.partition ?? "",
      value: entry.value,
      ...(entry.scope && { scope: entry.scope }),
      at: now,
      freshUntil: now + ttl,
    };
    this.stamps.set(stored, stamp);
    const file = this.load();
    file.entries = [stored, ...file.entries.filter((e) => !sameKey(e, key))];
    const kind = LIST_METHODS[key.method];
    if (kind && kind !== "templates" && file.absent?.[kind] !== undefined) delete file.absent[kind];
    this.save();
    return stamp;
  }

  delete(key: CacheKey): void {
    this.memory.delete(memoryKey(key));
    if (!(key.method in LIST_METHODS)) return;
    const file = this.load();
    const kept = file.entries.filter((e) => !sameKey(e, key));
    if (kept.length === file.entries.length) return;
    file.entries = kept;
    this.save();
  }

  evict(method: string): void {
    if (!(method in LIST_METHODS)) {
      for (const key of [...this.memory.keys()]) if (key.startsWith(`${method}\0`)) this.memory.delete(key);
      return;
    }
    this.forget([method]);
  }

  clear(): void {
    this.memory.clear();
    this.forget(Object.keys(LIST_METHODS));
  }

  /** Drops every cached list of these methods, all partitions (evict, clear: the SDK calls neither on a store it was given). */
  private forget(methods: string[]): void {
    const file = this.load();
    const kept = file.entries.filter((e) => !methods.includes(e.method));
    if (kept.length === file.entries.length) return;
    file.entries = kept;
    this.save();
  }

  /** Records that the server offers no `kind` (no capability), so grep need not ask it for a while. */
  markAbsent(kinds: ListKind[]): void {
    if (kinds.length === 0) return;
    const file = this.load();
    file.absent = { ...file.absent };
    for (const kind of kinds) file.absent[kind] = this.ctx.now();
    this.save();
  }

  /**
   * The freshest cached list of `kind` usable in this authorization context, without connecting: a
   * public entry, or a private one of `principal` (undefined: public ones only). For `mcp grep`.
   */
  freshList(kind: ListKind, principal: string | undefined): { items: unknown[]; at: number } | "absent" | undefined {
    const file = this.load();
    const now = this.ctx.now();
    const seenAbsent = file.absent?.[kind];
    if (seenAbsent !== undefined && now - seenAbsent < DEFAULT_LIST_TTL_MS) return "absent";
    const method = Object.keys(LIST_METHODS).find((m) => LIST_METHODS[m] === kind)!;
    const usable = file.entries
      .filter((e) => e.method === method && e.params === "" && now < e.freshUntil)
      .filter((e) => e.scope === "public" || (principal !== undefined && partitionPrincipal(e.partition) === principal))
      .sort((a, b) => b.at - a.at)[0];
    if (!usable) return undefined;
    try {
      const value: unknown = JSON.parse(usable.value);
      const items = isPlainObject(value) ? value[kind] : undefined;
      return Array.isArray(items) ? { items, at: usable.at } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Writes the file (0600, atomically, without fsync: losing it costs one listing). Bounded: the
   * newest entries first, at most MAX_ENTRIES and MAX_CACHE_FILE_BYTES; what does not fit is dropped.
   * Best effort: a read-only home only costs the next command a listing.
   */
  private save(): void {
    const file = this.load();
    file.entries = file.entries.slice(0, MAX_ENTRIES);
    let text = `${JSON.stringify(file)}\n`;
    while (Buffer.byteLength(text) > MAX_CACHE_FILE_BYTES && file.entries.length > 0) {
      file.entries.pop();
      text = `${JSON.stringify(file)}\n`;
    }
    try {
      if (file.entries.length === 0 && !file.absent) {
        rmSync(this.path, { force: true });
        return;
      }
      ensureHomeDir(this.ctx.paths.home);
      // writeFileAtomic makes the cache directory (0700).
      writeFileAtomic(this.path, text, 0o600, { durable: false });
    } catch (error) {
      this.ctx.log.debug(`could not cache the lists of server "${this.server.name}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function memoryKey(key: CacheKey): string {
  return `${key.method}\0${key.params ?? ""}\0${key.partition ?? ""}`;
}

/** The principal half of the SDK's `[serverIdentity, principal]` partition. */
function partitionPrincipal(partition: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(partition);
    return Array.isArray(parsed) && typeof parsed[1] === "string" ? parsed[1] : undefined;
  } catch {
    return undefined;
  }
}
