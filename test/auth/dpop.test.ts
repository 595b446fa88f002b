// DPoP (RFC 9449): when it is on, and the key pair kept with a login: through the 0600 file store
// and back it signs proofs with the same thumbprint, and its private part is a secret like a token.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import type { AuthorizationServerMetadata } from "@modelcontextprotocol/client";
import { dpopAlgFor, dpopSessionOf, newDpopKey } from "../../src/auth/dpop.ts";
import { createCredentialStore, credentialStoreKey } from "../../src/auth/store/index.ts";
import { isStoredCredentials, redactSecrets, secretsOf } from "../../src/auth/store/credentials.ts";
import { AuthError } from "../../src/errors.ts";
import { sampleCredentials, tempHome } from "./fixtures.ts";

let home: string;
let cleanup: () => void;
beforeEach(() => ({ home, cleanup } = tempHome()));
afterEach(() => cleanup());

const metadata = (algs?: unknown) =>
  ({ issuer: "https://as.example", authorization_endpoint: "https://as.example/a", token_endpoint: "https://as.example/t", response_types_supported: ["code"], ...(algs === undefined ? {} : { dpop_signing_alg_values_supported: algs }) }) as AuthorizationServerMetadata;

describe("when DPoP is on", () => {
  test("the authorization server's advertised algorithms turn it on, ES256 preferred", () => {
    expect(dpopAlgFor("docs", undefined, metadata(["RS256", "ES256"]))).toBe("ES256");
    expect(dpopAlgFor("docs", undefined, metadata(["PS256", "RS256"]))).toBe("RS256");
    expect(dpopAlgFor("docs", undefined, metadata(["ES384"]))).toBe("ES384");
  });

  test("nothing advertised (or an empty list) leaves it off unless oauth_dpop = true", () => {
    expect(dpopAlgFor("docs", undefined, metadata())).toBeUndefined();
    expect(dpopAlgFor("docs", undefined, metadata([]))).toBeUndefined();
    expect(dpopAlgFor("docs", undefined, undefined)).toBeUndefined();
    expect(dpopAlgFor("docs", true, metadata())).toBe("ES256");
    expect(dpopAlgFor("docs", true, undefined)).toBe("ES256");
  });

  test("oauth_dpop = false turns it off even where it is advertised", () => {
    expect(dpopAlgFor("docs", false, metadata(["ES256"]))).toBeUndefined();
  });

  test("only algorithms tether cannot sign with: off by default, an error naming the key when asked for", () => {
    expect(dpopAlgFor("docs", undefined, metadata(["ES256K", "none"]))).toBeUndefined();
    const asked = () => dpopAlgFor("docs", true, metadata(["ES256K"]));
    expect(asked).toThrow(AuthError);
    expect(asked).toThrow('server "docs": its authorization server accepts DPoP proofs signed with ES256K only');
  });
});

describe("the stored key", () => {
  test("survives the file store: loaded again, it signs proofs with the same thumbprint, and only its public half is in them", async () => {
    const { stored, session } = await newDpopKey("ES256");
    const store = createCredentialStore("file", { home, notice: () => {} });
    const key = credentialStoreKey("docs", sampleCredentials("docs").serverUrl);
    await store.save(key, sampleCredentials("docs", { dpopKey: stored }));

    const loaded = await createCredentialStore("file", { home, notice: () => {} }).load(key);
    expect(loaded?.dpopKey).toEqual(stored);
    const again = await dpopSessionOf(loaded!.dpopKey!);
    expect(again.thumbprint).toBe(session.thumbprint);
    expect(again.alg).toBe("ES256");

    const proof = await again.buildProof({ htm: "post", htu: "https://mcp.example/mcp?x=1", accessToken: "at" });
    const header = decodeProtectedHeader(proof);
    expect(header.typ).toBe("dpop+jwt");
    expect(header.jwk).not.toHaveProperty("d");
    expect(await calculateJwkThumbprint(header.jwk!, "sha256")).toBe(session.thumbprint);
    const { payload } = await jwtVerify(proof, await importJWK(header.jwk!, "ES256"));
    expect(payload).toMatchObject({ htm: "POST", htu: "https://mcp.example/mcp" });
    // Each proof is new (RFC 9449 §4.2): a different jti every time.
    const second = await again.buildProof({ htm: "POST", htu: "https://mcp.example/mcp" });
    expect((await jwtVerify(second, await importJWK(header.jwk!, "ES256"))).payload.jti).not.toBe(payload.jti);
  });

  test("an RSA key round-trips too", async () => {
    const { stored, session } = await newDpopKey("RS256");
    expect((await dpopSessionOf(JSON.parse(JSON.stringify(stored)))).thumbprint).toBe(session.thumbprint);
  });

  test("its private members are secrets: redacted from error text like a token", async () => {
    const { stored } = await newDpopKey("ES256");
    const credentials = sampleCredentials("docs", { dpopKey: stored });
    const d = stored.jwk.d!;
    expect(secretsOf(credentials)).toContain(d);
    expect(redactSecrets(`the server said: ${d}`, credentials)).toBe("the server said: [redacted]");
    expect(secretsOf(credentials)).not.toContain(stored.jwk.x);
  });

  test("a malformed key makes the entry unreadable, not a crash later", async () => {
    expect(isStoredCredentials(sampleCredentials("docs", { dpopKey: { alg: "ES256", jwk: { kty: "EC" } } as never }))).toBe(false);
    expect(isStoredCredentials(sampleCredentials("docs", { dpopKey: "key" as never }))).toBe(false);
    const { stored } = await newDpopKey("ES256");
    expect(isStoredCredentials(sampleCredentials("docs", { dpopKey: stored }))).toBe(true);
  });

  test("the credential file holds it in the server's own entry, as dpopKey", async () => {
    const { stored } = await newDpopKey("ES256");
    const store = createCredentialStore("file", { home, notice: () => {} });
    await store.save("docs|k", sampleCredentials("docs", { dpopKey: stored }));
    const file = join(home, ".credentials.json");
    expect(JSON.parse(readFileSync(file, "utf8"))["docs|k"].dpopKey).toEqual(stored);
  });
});
