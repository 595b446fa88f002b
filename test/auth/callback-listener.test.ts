// The loopback listener: 127.0.0.1 only, /callback only, and a page for every verdict.
import { afterEach, expect, test } from "bun:test";
import { networkInterfaces } from "node:os";
import { type CallbackListener, startCallbackListener } from "../../src/auth/login/callback-listener.ts";
import { AuthError } from "../../src/errors.ts";

let listener: CallbackListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

/** Addresses of this machine that are not loopback, where the listener must not answer. */
function externalAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal)
    .map((a) => (a!.family === "IPv6" ? `[${a!.address.split("%")[0]}]` : a!.address));
}

test("binds 127.0.0.1 only: reachable there, refused on every other address of the machine", async () => {
  listener = startCallbackListener(0, () => ({ kind: "code", code: "c" }));
  expect(listener.hostname).toBe("127.0.0.1");
  expect(listener.redirectUrl).toBe(`http://127.0.0.1:${listener.port}/callback`);
  expect((await fetch(`http://127.0.0.1:${listener.port}/callback?code=c`)).status).toBe(200);

  const others = [...externalAddresses(), "[::1]"];
  for (const address of others) {
    const outcome = await fetch(`http://${address}:${listener.port}/callback?code=c`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => `HTTP ${r.status}`,
      () => "refused",
    );
    expect({ address, outcome }).toEqual({ address, outcome: "refused" });
  }
});

test("answers the browser: success page, failure page, 404 elsewhere", async () => {
  const verdicts = [
    { kind: "code" as const, code: "c" },
    { kind: "failure" as const, error: new AuthError("the authorization server refused the login: access_denied <b>") },
  ];
  let next = 0;
  listener = startCallbackListener(0, () => verdicts[next++]!);
  const base = `http://127.0.0.1:${listener.port}`;

  const ok = await fetch(`${base}/callback?code=c`);
  expect(ok.status).toBe(200);
  expect(ok.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(await ok.text()).toContain("You can close this window and return to the terminal.");

  const failed = await fetch(`${base}/callback?error=x`);
  expect(failed.status).toBe(400);
  const body = await failed.text();
  expect(body).toContain("Login failed");
  expect(body).toContain("access_denied &#60;b&#62;");

  expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
  expect(next).toBe(2);
});

test("a port in use is an AuthError that says how to pick any free port", async () => {
  listener = startCallbackListener(0, () => ({ kind: "ignore", reason: "" }));
  const error = (() => {
    try {
      startCallbackListener(listener!.port, () => ({ kind: "ignore", reason: "" }));
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).message).toStartWith(`cannot listen on 127.0.0.1:${listener.port} for the OAuth callback`);
  expect((error as AuthError).hint).toBe("another program uses that port; set mcp_oauth_callback_port = 0 in config.toml for any free port");
});
