// `tether mcp serve` settings: a flag wins, else its [serve] key, else the default; HTTP-only
// flags on stdio are usage errors, HTTP-only config keys are simply unused there.
import { describe, expect, test } from "bun:test";
import { UsageError } from "../../src/errors.ts";
import { resolveServeOptions } from "../../src/serve/options.ts";

describe("resolveServeOptions", () => {
  test("defaults: stdio, prefixed names, every server", () => {
    expect(resolveServeOptions({}, {})).toEqual({ servers: undefined, toolSearch: false, prefix: true });
  });

  test("[serve] keys stand in for absent flags", () => {
    const options = resolveServeOptions({}, { http: ":8080", servers: ["a"], toolSearch: true, prefix: false, tokenEnvVar: "T", ssePollSec: 0 });
    expect(options).toEqual({ http: { host: "127.0.0.1", port: 8080 }, servers: ["a"], toolSearch: true, prefix: false, tokenEnvVar: "T", ssePollSeconds: 0 });
  });

  test("every HTTP setting has its key: token, origins, deadlines, caps, sessions", () => {
    const options = resolveServeOptions(
      {},
      {
        http: "127.0.0.1:1",
        token: false,
        allowOrigins: ["https://app.example.com/"],
        bodyTimeoutSec: 5,
        maxConnectionsPerPeer: 4,
        eventStoreBytes: 1024,
        perSessionUpstreams: ["a"],
        maxUpstreamSessions: 2,
        questionTimeoutSec: 60,
      },
    );
    expect(options).toMatchObject({
      token: false,
      allowOrigins: ["https://app.example.com"],
      bodyTimeoutSeconds: 5,
      maxConnectionsPerPeer: 4,
      eventStoreBytes: 1024,
      perSessionUpstreams: ["a"],
      maxUpstreamSessions: 2,
      questionTimeoutSeconds: 60,
    });
    expect(() => resolveServeOptions({}, { http: ":1", allowOrigins: ["app.example.com"] })).toThrow(
      '[serve] allow_origins wants an origin such as https://app.example.com or http://localhost:5173, got "app.example.com"',
    );
  });

  test("a flag wins over its key, false included", () => {
    const options = resolveServeOptions(
      { http: { host: "::1", port: 9 }, servers: ["b"], toolSearch: false, prefix: true, tokenEnvVar: "F", ssePollSeconds: 5 },
      { http: ":8080", servers: ["a"], toolSearch: true, prefix: false, tokenEnvVar: "T", ssePollSec: 0 },
    );
    expect(options).toEqual({ http: { host: "::1", port: 9 }, servers: ["b"], toolSearch: false, prefix: true, tokenEnvVar: "F", ssePollSeconds: 5 });
  });

  test("--stdio serves stdio where [serve] http is set, and leaves its HTTP-only keys unused", () => {
    expect(resolveServeOptions({ stdio: true }, { http: ":8080", tokenEnvVar: "T", ssePollSec: 3 })).toEqual({
      servers: undefined,
      toolSearch: false,
      prefix: true,
    });
  });

  test("HTTP-only flags without HTTP, and --stdio with --http, are usage errors", () => {
    expect(() => resolveServeOptions({ ssePollSeconds: 3 }, {})).toThrow(new UsageError("--sse-poll needs --http (stdio has no network clients or SSE streams)"));
    expect(() => resolveServeOptions({ tokenEnvVar: "T", stdio: true }, { http: ":1" })).toThrow(/--token-env-var needs --http/);
    expect(() => resolveServeOptions({ stdio: true, http: { host: "127.0.0.1", port: 1 } }, {})).toThrow(/--stdio and --http/);
  });
  test("shared state: a flag replaces the config's URL either way; the key is required with it; URLs are checked without being shown", () => {
    const http = { host: "127.0.0.1", port: 1 };
    const config = { http: ":8080", stateEnvVar: "URL_VAR", stateKeyEnvVar: "KEY" };
    expect(resolveServeOptions({}, config)).toMatchObject({ state: undefined, stateEnvVar: "URL_VAR", stateKeyEnvVar: "KEY" });
    expect(resolveServeOptions({ state: "redis://h:1" }, config)).toMatchObject({ state: "redis://h:1", stateEnvVar: undefined, stateKeyEnvVar: "KEY" });
    expect(() => resolveServeOptions({ http, state: "redis://h:1", stateEnvVar: "V", stateKeyEnvVar: "K" }, {})).toThrow(/pick one/);
    expect(() => resolveServeOptions({ http, state: "redis://h:1" }, {})).toThrow(/--state needs --state-key-env-var/);
    expect(() => resolveServeOptions({ http, stateKeyEnvVar: "K" }, {})).toThrow(/--state-key-env-var needs --state/);
    expect(() => resolveServeOptions({}, { http: ":8080", state: "http://u:pw-not-shown@h:1", stateKeyEnvVar: "K" })).toThrow(/^\[serve\] state wants redis\[s\]:\/\/[^]*scheme/);
    expect(() => resolveServeOptions({ state: "redis://h:1", stateKeyEnvVar: "K" }, {})).toThrow(/--state needs --http/);
  });
});

describe("health, drain, OAuth and rate-limit settings", () => {
  test("[serve] keys stand in for the flags, parsed and checked", () => {
    const options = resolveServeOptions(
      {},
      {
        http: ":1",
        drainTimeoutSec: 5,
        authIssuer: "https://login.example.com",
        authAudience: "api://tether",
        authScopes: ["mcp:tools", "mcp:admin"],
        publicUrl: "https://mcp.example.com/mcp",
        rateLimit: "60/min",
      },
    );
    expect(options).toMatchObject({
      drainTimeoutSeconds: 5,
      authAudience: "api://tether",
      authScopes: ["mcp:tools", "mcp:admin"],
      rateLimit: { limit: 60, windowMs: 60_000 },
    });
    expect(options.authIssuer?.href).toBe("https://login.example.com/");
    expect(options.publicUrl?.href).toBe("https://mcp.example.com/mcp");
    expect(() => resolveServeOptions({}, { http: ":1", authIssuer: "http://login.example.com" })).toThrow("[serve] auth_issuer must be https");
    expect(() => resolveServeOptions({}, { http: ":1", rateLimit: "lots" })).toThrow("[serve] rate_limit wants N/min");
  });

  test("they are HTTP-only, and the token's description needs an issuer", () => {
    expect(() => resolveServeOptions({ drainTimeoutSeconds: 1 }, {})).toThrow(new UsageError("--drain-timeout needs --http (stdio has no network clients or SSE streams)"));
    expect(() => resolveServeOptions({ http: { host: "127.0.0.1", port: 1 }, authScopes: ["a"] }, {})).toThrow("--auth-scopes needs --auth-issuer");
    // Config keys without an issuer are simply unused.
    expect(resolveServeOptions({ http: { host: "127.0.0.1", port: 1 } }, { authScopes: ["a"] }).authScopes).toBeUndefined();
  });
});
