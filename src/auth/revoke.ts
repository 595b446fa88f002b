// Token revocation (RFC 7009) at the authorization server's advertised endpoint. The SDK has no
// helper for it; the client authentication method is chosen by the SDK's selectClientAuthMethod.
import { discoverAuthorizationServerMetadata, selectClientAuthMethod } from "@modelcontextprotocol/client";
import type { OAuthClientInformationMixed } from "@modelcontextprotocol/client";
import type { FetchLike } from "@modelcontextprotocol/client";
import { reasonOf } from "./auth-errors.ts";
import type { StoredCredentials } from "./store/credentials.ts";
import { issuerOf } from "./tokens.ts";

export type RevocationOutcome =
  | { kind: "revoked"; endpoint: string; tokens: number }
  | { kind: "not_advertised" }
  /** Revocation failed: a warning, never an error (SPEC §5). */
  | { kind: "failed"; reason: string };

export async function revokeStoredTokens(credentials: StoredCredentials, fetchFn: FetchLike): Promise<RevocationOutcome> {
  const issuer = issuerOf(credentials);
  const { tokens, clientInformation } = credentials;
  if (!issuer || !tokens || !clientInformation) return { kind: "not_advertised" };
  try {
    const metadata = await discoverAuthorizationServerMetadata(issuer, { fetchFn });
    // The SDK answers "nothing found" for unreachable servers too: that is a failure, not "no endpoint".
    if (!metadata) return { kind: "failed", reason: `no authorization server metadata could be read from ${issuer}` };
    // RFC 8414 fields; OpenID discovery documents may carry them too, so read them from either shape.
    const fields = metadata as { revocation_endpoint?: unknown; revocation_endpoint_auth_methods_supported?: unknown };
    const endpoint = typeof fields.revocation_endpoint === "string" ? fields.revocation_endpoint : undefined;
    if (!endpoint) return { kind: "not_advertised" };
    const methods = stringList(fields.revocation_endpoint_auth_methods_supported) ?? metadata.token_endpoint_auth_methods_supported ?? [];
    // The refresh token first: revoking it ends the whole grant at most servers.
    const order = [
      ["refresh_token", tokens.refresh_token],
      ["access_token", tokens.access_token],
    ] as const;
    let revoked = 0;
    for (const [hint, token] of order) {
      if (!token) continue;
      await revokeOne(fetchFn, endpoint, token, hint, clientInformation, methods);
      revoked++;
    }
    return { kind: "revoked", endpoint, tokens: revoked };
  } catch (error) {
    return { kind: "failed", reason: reasonOf(error, credentials) };
  }
}

async function revokeOne(
  fetchFn: FetchLike,
  endpoint: string,
  token: string,
  hint: string,
  client: OAuthClientInformationMixed,
  methods: string[],
): Promise<void> {
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" });
  const body = new URLSearchParams({ token, token_type_hint: hint });
  const method = selectClientAuthMethod(client, methods);
  if (method === "client_secret_basic" && client.client_secret) {
    headers.set("Authorization", `Basic ${btoa(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`)}`);
  } else {
    body.set("client_id", client.client_id);
    if (method === "client_secret_post" && client.client_secret) body.set("client_secret", client.client_secret);
  }
  const response = await fetchFn(endpoint, { method: "POST", headers, body });
  await response.body?.cancel();
  // RFC 7009 §2.2: 200 for revoked and for unknown tokens alike.
  if (!response.ok) throw new Error(`${new URL(endpoint).host} answered HTTP ${response.status}`);
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}
