// The provider every connection uses, where it lives: the clock decides when a token needs
// refreshing (never a sleep), the authorization server is a fetch stub (./token-endpoint.ts).
import { existsSync } from "node:fs";
import { expect, test } from "bun:test";
import { loginCommand } from "../../src/auth/login-command.ts";
import { refreshLockPath } from "../../src/auth/refresh-lock.ts";
import { RefreshFailedError } from "../../src/auth/refresh.ts";
import { storedLoginProvider, StoredLoginProvider } from "../../src/auth/stored-provider.ts";
import type { HttpServerConfig } from "../../src/config/types.ts";
import { AuthError } from "../../src/errors.ts";
import { writeConfig } from "../support/config.ts";
import { authWorldPerTest, ISSUER, LIFETIME_MS, SERVER_URL, storedLogin } from "./token-endpoint.ts";

const kit = authWorldPerTest();

/** The configured server, read the way commands read it (file store, as `mcp_oauth_credentials_store = "file"`). */
async function docsServer(): Promise<HttpServerConfig> {
  const { ctx } = kit.world;
  writeConfig(ctx.paths.config, { top: { mcp_oauth_credentials_store: "file" }, servers: { docs: { url: SERVER_URL } } });
  return (await ctx.config()).config.servers.find((server) => server.name === "docs") as HttpServerConfig;
}

/** A provider over a saved login (expiring in an hour from now). */
async function provider(overrides?: Parameters<typeof storedLogin>[1]): Promise<StoredLoginProvider> {
  const { world } = kit;
  const login = storedLogin(world.clock.now, overrides);
  await world.store.save(world.slot.key, login);
  return new StoredLoginProvider(world.ctx, world.slot, login);
}

