// refreshStoredLogin where it lives: expiry is a moved clock, the authorization server a fetch stub
// (./token-endpoint.ts), the lock and the store real files under a temp TETHER_HOME.
import { describe, expect, test } from "bun:test";
import { loginCommand } from "../../src/auth/login-command.ts";
import { RefreshFailedError, refreshStoredLogin } from "../../src/auth/refresh.ts";
import { AuthError } from "../../src/errors.ts";
import { authWorldPerTest, LIFETIME_MS, storedLogin } from "./token-endpoint.ts";

const kit = authWorldPerTest();

/** Saves the login and moves the clock past its expiry; returns what this process holds. */
async function expiredLogin(overrides?: Parameters<typeof storedLogin>[1]) {
  const { world } = kit;
  const seen = storedLogin(world.clock.now, overrides);
  await world.store.save(world.slot.key, seen);
  world.clock.now += LIFETIME_MS + 1;
  return seen;
}

async function failure(work: Promise<unknown>): Promise<AuthError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

describe("a refresh that succeeds", () => {
  test("spends the refresh token once and saves the rotated one with the new expiry", async () => {
    const { world } = kit;
    const seen = await expiredLogin();
    const refreshed = await refreshStoredLogin(world.ctx, world.slot, seen);
    expect(refreshed.tokens).toMatchObject({ access_token: "at-1", refresh_token: "rt-1" });
    expect(refreshed.expiresAt).toBe(world.clock.now + LIFETIME_MS);
    expect(world.endpoint.presented).toEqual(["rt-0"]);
    const saved = await world.store.load(world.slot.key);
    expect(saved?.tokens).toMatchObject({ access_token: "at-1", refresh_token: "rt-1" });
    expect(saved?.savedAt).toBe(world.clock.now);
    // The next expiry refreshes with the rotated token.
    world.clock.now += LIFETIME_MS + 1;
    await refreshStoredLogin(world.ctx, world.slot, refreshed);
    expect(world.endpoint.presented).toEqual(["rt-0", "rt-1"]);
  });

  test("two tethers refreshing at once spend one refresh token; both get the new login", async () => {
    const { world } = kit;
    const seen = await expiredLogin();
    const other = world.otherProcess();
    const [mine, theirs] = await Promise.all([refreshStoredLogin(world.ctx, world.slot, seen), refreshStoredLogin(other.ctx, other.slot, seen)]);
    expect(world.endpoint.presented).toEqual(["rt-0"]);
    expect(mine.tokens?.access_token).toBe("at-1");
    expect(theirs.tokens?.access_token).toBe("at-1");
  });

  test("a login another tether already refreshed is taken as it is, without a request", async () => {
    const { world } = kit;
    const seen = await expiredLogin();
    const other = world.otherProcess();
    await refreshStoredLogin(other.ctx, other.slot, seen);
    const mine = await refreshStoredLogin(world.ctx, world.slot, seen);
    expect(mine.tokens?.refresh_token).toBe("rt-1");
    expect(world.endpoint.presented).toEqual(["rt-0"]);
  });
});

describe("a refresh that fails", () => {
  test("the server rejects the grant: log in again, the secrets are deleted and a stub kept", async () => {
    const { world } = kit;
    world.endpoint.mode = "invalid_grant";
    const seen = await expiredLogin();
    const error = await failure(refreshStoredLogin(world.ctx, world.slot, seen));
    expect(error).not.toBeInstanceOf(RefreshFailedError);
    expect(error.message).toStartWith('server "docs": the authorization server rejected the stored login (invalid_grant');
    expect(error.message).toEndWith("its credentials were deleted");
    expect(error.hint).toBe(loginCommand("docs"));
    // The server's description quoted the refresh token: the message never does.
    expect(error.message).not.toContain("rt-0");
    expect(await world.store.load(world.slot.key)).toEqual({ serverName: "docs", serverUrl: seen.serverUrl, savedAt: world.clock.now });
  });

  test("a server error keeps the credentials and says to try again or log in", async () => {
    const { world } = kit;
    world.endpoint.mode = "500";
    const seen = await expiredLogin();
    const error = await failure(refreshStoredLogin(world.ctx, world.slot, seen));
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(error.message).toStartWith('server "docs": could not refresh the OAuth access token (');
    expect(error.message).toEndWith("the stored credentials were kept");
    expect(error.hint).toBe(`try again later, or ${loginCommand("docs")}`);
    expect(`${error.message} ${error.hint}`).not.toMatch(/at-0|rt-0/);
    expect(await world.store.load(world.slot.key)).toEqual(seen);
  });

  test("no refresh token: log in again, without asking the server", async () => {
    const { world } = kit;
    const seen = await expiredLogin({ tokens: { access_token: "at-0", token_type: "Bearer" } });
    const error = await failure(refreshStoredLogin(world.ctx, world.slot, seen));
    expect(error.message).toBe('server "docs": the OAuth access token expired and there is no refresh token to renew it');
    expect(error.hint).toBe(loginCommand("docs"));
    expect(world.endpoint.presented).toEqual([]);
  });

  test("credentials removed meanwhile (logout in another tether): log in again", async () => {
    const { world } = kit;
    const seen = await expiredLogin();
    await world.store.delete(world.slot.key);
    const error = await failure(refreshStoredLogin(world.ctx, world.slot, seen));
    expect(error.message).toBe('server "docs": is no longer logged in (its stored credentials are gone)');
    expect(error.hint).toBe(loginCommand("docs"));
    expect(world.endpoint.presented).toEqual([]);
  });
});
