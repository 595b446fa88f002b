// --rate-limit's parsing and who a request counts against (the counters: test/serve/state/rate-limit.test.ts).
import { describe, expect, test } from "bun:test";
import { issuerMetadataUrls, parseIssuerUrl } from "../../src/serve/oauth-issuer.ts";
import { parseRateLimit, rateSubject } from "../../src/serve/rate-limit.ts";

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
