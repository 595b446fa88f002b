// An authorization server's metadata and token endpoint as a fetch stub (ctx.fetch), for the unit
// tests of refresh and the stored provider: every request is counted and answered in process, and
// each refresh rotates the refresh token as the fixture server does (test/support/oauth-server.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "bun:test";
import type { StoredCredentials } from "../../src/auth/store/credentials.ts";
import { FileCredentialStore } from "../../src/auth/store/file-store.ts";
import { credentialStoreKey } from "../../src/auth/store/credentials.ts";
import type { LoginSlot } from "../../src/auth/refresh.ts";
import { createTestContext, type TestContext } from "../support/context.ts";

export const ISSUER = "https://auth.example.test";
export const SERVER_URL = "https://mcp.example.test/mcp";
export const LIFETIME_MS = 3_600_000;

export type TokenMode = "ok" | "500" | "invalid_grant" | "hang";

export interface TokenEndpoint {
  fetch: typeof fetch;
  mode: TokenMode;
  /** Successful refreshes. */
  refreshes: number;
  /** The refresh token the server will accept next (rotation: each one is single-use). */
  validRefreshToken: string;
  /** Every refresh_token presented, in order. */
  presented: string[];
}

export function tokenEndpoint(): TokenEndpoint {
  const endpoint: TokenEndpoint = {
    mode: "ok",
    refreshes: 0,
    validRefreshToken: "rt-0",
    presented: [],
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin === ISSUER && url.pathname === "/.well-known/oauth-authorization-server") {
        return Response.json({
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/authorize`,
          token_endpoint: `${ISSUER}/token`,
          response_types_supported: ["code"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          code_challenge_methods_supported: ["S256"],
        });
      }
      if (url.origin === ISSUER && url.pathname === "/token" && init?.method === "POST") {
        const params = new URLSearchParams(String(init.body));
        const presented = params.get("refresh_token") ?? "";
        endpoint.presented.push(presented);
        if (endpoint.mode === "hang") return new Promise<Response>(() => {});
        if (endpoint.mode === "500") return Response.json({ error: "server_error", error_description: "try later" }, { status: 500 });
        if (endpoint.mode === "invalid_grant" || presented !== endpoint.validRefreshToken) {
          return Response.json({ error: "invalid_grant", error_description: `refresh token ${presented} is spent` }, { status: 400 });
        }
        const n = ++endpoint.refreshes;
        endpoint.validRefreshToken = `rt-${n}`;
        return Response.json({ access_token: `at-${n}`, token_type: "Bearer", refresh_token: `rt-${n}`, expires_in: LIFETIME_MS / 1000 });
      }
      return new Response("not found", { status: 404 });
    }) as typeof fetch,
  };
  return endpoint;
}

/** A login as `mcp login` stores it: access token at-0, refresh token rt-0, one hour to live from `now`. */
export function storedLogin(now: number, overrides: Partial<StoredCredentials> = {}): StoredCredentials {
  return {
    serverName: "docs",
    serverUrl: SERVER_URL,
    resourceUrl: SERVER_URL,
    clientInformation: { client_id: "tether-client", redirect_uris: ["http://127.0.0.1:33418/callback"] },
    tokens: { access_token: "at-0", token_type: "Bearer", refresh_token: "rt-0", issuer: ISSUER } as StoredCredentials["tokens"],
    expiresAt: now + LIFETIME_MS,
    savedAt: now,
    ...overrides,
  };
}

export interface AuthWorld {
  ctx: TestContext;
  endpoint: TokenEndpoint;
  slot: LoginSlot;
  store: FileCredentialStore;
  /** The clock every context of this test reads. */
  clock: { now: number };
  /** Another tether on the same TETHER_HOME (its own context, the same clock and server). */
  otherProcess(): { ctx: TestContext; slot: LoginSlot };
}

/** A temp TETHER_HOME, a file store with nothing in it, a stub authorization server and a clock, per test. */
export function authWorldPerTest(): { readonly world: AuthWorld } {
  let world: AuthWorld | undefined;
  let home: string | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "tether-auth-"));
    const tetherHome = join(home, ".tether");
    const clock = { now: Date.parse("2026-03-01T12:00:00Z") };
    const endpoint = tokenEndpoint();
    const store = new FileCredentialStore(join(tetherHome, ".credentials.json"));
    const key = credentialStoreKey("docs", SERVER_URL);
    const make = () => {
      const ctx = createTestContext({ env: { HOME: home!, TETHER_HOME: tetherHome }, cwd: home!, now: () => clock.now, fetch: endpoint.fetch });
      return { ctx, slot: { serverName: "docs", serverUrl: new URL(SERVER_URL), store, key } satisfies LoginSlot };
    };
    const { ctx, slot } = make();
    world = { ctx, endpoint, slot, store, clock, otherProcess: make };
  });
  afterEach(async () => {
    await world?.ctx.runCleanups(1_000);
    if (home) rmSync(home, { recursive: true, force: true });
    world = undefined;
  });
  return {
    get world() {
      if (!world) throw new Error("authWorldPerTest: used outside a test");
      return world;
    },
  };
}
