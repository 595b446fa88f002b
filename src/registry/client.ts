// The MCP Registry API v0.1 (GET /v0.1/servers and /v0.1/servers/{name}/versions/{version}), read
// through ctx.fetch with a time bound and a size bound on every response.
import { readBoundedBody } from "../net/byte-limit.ts";
import type { Context } from "../context.ts";
import { ConnectionError, UsageError } from "../errors.ts";
import { terminalLine } from "../text/sanitize.ts";
import { isPlainObject } from "../values.ts";
import { readRegistryEntry, type RegistryEntry } from "./server-json.ts";

/** How long one registry request may take, start to last byte. */
export const REGISTRY_TIMEOUT_MS = 15_000;
/** The largest registry response tether reads (a page of 100 entries is well under 1 MiB). */
export const MAX_REGISTRY_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Search results per request, and the most a search may ask for (the official registry's cap). */
export const DEFAULT_SEARCH_LIMIT = 30;
export const MAX_SEARCH_LIMIT = 100;

export interface SearchOptions {
  registryUrl: string;
  term: string;
  limit: number;
}

export interface SearchResult {
  /** The entries as the registry sent them (for `--json`). */
  raw: unknown[];
  entries: RegistryEntry[];
  /** The registry has more matches than this page. */
  more: boolean;
}

/** Latest versions of the servers whose name (or description) contains `term`. */
export async function searchRegistry(ctx: Context, options: SearchOptions): Promise<SearchResult> {
  const query = new URLSearchParams({ search: options.term, version: "latest", limit: String(options.limit) });
  const body = await getJson(ctx, options.registryUrl, `/v0.1/servers?${query}`);
  if (!isPlainObject(body) || !Array.isArray(body.servers)) throw badResponse(options.registryUrl, "it has no 'servers' list");
  const entries = body.servers.map((item, i) => {
    const entry = readRegistryEntry(item);
    if (typeof entry === "string") throw badResponse(options.registryUrl, `servers[${i}]: ${entry}`);
    return entry;
  });
  const metadata = isPlainObject(body.metadata) ? body.metadata : {};
  return { raw: body.servers, entries, more: typeof metadata.nextCursor === "string" && metadata.nextCursor !== "" };
}

/** One version of a server (`latest` is the registry's latest), or a usage error naming what is missing. */
export async function getRegistryServer(ctx: Context, registryUrl: string, name: string, version: string): Promise<RegistryEntry> {
  const path = `/v0.1/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
  const body = await getJson(ctx, registryUrl, path, () =>
    version === "latest"
      ? new UsageError(`no server named "${name}" in the registry ${registryUrl}`, { hint: `find its name with: tether mcp registry search ${searchTermFor(name)}` })
      : new UsageError(`the registry ${registryUrl} has no version ${version} of "${name}"`, { hint: `leave out @${version} for the latest version` }),
  );
  const entry = readRegistryEntry(body);
  if (typeof entry === "string") throw badResponse(registryUrl, entry);
  return entry;
}

/** The part of a reverse-DNS name a search would find it by (`io.github.acme/weather` → weather). */
function searchTermFor(name: string): string {
  return name.split("/").at(-1) || name;
}

async function getJson(ctx: Context, registryUrl: string, path: string, notFound?: () => Error): Promise<unknown> {
  const url = registryUrl.replace(/\/+$/, "") + path;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(REGISTRY_TIMEOUT_MS)]);
  let response: Response;
  try {
    response = await ctx.fetch(url, { headers: { accept: "application/json" }, signal });
  } catch (error) {
    throw requestFailed(ctx, registryUrl, error);
  }
  if (response.status === 404 && notFound) {
    await response.body?.cancel();
    throw notFound();
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ConnectionError(`the registry ${registryUrl} answered HTTP ${response.status} to GET ${path.split("?")[0]}`, {
      hint: "try again later, or set registry_url in config.toml to another registry",
    });
  }
  let text: string;
  try {
    text = await readBoundedText(response, MAX_REGISTRY_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof ConnectionError) throw error;
    throw requestFailed(ctx, registryUrl, error);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badResponse(registryUrl, "it is not JSON");
  }
}

function requestFailed(ctx: Context, registryUrl: string, error: unknown): Error {
  if (ctx.signal.aborted) return ctx.signal.reason as Error;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new ConnectionError(`the registry ${registryUrl} did not answer within ${REGISTRY_TIMEOUT_MS / 1000} s`, {
      hint: "check your network (HTTPS_PROXY is honoured), or set registry_url in config.toml",
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(`cannot reach the registry ${registryUrl}: ${terminalLine(reason, 200)}`, {
    hint: "check your network (HTTPS_PROXY is honoured), or set registry_url in config.toml",
  });
}

function badResponse(registryUrl: string, what: string): ConnectionError {
  return new ConnectionError(`the registry ${registryUrl} sent an answer tether cannot read: ${terminalLine(what, 200)}`, {
    hint: "is registry_url an MCP Registry (API v0.1)?",
  });
}

/** The body as text, refusing it once it passes `limit` bytes (without reading the rest). */
async function readBoundedText(response: Response, limit: number): Promise<string> {
  const tooLarge = () =>
    new ConnectionError(`the registry's answer is larger than ${limit} bytes (MAX_REGISTRY_RESPONSE_BYTES)`, {
      hint: "search with a narrower term",
    });
  const declared = Number(response.headers.get("content-length"));
  if (declared > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const text = await readBoundedBody(response, limit);
  if (text === undefined) throw tooLarge();
  return text;
}