async function failure(work: Promise<unknown> | (() => unknown)): Promise<AuthError> {
  const error = await (typeof work === "function" ? Promise.resolve().then(work) : work).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

test("a server without a stored login gets no provider; with one, the stored tokens", async () => {
  const server = await docsServer();
  expect(await storedLoginProvider(kit.world.ctx, server)).toBeUndefined();
  await kit.world.store.save(kit.world.slot.key, storedLogin(kit.world.clock.now));
  const found = await storedLoginProvider(kit.world.ctx, server);
  expect((await found?.tokens())?.access_token).toBe("at-0");
  expect(kit.world.endpoint.presented).toEqual([]);
});

test("a token far from expiry is used as it is", async () => {
  const p = await provider();
  kit.world.clock.now += LIFETIME_MS - 61_000;
  expect((await p.tokens())?.access_token).toBe("at-0");
  expect(kit.world.endpoint.presented).toEqual([]);
});

test("within a minute of expiry, concurrent requests share one refresh and all get the new token", async () => {
  const p = await provider();
  kit.world.clock.now += LIFETIME_MS - 59_000;
  const tokens = await Promise.all(Array.from({ length: 5 }, () => p.tokens()));
  expect(tokens.map((t) => t?.access_token)).toEqual(["at-1", "at-1", "at-1", "at-1", "at-1"]);
  expect(kit.world.endpoint.presented).toEqual(["rt-0"]);
  expect((await kit.world.store.load(kit.world.slot.key))?.tokens?.refresh_token).toBe("rt-1");
  // Fresh again: no further refresh until the new token nears its own expiry.
  await p.tokens();
  expect(kit.world.endpoint.presented).toEqual(["rt-0"]);
});

test("a refresh that fails for a passing reason keeps using a token that is still valid", async () => {
  const p = await provider();
  kit.world.endpoint.mode = "500";
  kit.world.clock.now += LIFETIME_MS - 30_000;
  expect((await p.tokens())?.access_token).toBe("at-0");
  expect(kit.world.ctx.stderr()).toBe("");
});

test("once expired, that failure is the command's error: try again or log in", async () => {
  const p = await provider();
  kit.world.endpoint.mode = "500";
  kit.world.clock.now += LIFETIME_MS + 1;
  const error = await failure(p.tokens());
  expect(error).toBeInstanceOf(RefreshFailedError);
  expect(error.hint).toBe(`try again later, or ${loginCommand("docs")}`);
  expect(`${error.message} ${error.hint}`).not.toMatch(/at-0|rt-0/);
});

test("an expired login the server rejects: log in again", async () => {
  const p = await provider();
  kit.world.endpoint.mode = "invalid_grant";
  kit.world.clock.now += LIFETIME_MS + 1;
  const error = await failure(p.tokens());
  expect(error.hint).toBe(loginCommand("docs"));
  expect(error.message).toContain("its credentials were deleted");
  expect((await kit.world.store.load(kit.world.slot.key))?.tokens).toBeUndefined();
});

test("a refresh the SDK drives holds the lock from clientInformation() until saveTokens(), and saves what it got", async () => {
  const p = await provider();
  const lock = refreshLockPath(kit.world.ctx.paths.home, kit.world.slot.key);
  expect((await p.clientInformation())?.client_id).toBe("tether-client");
  expect(existsSync(lock)).toBe(true);
  // During the round the SDK gets the stored tokens as they are: it refreshes itself.
  kit.world.clock.now += LIFETIME_MS + 1;
  expect((await p.tokens())?.access_token).toBe("at-0");
  await p.saveTokens({ access_token: "at-sdk", token_type: "Bearer", refresh_token: "rt-sdk", expires_in: 60 });
  expect(existsSync(lock)).toBe(false);
  const saved = await kit.world.store.load(kit.world.slot.key);
  expect(saved?.tokens).toMatchObject({ access_token: "at-sdk", refresh_token: "rt-sdk" });
  expect(saved?.expiresAt).toBe(kit.world.clock.now + 60_000);
  expect(kit.world.endpoint.presented).toEqual([]);
});

test("the SDK's round reads the newest login: one another tether saved meanwhile", async () => {
  const p = await provider();
  await kit.world.store.save(kit.world.slot.key, storedLogin(kit.world.clock.now, { tokens: { access_token: "at-other", token_type: "Bearer", refresh_token: "rt-other" } }));
  await p.clientInformation();
  expect((await p.tokens())?.access_token).toBe("at-other");
  await p.invalidateCredentials("verifier");
  expect(() => p.redirectToAuthorization()).toThrow(RefreshFailedError);
});

test("the SDK gave up refreshing: kept credentials and 'try again later'; with no refresh token, log in again", async () => {
  const withRefresh = await provider();
  const kept = await failure(() => withRefresh.redirectToAuthorization());
  expect(kept).toBeInstanceOf(RefreshFailedError);
  expect(kept.hint).toBe(`try again later, or ${loginCommand("docs")}`);

  const withoutRefresh = await provider({ tokens: { access_token: "at-0", token_type: "Bearer" } });
  const login = await failure(() => withoutRefresh.redirectToAuthorization());
  expect(login).not.toBeInstanceOf(RefreshFailedError);
  expect(login.hint).toBe(loginCommand("docs"));
});

test("credentials the SDK invalidates are deleted (a stub kept); the provider then asks for a login", async () => {
  const p = await provider();
  await p.clientInformation();
  await p.invalidateCredentials("all");
  expect(existsSync(refreshLockPath(kit.world.ctx.paths.home, kit.world.slot.key))).toBe(false);
  expect(await kit.world.store.load(kit.world.slot.key)).toEqual({ serverName: "docs", serverUrl: SERVER_URL, savedAt: kit.world.clock.now });
  const error = await failure(p.clientInformation());
  expect(error.message).toBe('server "docs": the authorization server rejected the stored login; its credentials were deleted');
  expect(error.hint).toBe(loginCommand("docs"));
  expect((await failure(() => p.codeVerifier())).hint).toBe(loginCommand("docs"));
});

test("when the protected resource names another authorization server, the login is dropped and the error says to log in (SEP-2352)", async () => {
  const p = await provider();
  const client = await p.clientInformation({ issuer: `${ISSUER}/` }); // the same issuer, written with a slash
  expect(client?.client_id).toBe("tether-client");
  await p.saveTokens({ access_token: "at-0", token_type: "Bearer", refresh_token: "rt-0", issuer: ISSUER } as never); // ends the round, stamped as the SDK does

  const error = await failure(p.clientInformation({ issuer: "https://new-as.example" }));
  expect(error.message).toBe(
    `server "docs": its authorization server changed from ${ISSUER} to https://new-as.example; the login with the old one was removed, ${loginCommand("docs")}`,
  );
  const left = await kit.world.store.load(kit.world.slot.key);
  expect(left?.tokens).toBeUndefined();
  expect(left?.clientInformation).toBeUndefined();
  // Nothing was sent anywhere: the old client id and tokens never reach the new server.
  expect(kit.world.endpoint.presented).toEqual([]);
  expect(existsSync(refreshLockPath(kit.world.ctx.paths.home, kit.world.slot.key))).toBe(false);
});
