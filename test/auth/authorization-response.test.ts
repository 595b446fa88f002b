// The authorization server's answer, as the listener and the paste path read it.
import { describe, expect, test } from "bun:test";
import { parsePastedRedirect, readAuthorizationResponse } from "../../src/auth/login/authorization-response.ts";

const STATE = "s7at3-from-tether";
const callback = (query: string) => new URL(`http://127.0.0.1:4242/callback?${query}`);

describe("readAuthorizationResponse", () => {
  test("a code with the right state", () => {
    expect(readAuthorizationResponse(callback(`code=abc&state=${STATE}&iss=x`), STATE, "docs")).toEqual({ kind: "code", code: "abc", iss: "x" });
  });

  test("a wrong or missing state is ignored (the login keeps waiting), even for an error answer", () => {
    for (const query of ["code=abc&state=other", "code=abc", "error=access_denied&state=other"]) {
      const verdict = readAuthorizationResponse(callback(query), STATE, "docs");
      expect(verdict).toEqual({ kind: "ignore", reason: "its state is not the one this login sent (possible cross-site request)" });
    }
  });

  test("error= with the right state says what the server said", () => {
    const verdict = readAuthorizationResponse(callback(`error=access_denied&error_description=user+said+no&state=${STATE}`), STATE, "docs");
    expect(verdict.kind === "failure" && verdict.error.message).toBe("the authorization server refused the login: access_denied (user said no)");
  });

  test("no code and no error is not an answer at all", () => {
    expect(readAuthorizationResponse(callback("foo=bar"), STATE, "docs")).toEqual({
      kind: "ignore",
      reason: "it has neither code= nor error= in it",
    });
  });
});

describe("parsePastedRedirect", () => {
  test("a full URL, with stray spaces or quotes", () => {
    expect(parsePastedRedirect(`  "http://127.0.0.1:4242/callback?code=a&state=b"  `)?.searchParams.get("code")).toBe("a");
  });

  test("just the query string", () => {
    const url = parsePastedRedirect("?code=a&state=b");
    expect([url?.searchParams.get("code"), url?.searchParams.get("state")]).toEqual(["a", "b"]);
  });

  test("anything else is not a redirect", () => {
    expect(parsePastedRedirect("")).toBeUndefined();
    expect(parsePastedRedirect("where do I paste this")).toBeUndefined();
  });
});
