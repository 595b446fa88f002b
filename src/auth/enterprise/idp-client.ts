// How tether authenticates to the enterprise IdP as `oauth_idp_client_id`: a client secret from
// `oauth_idp_client_secret_env_var`, a private key (`oauth_idp_private_key_file`, private_key_jwt,
// RFC 7523 client assertion signed by the SDK's createPrivateKeyJwtAuth), or nothing (a public client).
import { type AddClientAuthentication, createPrivateKeyJwtAuth, type FetchLike, type OAuthClientInformationMixed } from "@modelcontextprotocol/client";
import type { Context } from "../../context.ts";
import { expandVars, requireEnvVar } from "../../config/expand.ts";
import type { EnterpriseServer } from "../../config/types.ts";
import { algorithmOf, readKeyFile } from "../machine-provider.ts";

export interface IdpClient {
  information: OAuthClientInformationMixed;
  /** private_key_jwt: adds client_assertion to a token request. */
  addClientAuthentication?: AddClientAuthentication;
  /** What must never appear in a message. */
  secrets: string[];
}

export function idpClient(ctx: Context, server: EnterpriseServer): IdpClient {
  const settings = server.oauth.enterprise;
  const where = `server "${server.name}"`;
  if (settings.idpClientSecretEnvVar) {
    const secret = requireEnvVar(ctx.env, settings.idpClientSecretEnvVar, `${where} oauth_idp_client_secret_env_var`);
    return { information: { client_id: settings.idpClientId, client_secret: secret }, secrets: [secret] };
  }
  if (settings.idpPrivateKeyFile) {
    const path = expandVars(settings.idpPrivateKeyFile, ctx.env, `${where} oauth_idp_private_key_file`);
    const privateKey = readKeyFile(path, where, "oauth_idp_private_key_file");
    const addClientAuthentication = createPrivateKeyJwtAuth({
      issuer: settings.idpClientId,
      subject: settings.idpClientId,
      privateKey,
      alg: algorithmOf(privateKey, path, where, "oauth_idp_private_key_file"),
      audience: settings.idpIssuer,
    });
    return { information: { client_id: settings.idpClientId }, addClientAuthentication, secrets: [privateKey] };
  }
  return { information: { client_id: settings.idpClientId }, secrets: [] };
}

/**
 * The SDK's token exchange (requestJwtAuthorizationGrant) sends a client secret or nothing; for a
 * private key, its requests to `tokenEndpoint` get the SDK's client assertion added on the way out.
 */
export function withClientAssertion(fetchFn: FetchLike, client: IdpClient, tokenEndpoint: string): FetchLike {
  const add = client.addClientAuthentication;
  if (!add) return fetchFn;
  const target = new URL(tokenEndpoint).href;
  return async (url, init) => {
    if (new URL(String(url)).href !== target || typeof init?.body !== "string") return fetchFn(url, init);
    const params = new URLSearchParams(init.body);
    const headers = new Headers(init.headers);
    await add(headers, params, target);
    return fetchFn(url, { ...init, headers, body: params.toString() });
  };
}
