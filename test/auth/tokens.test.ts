// When a stored login needs a refresh, and what state `mcp list` shows for it.
import { describe, expect, test } from "bun:test";
import type { StoredCredentials } from "../../src/auth/store/credentials.ts";
import { needsRefresh, storedTokensOf, withNewTokens } from "../../src/auth/tokens.ts";

const NOW = 1_800_000_000_000;

function login(lifetimeSec: number | undefined, savedAgoSec = 0): StoredCredentials {
  const savedAt = NOW - savedAgoSec * 1000;
  return {
    serverName: "docs",
    serverUrl: "https://docs.example.com/mcp",
    tokens: { access_token: "at", token_type: "Bearer", refresh_token: "rt" },
    expiresAt: lifetimeSec === undefined ? undefined : savedAt + lifetimeSec * 1000,
    savedAt,
  };
}

describe("needsRefresh", () => {
  test("an hour-long token: refreshed within its last 60 s", () => {
    expect(needsRefresh(login(3600, 3600 - 61), NOW)).toBe(false);
    expect(needsRefresh(login(3600, 3600 - 60), NOW)).toBe(true);
    expect(needsRefresh(login(3600, 3601), NOW)).toBe(true);
  });

  test("a token shorter than two minutes: refreshed in the second half of its life, not on every request", () => {
    expect(needsRefresh(login(10, 0), NOW)).toBe(false);
    expect(needsRefresh(login(10, 4), NOW)).toBe(false);
    expect(needsRefresh(login(10, 5), NOW)).toBe(true);
  });

  test("no known expiry: never by the clock (the server's 401 decides)", () => {
    expect(needsRefresh(login(undefined, 99_999), NOW)).toBe(false);
  });
});

test("a token response is stored with an absolute expiry, everything else (issuer too) unchanged", () => {
  const response = { access_token: "at2", token_type: "Bearer", expires_in: 120, refresh_token: "rt2", scope: "a b", issuer: "https://as" };
  expect(storedTokensOf(response, NOW)).toEqual({
    tokens: { access_token: "at2", token_type: "Bearer", refresh_token: "rt2", scope: "a b", issuer: "https://as" },
    expiresAt: NOW + 120_000,
  });
  expect(withNewTokens(login(10), response, NOW)).toMatchObject({ expiresAt: NOW + 120_000, scopes: ["a", "b"], savedAt: NOW });
});
