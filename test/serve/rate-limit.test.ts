// --rate-limit's parsing, who a request counts against, and the in-memory sliding-window counter.
import { describe, expect, test } from "bun:test";
import { issuerMetadataUrls, parseIssuerUrl } from "../../src/serve/oauth-issuer.ts";
import { parseRateLimit, rateSubject } from "../../src/serve/rate-limit.ts";
import { MemoryRateCounter } from "../../src/serve/rate-limit-memory.ts";

describe("parseRateLimit", () => {
  test("N per second, minute or hour", () => {
    expect(parseRateLimit("600/min")).toEqual({ limit: 600, windowMs: 60_000 });
    expect(parseRateLimit(" 5 / s ")).toEqual({ limit: 5, windowMs: 1_000 });
    expect(parseRateLimit("10/hour")).toEqual({ limit: 10, windowMs: 3_600_000 });
  });
  test("anything else is a usage error naming the source", () => {
    for (const bad of ["0/min", "10", "ten/min", "10/fortnight", "-1/min"]) expect(() => parseRateLimit(bad)).toThrow("--rate-limit wants N/min");
    expect(() => parseRateLimit("x", "[serve] rate_limit")).toThrow('[serve] rate_limit wants N/min (requests per minute per client, e.g. 600/min), got "x"');
  });
});

test("a request counts against its OAuth subject, else its token (as a digest), else its address", () => {
  expect(rateSubject({ subject: "alice", authorization: "Bearer t", peer: "10.0.0.1" })).toBe("sub:alice");
  const byToken = rateSubject({ authorization: "Bearer secret-token", peer: "10.0.0.1" });
  expect(byToken).toStartWith("token:");
  expect(byToken).not.toContain("secret-token");
  expect(rateSubject({ authorization: null, peer: "10.0.0.1" })).toBe("peer:10.0.0.1");
});

describe("MemoryRateCounter", () => {
  test("allows `limit` per window, then says how long to wait; subjects are counted apart", async () => {
    let now = 60_000;
    const counter = new MemoryRateCounter(() => now);
    const hits = async (subject: string, n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push((await counter.hit(subject, 3, 60_000)).allowed);
      return out;
    };
    expect(await hits("a", 4)).toEqual([true, true, true, false]);
    expect(await hits("b", 1)).toEqual([true]);
    now += 30_000;
    const refused = await counter.hit("a", 3, 60_000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  test("a sliding window: the previous window still counts for the part of it inside the last minute", async () => {
    let now = 0;
    const counter = new MemoryRateCounter(() => now);
    for (let i = 0; i < 10; i++) await counter.hit("a", 10, 60_000);
    // Just past the edge a fixed window would allow 10 more at once; the sliding one one more.
    now = 60_000 + 6_000;
    expect([(await counter.hit("a", 10, 60_000)).allowed, (await counter.hit("a", 10, 60_000)).allowed]).toEqual([true, false]);
    // Halfway through the next window, half of the previous one has slid out: 1 + 5 counted, 4 more allowed.
    now = 60_000 + 30_000;
    const allowed = [];
    for (let i = 0; i < 10; i++) allowed.push((await counter.hit("a", 10, 60_000)).allowed);
    expect(allowed.filter(Boolean)).toHaveLength(4);
    // Two windows later, nothing of it is left.
    now = 3 * 60_000;
    expect((await counter.hit("a", 10, 60_000)).allowed).toBe(true);
  });
});

describe("the issuer", () => {
  test("https, or http on loopback only; no query or fragment", () => {
    expect(parseIssuerUrl("https://login.example.com").href).toBe("https://login.example.com/");
    expect(parseIssuerUrl("http://127.0.0.1:9000/realms/x").href).toBe("http://127.0.0.1:9000/realms/x");
    expect(() => parseIssuerUrl("http://login.example.com")).toThrow("must be https");
    expect(() => parseIssuerUrl("https://login.example.com/?tenant=1")).toThrow("no query or fragment");
    expect(() => parseIssuerUrl("login")).toThrow("wants the authorization server's issuer URL");
  });

  test("metadata is looked for where MCP clients look: RFC 8414 first, then OpenID discovery", () => {
    expect(issuerMetadataUrls(new URL("https://as.example.com")).map(String)).toEqual([
      "https://as.example.com/.well-known/oauth-authorization-server",
      "https://as.example.com/.well-known/openid-configuration",
    ]);
    expect(issuerMetadataUrls(new URL("https://as.example.com/realms/team/")).map(String)).toEqual([
      "https://as.example.com/.well-known/oauth-authorization-server/realms/team",
      "https://as.example.com/.well-known/openid-configuration/realms/team",
      "https://as.example.com/realms/team/.well-known/openid-configuration",
    ]);
  });
});
