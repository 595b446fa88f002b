// The device flow on its own (src/auth/login/device.ts), as another login (an IdP's) would call it:
// an injected fetch answers both endpoints, a sleep that only records, an AbortSignal for Ctrl-C.
import { describe, expect, test } from "bun:test";
import { deviceLogin, type DeviceFlowOptions } from "../../src/auth/login/device.ts";
import { AuthError, CancelledError } from "../../src/errors.ts";

const AS = "https://as.example";

interface Seen {
  url: string;
  authorization: string | null;
  body: Record<string, string>;
}

/** A fetch that answers the device authorization endpoint, then each token poll from `polls`. */
function stubServer(polls: { status: number; body: unknown }[], device: Record<string, unknown> = {}): { fetchFn: DeviceFlowOptions["fetchFn"]; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchFn: DeviceFlowOptions["fetchFn"] = async (url, init) => {
    const headers = new Headers(init?.headers);
    seen.push({ url: String(url), authorization: headers.get("authorization"), body: Object.fromEntries(new URLSearchParams(String(init?.body))) });
    const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (String(url) === `${AS}/device`) {
      return answer(200, { device_code: "dc-1", user_code: "ABCD-EFGH", verification_uri: `${AS}/activate`, expires_in: 300, interval: 2, ...device });
    }
    const next = polls.shift();
    if (!next) throw new Error("unexpected poll");
    return answer(next.status, next.body);
  };
  return { fetchFn, seen };
}

function options(fetchFn: DeviceFlowOptions["fetchFn"], signal = new AbortController().signal): DeviceFlowOptions & { waits: number[] } {
  let clock = 0;
  const waits: number[] = [];
  return {
    endpoints: { issuer: AS, device_authorization_endpoint: `${AS}/device`, token_endpoint: `${AS}/token`, token_endpoint_auth_methods_supported: ["client_secret_basic"] },
    client: { client_id: "cli", client_secret: "s3cret" },
    scope: "openid",
    resource: "https://mcp.example/mcp",
    fetchFn,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    signal,
    target: "the identity provider",
    retryHint: "run: tether mcp login fx",
    waits,
  };
}

describe("deviceLogin", () => {
  test("authenticates the client the same way at both endpoints, sends scope and resource, and returns the tokens", async () => {
    const { fetchFn, seen } = stubServer([
      { status: 400, body: { error: "authorization_pending" } },
      { status: 200, body: { access_token: "at-1", token_type: "Bearer", expires_in: 60 } },
    ]);
    const flow = options(fetchFn);
    const shown: string[] = [];
    const tokens = await deviceLogin(flow, (authorization) => void shown.push(authorization.userCode));
    expect(tokens.access_token).toBe("at-1");
    expect(shown).toEqual(["ABCD-EFGH"]);
    expect(flow.waits).toEqual([2000, 2000]);
    const basic = `Basic ${btoa("cli:s3cret")}`;
    expect(seen[0]).toEqual({ url: `${AS}/device`, authorization: basic, body: { scope: "openid", resource: "https://mcp.example/mcp" } });
    expect(seen[1]!.authorization).toBe(basic);
    expect(seen[1]!.body).toEqual({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: "dc-1", resource: "https://mcp.example/mcp" });
  });

  test("an unknown error from the token endpoint ends the login with the caller's hint", async () => {
    const { fetchFn } = stubServer([{ status: 400, body: { error: "invalid_grant", error_description: "nope" } }]);
    const error = await deviceLogin(options(fetchFn), () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe("device login to the identity provider failed: the token request failed: invalid_grant: nope");
    expect((error as AuthError).hint).toBe("run: tether mcp login fx");
  });

  test("an interval longer than the code's life (or past the timer limit) waits only until the code dies, then ends without a poll", async () => {
    const { fetchFn, seen } = stubServer([], { interval: 1e12 });
    const flow = options(fetchFn);
    const error = await deviceLogin(flow, () => {}).catch((e: unknown) => e);
    expect((error as AuthError).message).toBe("the device code for the identity provider expired before the login was approved (it lived 5 min)");
    expect(flow.waits).toEqual([300_000]);
    expect(seen.map((request) => request.url)).toEqual([`${AS}/device`]);
  });

  test("an abort during the wait between polls is a cancel (exit 130), not a failure", async () => {
    const { fetchFn } = stubServer([{ status: 400, body: { error: "authorization_pending" } }]);
    const controller = new AbortController();
    const flow = options(fetchFn, controller.signal);
    flow.sleep = (ms, signal) =>
      new Promise((_, reject) => {
        setTimeout(() => controller.abort(new CancelledError("interrupted")), 1);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        void ms;
      });
    const error = await deviceLogin(flow, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).exitCode).toBe(130);
  });
});
