// DPoP (RFC 9449, SEP-1932): whether a server entry uses it, and its key pair as stored with its
// login. The SDK signs the proofs (token endpoint, every MCP request) and answers nonce challenges;
// tether only decides, keeps the key with the credentials, and hands the SDK a DpopSession for it.
import {
  DPOP_SUPPORTED_ALGS,
  type DpopAlg,
  DpopSession,
  generateDpopKeyPair,
  type AuthorizationServerMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
} from "@modelcontextprotocol/client";
import { AuthError } from "../errors.ts";
import { PUBLIC_JWK_MEMBERS, type StoredDpopKey } from "./store/credentials.ts";

/** Preferred first: ES256 is what RFC 9449's examples and most servers use, and the smallest proof. */
const PREFERENCE: readonly DpopAlg[] = ["ES256", ...DPOP_SUPPORTED_ALGS.filter((alg) => alg !== "ES256")];

/**
 * The algorithm to sign proofs with, or undefined when DPoP is off for this server: `oauth_dpop =
 * false` turns it off; otherwise it is on when the authorization server advertises
 * `dpop_signing_alg_values_supported` (non-empty) or `oauth_dpop = true` asks for it (then
 * proofs are sent even to a server that advertises nothing).
 */
export function dpopAlgFor(serverName: string, setting: boolean | undefined, metadata: AuthorizationServerMetadata | undefined): DpopAlg | undefined {
  if (setting === false) return undefined;
  // Not in the SDK's metadata type; its schema keeps unknown members.
  const advertised = (metadata as { dpop_signing_alg_values_supported?: unknown } | undefined)?.dpop_signing_alg_values_supported;
  const offered = Array.isArray(advertised) ? advertised.filter((alg): alg is string => typeof alg === "string") : [];
  const alg = PREFERENCE.find((candidate) => offered.includes(candidate));
  if (alg) return alg;
  if (setting !== true) return undefined;
  if (offered.length === 0) return "ES256";
  throw new AuthError(
    `server "${serverName}": its authorization server accepts DPoP proofs signed with ${offered.join(", ")} only, none of which tether can sign with`,
    { hint: `set oauth_dpop = false under [mcp_servers.${serverName}] to log in without DPoP` },
  );
}

/** A fresh key pair for a new login, exportable so it can be stored with the login's tokens. */
export async function newDpopKey(alg: DpopAlg): Promise<{ stored: StoredDpopKey; session: DpopSession }> {
  const keyPair = await generateDpopKeyPair({ alg, extractable: true });
  const { exportJWK } = await import("jose");
  const jwk = (await exportJWK(keyPair.privateKey)) as JsonWebKey;
  return { stored: { alg, jwk }, session: await DpopSession.create({ keyPair }) };
}

/** The SDK session for a stored key: the private key imported non-extractable, the public half derived. */
export async function dpopSessionOf(stored: StoredDpopKey): Promise<DpopSession> {
  const { importJWK, calculateJwkThumbprint } = await import("jose");
  const publicJwk = publicJwkOf(stored.jwk);
  const privateKey = (await importJWK({ ...stored.jwk, ext: false } as Parameters<typeof importJWK>[0], stored.alg)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk as Parameters<typeof importJWK>[0], stored.alg)) as CryptoKey;
  const thumbprint = await calculateJwkThumbprint(publicJwk as Parameters<typeof calculateJwkThumbprint>[0], "sha256");
  return DpopSession.create({ keyPair: { privateKey, publicKey, publicJwk: publicJwk as never, thumbprint, alg: stored.alg } });
}

function publicJwkOf(jwk: JsonWebKey): JsonWebKey {
  const source = jwk as Record<string, unknown>;
  return Object.fromEntries(PUBLIC_JWK_MEMBERS.filter((member) => source[member] !== undefined).map((member) => [member, source[member]])) as JsonWebKey;
}

/**
 * DPoP for a login that stores nothing (client_credentials): one key pair for this process, as
 * its tokens live only as long. The SDK's auth() tells the provider the authorization server's
 * metadata (saveDiscoveryState) before it asks for a token, which is when dpop() decides.
 */
export function withProcessDpop<P extends OAuthClientProvider>(provider: P, serverName: string, setting: boolean | undefined): P {
  if (setting === false) return provider;
  let metadata: AuthorizationServerMetadata | undefined;
  let session: Promise<DpopSession> | undefined;
  const saveDiscoveryState = provider.saveDiscoveryState?.bind(provider);
  provider.saveDiscoveryState = async (state: OAuthDiscoveryState) => {
    metadata = state.authorizationServerMetadata;
    await saveDiscoveryState?.(state);
  };
  provider.dpop = async () => {
    if (session) return session;
    const alg = dpopAlgFor(serverName, setting, metadata);
    if (!alg) return undefined;
    session = DpopSession.create({ alg });
    return session;
  };
  return provider;
}
