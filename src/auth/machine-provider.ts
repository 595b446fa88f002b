// Logins without a person (CI, containers, servers): the OAuth client_credentials grant, with a
// client secret (client_secret_basic) or a private key (private_key_jwt). The SDK's providers fetch
// a token when the server first asks and again when it expires; nothing is stored between runs.
import { createPrivateKey } from "node:crypto";
import { readBoundedText } from "../files/bounded-read.ts";
import { ClientCredentialsProvider, type OAuthClientProvider, PrivateKeyJwtProvider } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { expandVars, requireEnvVar } from "../config/expand.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { ConfigError } from "../errors.ts";
import { withProcessDpop } from "./dpop.ts";

/** A PEM key is a few KiB; anything much larger is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
const DEFAULT_KEY_ALGORITHM = "RS256";

/** The provider for a machine login, with DPoP (../dpop.ts) when the server entry or its authorization server wants it. */
export function machineLoginProvider(ctx: Context, server: HttpServerConfig): OAuthClientProvider {
  return withProcessDpop(clientCredentialsProvider(ctx, server), server.name, server.oauth.dpop);
}

function clientCredentialsProvider(ctx: Context, server: HttpServerConfig): OAuthClientProvider {
  const { clientId, clientSecretEnvVar, privateKeyFile, privateKeyAlg, scopes } = server.oauth;
  const where = `server "${server.name}"`;
  const common = { clientId: clientId!, clientName: "tether", scope: scopes?.join(" ") || undefined };
  if (clientSecretEnvVar) {
    return new ClientCredentialsProvider({ ...common, clientSecret: requireEnvVar(ctx.env, clientSecretEnvVar, `${where} oauth_client_secret_env_var`) });
  }
  const path = expandVars(privateKeyFile!, ctx.env, `${where} oauth_private_key_file`);
  const privateKey = readKeyFile(path, where);
  return new PrivateKeyJwtProvider({ ...common, privateKey, algorithm: privateKeyAlg ?? algorithmOf(privateKey, path, where) });
}

/** The JWS algorithm a key implies, so `oauth_private_key_alg` is needed only to pick among several. */
export function algorithmOf(pem: string, path: string, where: string, setting = "oauth_private_key_file"): string {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError(`${where}: ${setting} ${path} holds no PEM private key`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  switch (key.asymmetricKeyType) {
    case "ec":
      return curve === "secp384r1" ? "ES384" : curve === "secp521r1" ? "ES512" : "ES256";
    case "ed25519":
      return "EdDSA";
    default:
      return DEFAULT_KEY_ALGORITHM;
  }
}

export function readKeyFile(path: string, where: string, key = "oauth_private_key_file"): string {
  const pem = readBoundedText(path, { maxBytes: MAX_KEY_FILE_BYTES, limitName: "a key file's size limit", notAFileHint: `point ${key} at a PEM file` });
  if (pem === undefined) throw new ConfigError(`${where}: ${key} ${path} does not exist`);
  return pem;
}
